/**
 * A loopback Slack Web API for tests and the sandbox: `POST /api/<method>` with form or JSON bodies, answered the
 * way Slack answers — HTTP 200 with `{ ok: false, error }` for errors, 429 + Retry-After for rate limits,
 * `invalid_auth` for a bad token, `invalid_blocks` with Slack's messages when Block Kit limits are broken — and
 * `POST /response/<id>` for interaction response_urls.
 *
 * Methods: auth.test, users.info, users.lookupByEmail, conversations.open, conversations.history (metadata only
 * with include_all_metadata), chat.postMessage, chat.update, chat.delete, chat.postEphemeral, and the external file
 * upload
 * (what files.uploadV2 sends): files.getUploadURLExternal → `POST /upload/v1/<ticket>` with the bytes (raw or
 * multipart/form-data; answered `200 OK - <bytes>`) → files.completeUploadExternal (shares the file in
 * `channel_id`, optionally as a reply in `thread_ts`, with `initial_comment`); files.list and files.info; the
 * bytes at the file's `url_private_download` (bearer token required).
 *
 * Seeded (unless `seed: false`) with the reps, managers and reviewer of the org config (their Slack ids and
 * emails) and the reviewer's channel (C0REVOPS01), with the app's bot as a member.
 *
 * State lives in memory unless `stateFile` names a JSON file (what `npm start` does, under the data folder): then
 * the conversations, messages, files (with their bytes), pending uploads and response_urls are loaded from it at
 * start and the file is rewritten after every change, so a restarted sandbox still has the DMs live handoffs point
 * at. Users come from the seed first; ones added later are kept too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
  /**
   * Keep the workspace in this JSON file: loaded at start when it exists, rewritten after every change (created with
   * its folder). Absent: in memory only, forgotten on close.
   */
  stateFile?: string;
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
  /** A file share (files.completeUploadExternal): the files it shows. */
  files?: Record<string, unknown>[];
  upload?: boolean;
  /** A reply in the thread of this message ts. */
  threadTs?: string;
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

/** A file uploaded through files.getUploadURLExternal; its bytes are served at `urlPrivateDownload`. */
export interface SlackFile {
  id: string;
  name: string;
  title: string;
  altTxt?: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  /** pending: URL handed out; uploaded: bytes received; complete: files.completeUploadExternal done. */
  status: 'pending' | 'uploaded' | 'complete';
  mimetype: string;
  filetype: string;
  user: string;
  created: number;
  size?: number;
  sha256?: string;
  /** Where it was shared (empty: private). */
  channels: string[];
  threadTs?: string;
  initialComment?: string;
  urlPrivate: string;
  urlPrivateDownload: string;
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
  files: SlackFile[];
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
  /** Uploaded files (every status), in upload order. */
  files(): SlackFile[];
  /** The bytes uploaded for a file, if any. */
  fileBytes(id: string): Buffer | undefined;
  addUser(user: { id: string; name: string; email: string }): void;
  /** A public or private channel; the app's bot is a member unless `botIsMember: false`. */
  addChannel(channel: NewChannel): void;
  /**
   * Drops a conversation and its messages, as a sandbox restarted without its state file forgets a DM: the next
   * call on it answers channel_not_found (conversations.open makes it again, empty).
   */
  forgetConversation(channel: string): void;
  /** The next `times` calls of `method` answer `{ ok: false, error, ...extra }` (e.g. internal_error, missing_scope). */
  failNext(method: string, error: string, extra?: Record<string, unknown>, times?: number): void;
  /** A `block_actions` payload for clicking `actionId` on a stored message; throws when the message has no such element. */
  blockAction(input: BlockActionInput): BlockActionsPayload;
  /**
   * Calls `listener` each time the bot posts (chat.postMessage) or edits (chat.update) a message, as it is stored;
   * the bench times arrivals by it. Returns the unsubscribe.
   */
  onMessage(listener: (event: SlackMessageEvent) => void): () => void;
}

export interface SlackMessageEvent {
  method: 'chat.postMessage' | 'chat.update';
  message: SlackMessage;
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
  let files: SlackFile[] = [];
  const messageListeners = new Set<(event: SlackMessageEvent) => void>();
  const tellListeners = (event: SlackMessageEvent): void => {
    for (const listener of messageListeners) listener(event);
  };
  let fileBytes = new Map<string, Buffer>();
  /** Upload ticket → file id. */
  let uploadTickets = new Map<string, string>();
  let tsCounter = 0;
  let fileCounter = 0;
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

  const stateFile = opts.stateFile ? path.resolve(opts.stateFile) : undefined;
  const saved = stateFile ? readStateFile(stateFile) : null;
  if (saved) {
    // The seed (the org config) wins for the people it names; the rest comes back as it was.
    for (const u of saved.users) if (!users.has(u.id)) users.set(u.id, u);
    for (const c of saved.channels) channels.set(c.id, c);
    messages = saved.messages;
    updates = saved.updates;
    ephemerals = saved.ephemerals;
    files = saved.files;
    fileBytes = new Map(Object.entries(saved.fileBytes).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
    uploadTickets = new Map(saved.uploadTickets);
    responseUrls = new Map(saved.responseUrls);
    tsCounter = saved.tsCounter;
    fileCounter = saved.fileCounter;
  }

  /** Rewrites the state file (when there is one): the whole workspace, written aside and renamed into place. */
  function persist(): void {
    if (!stateFile) return;
    const state: PersistedSlackState = {
      version: STATE_FILE_VERSION,
      users: [...users.values()],
      channels: [...channels.values()],
      messages,
      updates,
      ephemerals,
      files,
      fileBytes: Object.fromEntries([...fileBytes].map(([id, bytes]) => [id, bytes.toString('base64')])),
      uploadTickets: [...uploadTickets],
      responseUrls: [...responseUrls],
      tsCounter,
      fileCounter,
    };
    mkdirSync(path.dirname(stateFile), { recursive: true });
    const aside = `${stateFile}.${process.pid}.tmp`;
    writeFileSync(aside, JSON.stringify(state));
    renameSync(aside, stateFile);
  }

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
      ...(m.files ? { files: m.files, upload: m.upload ?? false } : {}),
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
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

  function wireFile(f: SlackFile): Answer {
    return {
      id: f.id,
      created: f.created,
      timestamp: f.created,
      name: f.name,
      title: f.title,
      mimetype: f.mimetype,
      filetype: f.filetype,
      pretty_type: f.filetype.toUpperCase(),
      user: f.user,
      user_team: TEAM_ID,
      editable: false,
      size: f.size ?? f.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: f.channels.some((c) => !channels.get(c)?.isIm),
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: f.urlPrivate,
      url_private_download: f.urlPrivateDownload,
      permalink: `https://sandbox.slack.com/files/${f.user}/${f.id}/${f.name}`,
      ...(f.altTxt ? { alt_txt: f.altTxt } : {}),
      channels: f.channels.filter((c) => !channels.get(c)?.isIm && !c.startsWith('G')),
      groups: f.channels.filter((c) => c.startsWith('G')),
      ims: f.channels.filter((c) => channels.get(c)?.isIm),
      comments_count: 0,
    };
  }

  function fileFor(id: unknown): SlackFile {
    const f = typeof id === 'string' ? files.find((x) => x.id === id) : undefined;
    if (!f) throw new SlackApiError('file_not_found');
    return f;
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
      tellListeners({ method: 'chat.postMessage', message: m });
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
      tellListeners({ method: 'chat.update', message: m });
      return { channel: c.id, ts: m.ts, text: m.text, message: wire(m, false) };
    },

    'chat.delete': (args) => {
      const c = memberChannel(args.channel);
      const m = findMessage(c.id, args.ts);
      if (m.user !== BOT_USER_ID) throw new SlackApiError('cant_delete_message');
      messages = messages.filter((x) => x !== m);
      return { channel: c.id, ts: m.ts };
    },

    'files.getUploadURLExternal': (args) => {
      const filename = typeof args.filename === 'string' ? args.filename : '';
      if (!filename) throw invalidArguments('missing required field: filename', '/filename');
      if (args.length === undefined || args.length === '') {
        throw invalidArguments('missing required field: length', '/length');
      }
      const length = Number(args.length);
      if (!Number.isInteger(length) || length < 0) throw invalidArguments('must be an integer', '/length');
      if (length === 0) throw new SlackApiError('missing_argument');
      if (length > MAX_UPLOAD_BYTES) throw new SlackApiError('file_upload_size_restricted');
      const altTxt = typeof args.alt_txt === 'string' ? args.alt_txt : undefined;
      if (altTxt && altTxt.length > 1000) throw new SlackApiError('alt_txt_too_large');
      const id = `F0SANDBOX${String(++fileCounter).padStart(3, '0')}`;
      const ticket = randomUUID();
      const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
      const path = `/files-pri/${TEAM_ID}-${id}/${encodeURIComponent(filename)}`;
      files.push({
        id,
        name: filename,
        title: filename,
        ...(altTxt ? { altTxt } : {}),
        length,
        status: 'pending',
        mimetype: MIME_TYPES[ext] ?? 'application/octet-stream',
        filetype: ext || 'binary',
        user: BOT_USER_ID,
        created: Math.floor(Date.now() / 1000),
        channels: [],
        urlPrivate: `${baseUrl}${path}`,
        urlPrivateDownload: `${baseUrl}/files-pri/${TEAM_ID}-${id}/download/${encodeURIComponent(filename)}`,
      });
      uploadTickets.set(ticket, id);
      return { upload_url: `${baseUrl}/upload/v1/${ticket}`, file_id: id };
    },

    'files.completeUploadExternal': (args) => {
      const list = jsonArg(args.files, 'invalid_arguments');
      if (!Array.isArray(list) || list.length === 0) throw invalidArguments('missing required field: files', '/files');
      const entries = list.map((raw, i) => {
        const e = raw as { id?: unknown; title?: unknown };
        if (typeof e?.id !== 'string' || !e.id) throw invalidArguments('missing required field: id', `/files/${i}/id`);
        return { id: e.id, title: typeof e.title === 'string' && e.title ? e.title : undefined };
      });
      const channelId = typeof args.channel_id === 'string' && args.channel_id ? args.channel_id : undefined;
      let channel: SlackChannel | undefined;
      if (channelId !== undefined) {
        if (!/^[CGDZ][A-Z0-9]{8,}$/.test(channelId)) {
          throw invalidArguments('input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$', '/channel_id');
        }
        channel = channels.get(channelId);
        if (!channel) throw new SlackApiError('invalid_channel');
        if (!channel.members.includes(BOT_USER_ID)) throw new SlackApiError('not_in_channel');
      }
      const threadTs = typeof args.thread_ts === 'string' && args.thread_ts ? args.thread_ts : undefined;
      if (threadTs !== undefined && !channel) throw invalidArguments('thread_ts requires channel_id', '/thread_ts');
      // The upload ticket is spent by the first completion: a file not (or no longer) waiting is not found.
      const targets = entries.map((e) => {
        const f = fileFor(e.id);
        if (f.status !== 'uploaded') throw new SlackApiError('file_not_found');
        return { f, title: e.title };
      });
      const comment = typeof args.initial_comment === 'string' ? args.initial_comment : '';
      if (comment.length > 40_000) throw new SlackApiError('msg_too_long');
      for (const { f, title } of targets) {
        f.status = 'complete';
        if (title) f.title = title;
        if (channel) f.channels = [channel.id];
        if (threadTs) f.threadTs = threadTs;
        if (comment) f.initialComment = comment;
      }
      if (channel) {
        messages.push({
          channel: channel.id,
          ts: nextTs(),
          user: BOT_USER_ID,
          botId: BOT_ID,
          text: comment,
          files: targets.map(({ f }) => wireFile(f)),
          upload: true,
          ...(threadTs ? { threadTs } : {}),
        });
      }
      return { files: targets.map(({ f }) => wireFile(f)) };
    },

    'files.info': (args) => {
      const f = fileFor(args.file);
      if (f.status !== 'complete') throw new SlackApiError('file_not_found');
      return { file: wireFile(f), comments: [], response_metadata: { next_cursor: '' } };
    },

    'files.list': (args) => {
      const types = String(args.types ?? 'all')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const known = ['all', 'spaces', 'snippets', 'images', 'gdocs', 'zips', 'pdfs'];
      if (types.some((t) => !known.includes(t))) throw new SlackApiError('unknown_type');
      if (args.user !== undefined && args.user !== '' && !users.has(String(args.user))) {
        throw new SlackApiError('user_not_found');
      }
      const from = args.ts_from !== undefined && args.ts_from !== '' ? Number(args.ts_from) : -Infinity;
      const to = args.ts_to !== undefined && args.ts_to !== '' ? Number(args.ts_to) : Infinity;
      const count = Math.min(Math.max(Math.floor(Number(args.count ?? 100)) || 100, 1), 1000);
      const page = Math.max(Math.floor(Number(args.page ?? 1)) || 1, 1);
      const matching = files
        .filter((f) => f.status === 'complete')
        .filter((f) => !args.channel || f.channels.includes(String(args.channel)))
        .filter((f) => !args.user || f.user === args.user)
        .filter((f) => f.created >= from && f.created <= to)
        .filter(
          (f) =>
            types.includes('all') ||
            (types.includes('images') && f.mimetype.startsWith('image/')) ||
            (types.includes('pdfs') && f.mimetype === 'application/pdf') ||
            (types.includes('zips') && f.mimetype === 'application/zip') ||
            (types.includes('snippets') && f.mimetype.startsWith('text/')),
        )
        .reverse();
      const pages = Math.max(1, Math.ceil(matching.length / count));
      return {
        files: matching.slice((page - 1) * count, page * count).map(wireFile),
        paging: { count, total: matching.length, page, pages },
      };
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
    const conversations = channels.size;
    try {
      return answer({ ok: true, ...handler(args) });
    } catch (e) {
      if (e instanceof SlackApiError) return answer({ ok: false, error: e.error, ...e.extra });
      throw e;
    } finally {
      // Reads change nothing, unless naming a user opened a DM with them.
      if (!READ_ONLY_METHODS.has(method) || channels.size !== conversations) persist();
    }
  }

  async function respond(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
    const hook = responseUrls.get(req.params.id);
    if (!hook) return reply.code(404).send({ ok: false, error: 'expired_url' });
    if (hook.uses >= 5) return reply.code(404).send({ ok: false, error: 'used_url' });
    hook.uses += 1;
    const args = isObject(req.body) ? req.body : {};
    try {
      return respondWith(hook, args, reply);
    } finally {
      persist();
    }
  }

  function respondWith(
    hook: { channel: string; ts: string; user: string },
    args: Args,
    reply: FastifyReply,
  ): FastifyReply {
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

  /** The upload URL: raw bytes or multipart/form-data (the first part carrying a file). */
  async function upload(req: FastifyRequest<{ Params: { ticket: string } }>, reply: FastifyReply) {
    const id = uploadTickets.get(req.params.ticket);
    const f = id ? files.find((x) => x.id === id) : undefined;
    if (!f || f.status !== 'pending') return reply.code(404).type('text/plain').send('Not Found');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '');
    const type = String(req.headers['content-type'] ?? '');
    const bytes = type.startsWith('multipart/form-data') ? multipartFile(raw, type) : raw;
    if (!bytes) return reply.code(400).type('text/plain').send('multipart/form-data body without a file part');
    if (bytes.length !== f.length) {
      return reply
        .code(400)
        .type('text/plain')
        .send(`length mismatch: files.getUploadURLExternal announced ${f.length} bytes, received ${bytes.length}`);
    }
    f.status = 'uploaded';
    f.size = bytes.length;
    f.sha256 = createHash('sha256').update(bytes).digest('hex');
    fileBytes.set(f.id, bytes);
    uploadTickets.delete(req.params.ticket);
    persist();
    return reply.code(200).type('text/plain; charset=utf-8').send(`OK - ${bytes.length}`);
  }

  async function download(req: FastifyRequest<{ Params: { fileRef: string } }>, reply: FastifyReply) {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== token) return reply.code(403).type('text/plain').send('Forbidden');
    const id = req.params.fileRef.startsWith(`${TEAM_ID}-`) ? req.params.fileRef.slice(TEAM_ID.length + 1) : '';
    const f = files.find((x) => x.id === id && x.status === 'complete');
    const bytes = f && fileBytes.get(f.id);
    if (!f || !bytes) return reply.code(404).type('text/plain').send('Not Found');
    return reply.code(200).type(f.mimetype).send(bytes);
  }

  const base = await startEmulator({
    name: 'slack',
    port: opts.port,
    routes: (app: FastifyInstance) => {
      // File bytes come as whatever the client sends (octet-stream, image/png, multipart/form-data).
      app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      app.post<{ Params: { method: string } }>('/api/:method', api);
      app.post<{ Params: { id: string } }>('/response/:id', respond);
      app.post<{ Params: { ticket: string } }>('/upload/v1/:ticket', upload);
      app.get<{ Params: { fileRef: string } }>('/files-pri/:fileRef/download/:name', download);
      app.get<{ Params: { fileRef: string } }>('/files-pri/:fileRef/:name', download);
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
      files,
      pendingPlatformFaults: platformFaults,
    }),
    reset: () => {
      messages = [];
      updates = [];
      ephemerals = [];
      responseUrls = new Map();
      platformFaults = [];
      files = [];
      fileBytes = new Map();
      uploadTickets = new Map();
      for (const [id, c] of channels) if (c.isIm) channels.delete(id);
      persist();
    },
  });
  baseUrl = base.url;
  // Files saved by an earlier run point at the port it had.
  const here = (url: string) => url.replace(/^https?:\/\/[^/]+/, baseUrl);
  for (const f of files)
    Object.assign(f, { urlPrivate: here(f.urlPrivate), urlPrivateDownload: here(f.urlPrivateDownload) });
  for (const m of messages) {
    for (const f of m.files ?? []) {
      for (const k of ['url_private', 'url_private_download']) if (typeof f[k] === 'string') f[k] = here(f[k]);
    }
  }

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
    files: () => files,
    fileBytes: (id) => fileBytes.get(id),
    addUser: (u) => {
      addUser(u);
      persist();
    },
    addChannel: (c) => {
      addChannel(c);
      persist();
    },
    forgetConversation: (channel) => {
      channels.delete(channel);
      messages = messages.filter((m) => m.channel !== channel);
      persist();
    },
    failNext: (method, error, extra = {}, times = 1) => {
      platformFaults.push({ method, error, extra, remaining: times });
    },
    onMessage: (listener) => {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    blockAction: (input) => {
      const message = messages.find((m) => m.channel === input.channel && m.ts === input.ts);
      if (!message) throw new Error(`no message ${input.ts} in channel ${input.channel}`);
      const user = users.get(input.user);
      if (!user) throw new Error(`no user ${input.user} in the sandbox workspace`);
      const action = blockActionOn(message, input.actionId, input.optionValue);
      const id = randomUUID();
      responseUrls.set(id, { channel: input.channel, ts: input.ts, user: input.user, uses: 0 });
      persist();
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

/** Methods that change nothing (the rest rewrite the state file). */
const READ_ONLY_METHODS = new Set([
  'auth.test',
  'users.info',
  'users.lookupByEmail',
  'conversations.history',
  'files.info',
  'files.list',
]);

const STATE_FILE_VERSION = 1;

/** What the state file holds: the workspace as the emulator keeps it. */
interface PersistedSlackState {
  version: typeof STATE_FILE_VERSION;
  users: SlackUser[];
  channels: SlackChannel[];
  messages: SlackMessage[];
  updates: SlackMessageUpdate[];
  ephemerals: SlackEphemeral[];
  files: SlackFile[];
  /** File id → the uploaded bytes, base64. */
  fileBytes: Record<string, string>;
  uploadTickets: [string, string][];
  responseUrls: [string, { channel: string; ts: string; user: string; uses: number }][];
  tsCounter: number;
  fileCounter: number;
}

/** The saved workspace; null when the file does not exist yet. Anything else it cannot use is an error naming it. */
function readStateFile(file: string): PersistedSlackState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const bad = (what: string) =>
    new Error(
      `Slack emulator state file ${file}: ${what}; expected the JSON the sandbox writes (version ${STATE_FILE_VERSION}). Delete the file to start with an empty workspace.`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw bad('not a JSON object');
  if (raw.version !== STATE_FILE_VERSION) throw bad(`version ${JSON.stringify(raw.version)}`);
  for (const k of [
    'users',
    'channels',
    'messages',
    'updates',
    'ephemerals',
    'files',
    'uploadTickets',
    'responseUrls',
  ]) {
    if (!Array.isArray(raw[k])) throw bad(`${k} is ${JSON.stringify(raw[k])}, not a list`);
  }
  for (const k of ['tsCounter', 'fileCounter']) {
    if (!Number.isInteger(raw[k])) throw bad(`${k} is ${JSON.stringify(raw[k])}, not an integer`);
  }
  if (!isObject(raw.fileBytes)) throw bad('fileBytes is not an object');
  return raw as unknown as PersistedSlackState;
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
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** Slack's `invalid_arguments`, with the message Slack gives for a schema violation. */
function invalidArguments(message: string, pointer: string): SlackApiError {
  return new SlackApiError('invalid_arguments', {
    response_metadata: { messages: [`[ERROR] ${message} [json-pointer:${pointer}]`] },
  });
}

/** Largest upload the sandbox takes (the emulator's body limit is lower still). */
const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

const MIME_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
};

/** The content of the first part of a multipart/form-data body that carries a filename; null when none. */
export function multipartFile(body: Buffer, contentType: string): Buffer | null {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      if (/content-disposition:[^\r\n]*filename=/i.test(headers)) {
        let content = part.subarray(headerEnd + 4);
        if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
        return content;
      }
    }
    at = next;
  }
  return null;
}
