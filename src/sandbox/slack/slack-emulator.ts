/**
 * A loopback Slack Web API for tests and the sandbox: `POST /api/<method>` with form or JSON bodies, answered the
 * way Slack answers — HTTP 200 with `{ ok: false, error }` for errors, 429 + Retry-After for rate limits,
 * `invalid_auth` for a bad token, `invalid_blocks` with Slack's messages when Block Kit limits are broken — and
 * `POST /response/<id>` for interaction response_urls.
 *
 * Methods: auth.test, users.info, users.lookupByEmail, conversations.open, conversations.history (metadata only
 * with include_all_metadata), chat.postMessage, chat.update, chat.postEphemeral.
 *
 * Seeded (unless `seed: false`) with the reps, managers and reviewer of the org config (their Slack ids and
 * emails) and the reviewer's channel (C0REVOPS01), with the app's bot as a member.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../config/org-config-file';
import type { OrgConfig } from '../../domain/org-config';
import { startEmulator, type Emulator } from '../emulator-kit';
import { blockKitErrors } from './block-kit-check';
import {
  blockActionOn,
  blockActionsPayload,
  SANDBOX_APP_ID,
  SANDBOX_TEAM,
  type BlockActionsPayload,
} from './interaction-payload';

export interface SlackEmulatorOptions {
  port?: number;
  /** The bot token the emulator accepts (default SANDBOX_SLACK_TOKEN). */
  token?: string;
  /** Seed users and the review channel from the org config (default true). */
  seed?: boolean;
  /** The org config to seed from (default: the file named by HANDOFF_CONFIG / config/handoff.config.yaml). */
  config?: OrgConfig;
}

export interface SlackUser {
  id: string;
  name: string;
  realName: string;
  email: string;
  isBot: boolean;
}

export interface SlackChannel {
  id: string;
  name: string;
  isIm: boolean;
  /** For a DM: the person on the other side of the bot. */
  imUser?: string;
  members: string[];
}

export interface SlackMessage {
  channel: string;
  ts: string;
  user: string;
  botId: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  edited?: { user: string; ts: string };
}

export interface SlackMessageUpdate {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  via: 'chat.update' | 'response_url';
}

export interface SlackEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  via: 'chat.postEphemeral' | 'response_url';
}

/** What GET /_sandbox/state answers. */
export interface SlackEmulatorState {
  /** The workspace and the app whose messages these are (what a block_actions payload names). */
  team: { id: string; domain: string };
  appId: string;
  users: SlackUser[];
  channels: SlackChannel[];
  messages: SlackMessage[];
  updates: SlackMessageUpdate[];
  ephemerals: SlackEphemeral[];
  pendingPlatformFaults: { method: string; error: string; extra: Record<string, unknown>; remaining: number }[];
}

export interface NewChannel {
  id: string;
  name: string;
  members?: string[];
  botIsMember?: boolean;
}

export interface BlockActionInput {
  channel: string;
  ts: string;
  /** Slack user id of whoever clicks. */
  user: string;
  actionId: string;
  /** For a static_select: the option's value. */
  optionValue?: string;
}

export interface SlackEmulator extends Emulator {
  /** Base for SLACK_API_URL: `<url>/api/`. */
  readonly apiUrl: string;
  readonly token: string;
  readonly teamId: string;
  readonly botUserId: string;
  /** Messages in posting order (all channels, or one). */
  messages(channel?: string): SlackMessage[];
  /** Messages the bot sent in its DM with `userId`. */
  dmsTo(userId: string): SlackMessage[];
  dmChannelOf(userId: string): string | undefined;
  updates(channel?: string): SlackMessageUpdate[];
  ephemerals(user?: string): SlackEphemeral[];
  addUser(user: { id: string; name: string; email: string }): void;
  /** A public or private channel; the app's bot is a member unless `botIsMember: false`. */
  addChannel(channel: NewChannel): void;
  /** The next `times` calls of `method` answer `{ ok: false, error, ...extra }` (e.g. internal_error, missing_scope). */
  failNext(method: string, error: string, extra?: Record<string, unknown>, times?: number): void;
  /** A `block_actions` payload for clicking `actionId` on a stored message; throws when the message has no such element. */
  blockAction(input: BlockActionInput): BlockActionsPayload;
}

type Args = Record<string, unknown>;
type Answer = Record<string, unknown>;

class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

/** The bot token the emulator accepts unless told otherwise. */
export const SANDBOX_SLACK_TOKEN = 'xoxb-sandbox';

const TEAM_ID = SANDBOX_TEAM.id;
const BOT_USER_ID = 'U0MQLBOT01';
const BOT_ID = 'B0MQLBOT01';
const APP_ID = SANDBOX_APP_ID;

export async function startSlackEmulator(opts: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const token = opts.token ?? SANDBOX_SLACK_TOKEN;
  const users = new Map<string, SlackUser>();
  const channels = new Map<string, SlackChannel>();
  let messages: SlackMessage[] = [];
  let updates: SlackMessageUpdate[] = [];
  let ephemerals: SlackEphemeral[] = [];
  let responseUrls = new Map<string, { channel: string; ts: string; user: string; uses: number }>();
  let platformFaults: { method: string; error: string; extra: Record<string, unknown>; remaining: number }[] = [];
  let tsCounter = 0;
  let baseUrl = '';

  const addUser = (u: { id: string; name: string; email: string }, isBot = false) =>
    users.set(u.id, { id: u.id, name: handle(u.name), realName: u.name, email: u.email.toLowerCase(), isBot });
  const addChannel = (c: NewChannel) =>
    channels.set(c.id, {
      id: c.id,
      name: c.name,
      isIm: false,
      members: [...new Set([...(c.botIsMember === false ? [] : [BOT_USER_ID]), ...(c.members ?? [])])],
    });

  addUser({ id: BOT_USER_ID, name: 'MQL Handoff', email: 'mql-handoff-bot@sandbox.invalid' }, true);
  if (opts.seed ?? true) seed(opts.config ?? loadOrgConfigFile(resolveOrgConfigPath()), addUser, addChannel);

  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;

  function channelFor(id: unknown): SlackChannel {
    if (typeof id !== 'string' || !id) throw new SlackApiError('channel_not_found');
    const c = channels.get(id);
    if (c) return c;
    // Posting to a user id posts in the app's DM with that user.
    if (users.has(id) && !users.get(id)!.isBot) return openIm(id);
    throw new SlackApiError('channel_not_found');
  }

  function openIm(userId: string): SlackChannel {
    const id = `D${userId.slice(1)}`;
    let c = channels.get(id);
    if (!c) {
      c = { id, name: id, isIm: true, imUser: userId, members: [BOT_USER_ID, userId] };
      channels.set(id, c);
    }
    return c;
  }

  function memberChannel(id: unknown): SlackChannel {
    const c = channelFor(id);
    if (!c.members.includes(BOT_USER_ID)) throw new SlackApiError('not_in_channel');
    return c;
  }

  function content(args: Args): { text: string; blocks?: unknown[] } {
    const text = typeof args.text === 'string' ? args.text : '';
    const blocks = jsonArg(args.blocks, 'invalid_blocks_format') as unknown[] | undefined;
    if (!text && (!blocks || blocks.length === 0)) throw new SlackApiError('no_text');
    if (text.length > 40_000) throw new SlackApiError('msg_too_long');
    if (blocks !== undefined) {
      const errors = blockKitErrors(blocks);
      if (errors.length) throw new SlackApiError('invalid_blocks', { response_metadata: { messages: errors } });
    }
    return blocks === undefined ? { text } : { text, blocks };
  }

  function metadataArg(raw: unknown): SlackMessage['metadata'] {
    const m = jsonArg(raw, 'invalid_metadata_format');
    if (m === undefined) return undefined;
    const md = m as { event_type?: unknown; event_payload?: unknown };
    if (
      typeof md.event_type !== 'string' ||
      !md.event_type ||
      typeof md.event_payload !== 'object' ||
      !md.event_payload
    ) {
      throw new SlackApiError('invalid_metadata_format');
    }
    return { event_type: md.event_type, event_payload: md.event_payload as Record<string, unknown> };
  }

  function wire(m: SlackMessage, withMetadata: boolean): Answer & { ts: string } {
    return {
      type: 'message',
      user: m.user,
      bot_id: m.botId,
      app_id: APP_ID,
      text: m.text,
      ts: m.ts,
      team: TEAM_ID,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.edited ? { edited: m.edited } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  function wireUser(u: SlackUser): Answer {
    return {
      id: u.id,
      team_id: TEAM_ID,
      name: u.name,
      real_name: u.realName,
      deleted: false,
      is_bot: u.isBot,
      profile: { email: u.email, real_name: u.realName, display_name: u.realName },
    };
  }

  function findMessage(channel: string, ts: unknown): SlackMessage {
    const m = messages.find((x) => x.channel === channel && x.ts === ts);
    if (!m) throw new SlackApiError('message_not_found');
    return m;
  }

  function applyUpdate(m: SlackMessage, c: { text: string; blocks?: unknown[] }, via: SlackMessageUpdate['via']): void {
    m.text = c.text;
    if (c.blocks) m.blocks = c.blocks;
    else delete m.blocks;
    m.edited = { user: BOT_USER_ID, ts: nextTs() };
    updates.push({ channel: m.channel, ts: m.ts, text: c.text, ...(c.blocks ? { blocks: c.blocks } : {}), via });
  }

  const methods: Record<string, (args: Args) => Answer> = {
    'auth.test': () => ({
      url: 'https://sandbox.slack.com/',
      team: 'Sandbox',
      user: 'mql-handoff',
      team_id: TEAM_ID,
      user_id: BOT_USER_ID,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),

    'users.info': (args) => {
      const u = users.get(String(args.user ?? ''));
      if (!u) throw new SlackApiError('user_not_found');
      return { user: wireUser(u) };
    },

    'users.lookupByEmail': (args) => {
      const email = String(args.email ?? '').toLowerCase();
      const u = [...users.values()].find((x) => x.email === email);
      if (!u) throw new SlackApiError('users_not_found');
      return { user: wireUser(u) };
    },

    'conversations.open': (args) => {
      if (typeof args.channel === 'string' && args.channel) {
        const c = memberChannel(args.channel);
        return { channel: { id: c.id }, no_op: true, already_open: true };
      }
      const ids = String(args.users ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.length === 0) throw new SlackApiError('users_list_not_supplied');
      if (ids.length > 1)
        throw new SlackApiError('not_supported', { detail: 'the sandbox opens DMs with one user only' });
      const user = users.get(ids[0]!);
      if (!user || user.isBot) throw new SlackApiError('user_not_found');
      const existed = channels.has(`D${user.id.slice(1)}`);
      const c = openIm(user.id);
      return { channel: { id: c.id }, ...(existed ? { no_op: true, already_open: true } : {}) };
    },

    'conversations.history': (args) => {
      const c = memberChannel(args.channel);
      const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), 999);
      const inclusive = bool(args.inclusive);
      const oldest = args.oldest !== undefined ? Number(args.oldest) : Number.NEGATIVE_INFINITY;
      const latest = args.latest !== undefined ? Number(args.latest) : Number.POSITIVE_INFINITY;
      const inWindow = messages
        .filter((m) => m.channel === c.id)
        .filter((m) => {
          const t = Number(m.ts);
          return inclusive ? t >= oldest && t <= latest : t > oldest && t < latest;
        })
        .reverse();
      let offset = 0;
      if (typeof args.cursor === 'string' && args.cursor) {
        const decoded = /^offset:(\d+)$/.exec(Buffer.from(args.cursor, 'base64').toString('utf8'));
        if (!decoded) throw new SlackApiError('invalid_cursor');
        offset = Number(decoded[1]);
      }
      const page = inWindow.slice(offset, offset + limit);
      const hasMore = offset + limit < inWindow.length;
      return {
        messages: page.map((m) => wire(m, bool(args.include_all_metadata))),
        has_more: hasMore,
        pin_count: 0,
        response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' },
      };
    },

    'chat.postMessage': (args) => {
      const c = memberChannel(args.channel);
      const body = content(args);
      const metadata = metadataArg(args.metadata);
      const m: SlackMessage = { channel: c.id, ts: nextTs(), user: BOT_USER_ID, botId: BOT_ID, ...body };
      if (metadata) m.metadata = metadata;
      messages.push(m);
      return { channel: c.id, ts: m.ts, message: wire(m, true) };
    },

    'chat.update': (args) => {
      const c = memberChannel(args.channel);
      const m = findMessage(c.id, args.ts);
      if (m.user !== BOT_USER_ID) throw new SlackApiError('cant_update_message');
      const body = content(args);
      const metadata = metadataArg(args.metadata);
      applyUpdate(m, body, 'chat.update');
      if (metadata) m.metadata = metadata;
      return { channel: c.id, ts: m.ts, text: m.text, message: wire(m, false) };
    },

    'chat.postEphemeral': (args) => {
      const c = memberChannel(args.channel);
      const user = String(args.user ?? '');
      if (!users.has(user)) throw new SlackApiError('user_not_found');
      if (!c.members.includes(user)) throw new SlackApiError('user_not_in_channel');
      const body = content(args);
      ephemerals.push({ channel: c.id, user, ...body, via: 'chat.postEphemeral' });
      return { message_ts: nextTs() };
    },
  };

  async function api(req: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) {
    const method = req.params.method;
    const args: Args = { ...(req.query as Args), ...(isObject(req.body) ? req.body : {}) };
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const presented = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    const answer = (body: Answer) =>
      reply.code(200).header('content-type', 'application/json; charset=utf-8').send(body);
    if (!presented) return answer({ ok: false, error: 'not_authed' });
    if (presented !== token) return answer({ ok: false, error: 'invalid_auth' });
    const handler = methods[method];
    if (!handler) return answer({ ok: false, error: 'unknown_method', req_method: method });
    const fault = platformFaults.find((f) => f.method === method && f.remaining > 0);
    if (fault) {
      fault.remaining -= 1;
      platformFaults = platformFaults.filter((f) => f.remaining > 0);
      return answer({ ok: false, error: fault.error, ...fault.extra });
    }
    try {
      return answer({ ok: true, ...handler(args) });
    } catch (e) {
      if (e instanceof SlackApiError) return answer({ ok: false, error: e.error, ...e.extra });
      throw e;
    }
  }

  async function respond(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
    const hook = responseUrls.get(req.params.id);
    if (!hook) return reply.code(404).send({ ok: false, error: 'expired_url' });
    if (hook.uses >= 5) return reply.code(404).send({ ok: false, error: 'used_url' });
    hook.uses += 1;
    const args = isObject(req.body) ? req.body : {};
    try {
      if (bool(args.delete_original)) {
        messages = messages.filter((m) => !(m.channel === hook.channel && m.ts === hook.ts));
        return reply.send({ ok: true });
      }
      const body = content(args);
      if (bool(args.replace_original)) {
        applyUpdate(findMessage(hook.channel, hook.ts), body, 'response_url');
      } else if (args.response_type === 'in_channel') {
        messages.push({ channel: hook.channel, ts: nextTs(), user: BOT_USER_ID, botId: BOT_ID, ...body });
      } else {
        ephemerals.push({ channel: hook.channel, user: hook.user, ...body, via: 'response_url' });
      }
      return reply.send({ ok: true });
    } catch (e) {
      if (e instanceof SlackApiError) return reply.code(400).send({ ok: false, error: e.error, ...e.extra });
      throw e;
    }
  }

  const base = await startEmulator({
    name: 'slack',
    port: opts.port,
    routes: (app: FastifyInstance) => {
      app.post<{ Params: { method: string } }>('/api/:method', api);
      app.post<{ Params: { id: string } }>('/response/:id', respond);
    },
    rateLimited: (reply, seconds) =>
      reply.code(429).header('Retry-After', String(seconds)).send({ ok: false, error: 'ratelimited' }),
    serverError: (reply, status) => reply.code(status).send({ ok: false, error: 'internal_error' }),
    state: (): SlackEmulatorState => ({
      team: { ...SANDBOX_TEAM },
      appId: APP_ID,
      users: [...users.values()],
      channels: [...channels.values()],
      messages,
      updates,
      ephemerals,
      pendingPlatformFaults: platformFaults,
    }),
    reset: () => {
      messages = [];
      updates = [];
      ephemerals = [];
      responseUrls = new Map();
      platformFaults = [];
      for (const [id, c] of channels) if (c.isIm) channels.delete(id);
    },
  });
  baseUrl = base.url;

  return {
    ...base,
    apiUrl: `${base.url}/api/`,
    token,
    teamId: TEAM_ID,
    botUserId: BOT_USER_ID,
    messages: (channel) => messages.filter((m) => channel === undefined || m.channel === channel),
    dmsTo: (userId) => messages.filter((m) => m.channel === `D${userId.slice(1)}` && channels.get(m.channel)?.isIm),
    dmChannelOf: (userId) => {
      const id = `D${userId.slice(1)}`;
      return channels.get(id)?.isIm ? id : undefined;
    },
    updates: (channel) => updates.filter((u) => channel === undefined || u.channel === channel),
    ephemerals: (user) => ephemerals.filter((e) => user === undefined || e.user === user),
    addUser: (u) => addUser(u),
    addChannel,
    failNext: (method, error, extra = {}, times = 1) => {
      platformFaults.push({ method, error, extra, remaining: times });
    },
    blockAction: (input) => {
      const message = messages.find((m) => m.channel === input.channel && m.ts === input.ts);
      if (!message) throw new Error(`no message ${input.ts} in channel ${input.channel}`);
      const user = users.get(input.user);
      if (!user) throw new Error(`no user ${input.user} in the sandbox workspace`);
      const action = blockActionOn(message, input.actionId, input.optionValue);
      const id = randomUUID();
      responseUrls.set(id, { channel: input.channel, ts: input.ts, user: input.user, uses: 0 });
      const channel = channels.get(input.channel);
      return blockActionsPayload({
        user,
        channel: { id: message.channel, name: channel?.isIm ? 'directmessage' : (channel?.name ?? message.channel) },
        message: wire(message, false),
        action,
        responseUrl: `${baseUrl}/response/${id}`,
      });
    },
  };
}

function seed(
  config: OrgConfig,
  addUser: (u: { id: string; name: string; email: string }) => void,
  addChannel: (c: NewChannel) => void,
): void {
  const people = [...config.teams.flatMap((t) => t.reps), ...config.managers, config.reviewer];
  for (const p of people) addUser({ id: p.slackUserId ?? generatedUserId(p.id), name: p.name, email: p.email });
  if (config.reviewer.slackChannel) {
    addChannel({
      id: config.reviewer.slackChannel,
      name: 'revops-review',
      members: [config.reviewer.slackUserId ?? generatedUserId(config.reviewer.id)],
    });
  }
}

/** People without a Slack id in the config still exist in the workspace; the adapter finds them by email. */
function generatedUserId(personId: string): string {
  return `U0${createHash('sha256').update(personId).digest('hex').slice(0, 8).toUpperCase()}`;
}

function handle(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');
}

function jsonArg(raw: unknown, error: string): unknown {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new SlackApiError(error);
  }
}

function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

function isObject(v: unknown): v is Args {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
