/**
 * `handoff simulate <scenario>`: what HubSpot would send when one of the sandbox's demo contacts becomes an MQL,
 * signed like HubSpot signs it, posted to the bridge.
 * `handoff simulate click <lead> --action accept|reject|reached-out`: clicks a button on the handoff DM in the Slack
 * emulator — reads the DM from the emulator's GET /_sandbox/state and posts the block_actions payload Slack would
 * send, signed with the signing secret — so the sandbox walk-through finishes without real Slack.
 *
 * The CLI knows the sandbox only from the outside: the demo portal's contact ids (as a user reads them in the
 * README), `npm start`'s documented port layout, and what the emulator answers over HTTP.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { decodeActionValue, SLACK_ACTIONS } from '../../activities/slack/interaction-contract';
import { localBridgeUrl, type Env } from '../../config/env';
import { handoffWorkflowId } from '../../workflows/definitions';
import { hubspotSignatureV3 } from '../bridge/signatures';
import { SANDBOX_HUBSPOT_CLIENT_SECRET, SANDBOX_SLACK_SIGNING_SECRET } from '../bridge/secrets';
import { refused, unreachable, usageError } from './cli-error';
import { workflowIdOf, type CliContext } from './cli-context';
import {
  actionElements,
  actionFor,
  blockActionsPayload,
  signedInteraction,
  type BlockAction,
  type StoredSlackMessage,
} from './slack-click';

/**
 * Where `npm start` runs the Slack emulator: SANDBOX_BASE_PORT (default 4100) + 3, as the README documents. The CLI
 * keeps its own copy of that layout; test/client/cli.test.ts checks it against the sandbox's.
 */
export function defaultSlackEmulatorUrl(env: Pick<Env, 'SANDBOX_BASE_PORT'>): string {
  return `http://127.0.0.1:${(env.SANDBOX_BASE_PORT ?? 4100) + 3}`;
}

/** What the Slack emulator's GET /_sandbox/state answers, as far as the CLI reads it. */
interface SlackEmulatorView {
  team?: { id: string; domain: string };
  appId?: string;
  users: { id: string; name: string; realName: string }[];
  channels: { id: string; imUser?: string }[];
  messages: StoredSlackMessage[];
  updates: { channel: string; ts: string; text: string }[];
  ephemerals: { user: string; text: string }[];
}

type EventSpec = { kind: 'property'; property: string; value: string } | { kind: 'form'; formType: string };

/**
 * The sandbox walk-through's scenarios: which demo contact (the seeded HubSpot portal's ids 1001–1007) and what
 * HubSpot sends for it. Property names are HubSpot's internal names as a webhook subscription carries them.
 */
export const SCENARIOS = {
  'demo-request': {
    contactId: '1001',
    summary: 'Dana Ito (Globex, a named enterprise account) requests a demo: relayed form submission',
    event: { kind: 'form', formType: 'demo_request' },
  },
  'behavioral-mql': {
    contactId: '1002',
    summary: 'Sam Rivera (Northwind) reaches the engagement threshold: mql_engagement_score = 66',
    event: { kind: 'property', property: 'mql_engagement_score', value: '66' },
  },
  'fails-icp': {
    contactId: '1003',
    summary: 'a student on a free-mail address is marked MQL: lifecyclestage → marketingqualifiedlead (disqualified)',
    event: { kind: 'property', property: 'lifecyclestage', value: 'marketingqualifiedlead' },
  },
  'emea-territory': {
    contactId: '1004',
    summary: 'Lena Fischer (Brightwave, Berlin) starts a free trial: relayed form submission, EMEA territory',
    event: { kind: 'form', formType: 'free_trial_start' },
  },
  healthcare: {
    contactId: '1005',
    summary: 'Omar Said (MedCore) reaches the fit threshold: mql_fit_score = 75, healthcare vertical',
    event: { kind: 'property', property: 'mql_fit_score', value: '75' },
  },
  'open-deal': {
    contactId: '1006',
    summary: 'Kim Lee (Initrode, open deal owned by Farid) requests a demo: goes to the deal owner',
    event: { kind: 'form', formType: 'demo_request' },
  },
  'small-behavioral': {
    contactId: '1007',
    summary: 'Jo Park (Tinyco, 60 employees) is marked MQL: lifecyclestage → marketingqualifiedlead',
    event: { kind: 'property', property: 'lifecyclestage', value: 'marketingqualifiedlead' },
  },
} as const satisfies Record<string, { contactId: string; summary: string; event: EventSpec }>;
export type Scenario = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as Scenario[];

interface BridgeTarget {
  /** Where to post, e.g. http://localhost:3000. */
  url: string;
  /** The URL the bridge believes it is called at (BRIDGE_PUBLIC_URL), which the signature covers. */
  signedUrl: string;
}

export async function simulateScenario(
  ctx: CliContext,
  scenario: Scenario,
  opts: { bridge?: string; secret?: string; json?: boolean },
): Promise<void> {
  const spec: { contactId: string; summary: string; event: EventSpec } = SCENARIOS[scenario];
  const contact = { id: spec.contactId };
  const now = ctx.io.now();
  const portalId = Number(ctx.config().hubspot.portalId);
  const event =
    spec.event.kind === 'form'
      ? {
          type: 'form_submission',
          contactId: contact.id,
          formType: spec.event.formType,
          occurredAt: now,
          submissionId: randomUUID(),
          portalId,
        }
      : {
          eventId: now * 1000 + randomInt(1000),
          subscriptionId: 1,
          portalId,
          appId: 1,
          occurredAt: now,
          subscriptionType: 'contact.propertyChange',
          attemptNumber: 0,
          objectId: Number(contact.id),
          propertyName: spec.event.property,
          propertyValue: spec.event.value,
          changeSource: 'CRM_UI',
        };
  const target = bridgeTarget(ctx, opts.bridge);
  const body = JSON.stringify([event]);
  const timestamp = String(now);
  const signature = hubspotSignatureV3({
    secret: opts.secret ?? ctx.env().HUBSPOT_CLIENT_SECRET ?? SANDBOX_HUBSPOT_CLIENT_SECRET,
    method: 'POST',
    uri: `${target.signedUrl}/webhooks/hubspot`,
    body,
    timestamp,
  });
  const answer = await post(target, '/webhooks/hubspot', body, {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': signature,
    'x-hubspot-request-timestamp': timestamp,
  });
  const result = (answer.json as { results?: { outcome: string; workflowId?: string; reason?: string }[] })
    .results?.[0];
  if (opts.json) {
    ctx.line(JSON.stringify({ scenario, contactId: contact.id, ...result }));
    return;
  }
  ctx.line(`${scenario}: ${spec.summary}`);
  ctx.line(
    `  contact ${contact.id} → ${result?.outcome ?? 'no result'}${result?.workflowId ? ` ${result.workflowId}` : ''}${
      result?.reason ? ` (${result.reason})` : ''
    }`,
  );
  ctx.line(
    `  follow it: handoff status ${contact.id}   (Temporal UI: search for ${handoffWorkflowId('hubspot', contact.id)})`,
  );
}

const CLICK_ACTIONS = {
  accept: SLACK_ACTIONS.accept,
  reject: SLACK_ACTIONS.reject,
  'reached-out': SLACK_ACTIONS.reachedOut,
} as const;
export type ClickAction = keyof typeof CLICK_ACTIONS;
export const CLICK_ACTION_NAMES = Object.keys(CLICK_ACTIONS) as ClickAction[];

export async function simulateClick(
  ctx: CliContext,
  ref: string,
  opts: {
    action: string;
    reason?: string;
    as?: string;
    slackUrl?: string;
    bridge?: string;
    secret?: string;
    json?: boolean;
  },
): Promise<void> {
  if (!(opts.action in CLICK_ACTIONS)) {
    throw usageError(`--action "${opts.action}": expected one of ${CLICK_ACTION_NAMES.join(', ')}`);
  }
  const action = opts.action as ClickAction;
  if (action === 'reject' && !opts.reason)
    throw usageError('--reason: required with --action reject (a picklist value)');
  if (action !== 'reject' && opts.reason) throw usageError('--reason: only with --action reject');
  const workflowId = workflowIdOf(ref);
  let clicker: string | undefined;
  if (opts.as !== undefined) {
    clicker = ctx.rep(opts.as).slackUserId;
    if (!clicker) throw usageError(`rep "${opts.as}" has no slackUserId in the org config`);
  }

  const slackUrl = (opts.slackUrl ?? defaultSlackEmulatorUrl(ctx.env())).replace(/\/+$/, '');
  const before = await emulatorState(slackUrl);
  const dm = findDm(before, workflowId, action, opts.reason);
  clicker ??= before.channels.find((c) => c.id === dm.message.channel)?.imUser;
  const user = before.users.find((u) => u.id === clicker);
  if (!user) throw usageError(`no Slack user to click as in channel ${dm.message.channel}: pass --as <rep>`);

  const payload = blockActionsPayload({
    team: before.team ?? { id: 'T0SIMULATE', domain: 'sandbox' },
    appId: before.appId ?? 'A0SIMULATE',
    user: { id: user.id, name: user.name },
    message: dm.message,
    action: dm.action,
    // The emulator only issues response_urls for clicks it makes itself; the bridge answers through
    // chat.postEphemeral instead, so this one is never followed.
    responseUrl: `${slackUrl}/response/simulated-${randomUUID()}`,
  });
  const secret = opts.secret ?? ctx.env().SLACK_SIGNING_SECRET ?? SANDBOX_SLACK_SIGNING_SECRET;
  const signed = signedInteraction(payload, secret);
  await post(bridgeTarget(ctx, opts.bridge), '/slack/interactions', signed.body, signed.headers);

  // The workflow updates the DM (chat.update); a refusal comes back to the clicker as an ephemeral message.
  const seen = await waitForEffect(slackUrl, before, dm.message, user.id);
  if (opts.json) ctx.line(JSON.stringify({ workflowId, action, clicker: user.id, ...seen }));
  else {
    ctx.line(
      `clicked ${action}${opts.reason ? ` (${opts.reason})` : ''} on ${workflowId} as ${user.realName} (${user.id})`,
    );
    if (seen.updated) ctx.line(`  DM updated: ${seen.updated}`);
    if (seen.ephemeral) ctx.line(`  Slack, to ${user.realName} only: ${seen.ephemeral}`);
    if (!seen.updated && !seen.ephemeral) ctx.line('  no change in Slack yet; check `handoff status` in a moment');
  }
  if (seen.ephemeral && !seen.updated) throw refused(`Slack told ${user.realName}: ${seen.ephemeral}`);
}

/** The newest DM whose `action` element acts on `workflowId`, and the click on it (with `reason` for Reject). */
function findDm(
  state: SlackEmulatorView,
  workflowId: string,
  action: ClickAction,
  reason: string | undefined,
): { message: StoredSlackMessage; action: BlockAction } {
  const actionId = CLICK_ACTIONS[action];
  const ours = (value: unknown) => decodeActionValue(typeof value === 'string' ? value : undefined)?.wf === workflowId;
  for (const message of [...state.messages].reverse()) {
    const found = actionElements(message).find((el) => el.element.action_id === actionId);
    if (!found) continue;
    const { blockId, element } = found;
    if (element.type === 'button' && ours(element.value)) {
      return { message, action: actionFor(blockId, element) };
    }
    if (element.type === 'static_select') {
      const options = ((element.options ?? []) as { value: string }[]).filter((o) => ours(o.value));
      if (options.length === 0) continue;
      const option = options.find((o) => decodeActionValue(o.value)?.reason === reason);
      if (!option) {
        const allowed = options.map((o) => decodeActionValue(o.value)?.reason).join(', ');
        throw usageError(`--reason "${reason}": the DM's Reject menu offers ${allowed}`);
      }
      return { message, action: actionFor(blockId, element, option.value) };
    }
  }
  throw usageError(
    `no handoff DM with the ${action} button for ${workflowId} in the Slack emulator (already decided, or not sent yet?)`,
  );
}

async function waitForEffect(
  slackUrl: string,
  before: SlackEmulatorView,
  message: { channel: string; ts: string },
  user: string,
): Promise<{ updated?: string; ephemeral?: string }> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const now = await emulatorState(slackUrl);
    const updates = now.updates.filter((u) => u.channel === message.channel && u.ts === message.ts);
    const known = before.updates.filter((u) => u.channel === message.channel && u.ts === message.ts).length;
    const ephemerals = now.ephemerals
      .filter((e) => e.user === user)
      .slice(before.ephemerals.filter((e) => e.user === user).length);
    const updated = updates.length > known ? updates[updates.length - 1]!.text : undefined;
    const ephemeral = ephemerals[ephemerals.length - 1]?.text;
    if (updated || ephemeral || Date.now() > deadline)
      return { ...(updated ? { updated } : {}), ...(ephemeral ? { ephemeral } : {}) };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function emulatorState(slackUrl: string): Promise<SlackEmulatorView> {
  let res: Response;
  try {
    res = await fetch(`${slackUrl}/_sandbox/state`, { signal: AbortSignal.timeout(5_000) });
  } catch (e) {
    throw unreachable(
      `cannot reach the Slack emulator at ${slackUrl}: ${causeOf(e)} (is \`npm start\` running? else pass --slack-url)`,
    );
  }
  if (!res.ok) throw unreachable(`the Slack emulator at ${slackUrl} answered ${res.status}`);
  return (await res.json()) as SlackEmulatorView;
}

function bridgeTarget(ctx: CliContext, given: string | undefined): BridgeTarget {
  // As `npm start` runs it: BRIDGE_PORT moves the bridge, so the default follows.
  const raw = given ?? ctx.io.env.BRIDGE_URL ?? localBridgeUrl(ctx.env());
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`bridge URL "${raw}": expected e.g. http://localhost:3000 (--bridge or BRIDGE_URL)`);
  }
  const base = url.toString().replace(/\/+$/, '');
  return { url: base, signedUrl: (ctx.env().BRIDGE_PUBLIC_URL ?? base).replace(/\/+$/, '') };
}

async function post(
  target: BridgeTarget,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw unreachable(
      `cannot reach the bridge at ${target.url}: ${causeOf(e)} (is \`npm start\` running? else pass --bridge)`,
    );
  }
  const text = await res.text();
  let json: unknown = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { error: text.slice(0, 200) };
  }
  const p = json as { error?: string; field?: string; expected?: string };
  if (res.status === 503)
    throw unreachable(`the bridge at ${target.url} cannot reach Temporal: ${p.error ?? 'HTTP 503'}`);
  if (res.status >= 400) {
    const where = [p.field && `field ${p.field}`, p.expected && `expected ${p.expected}`].filter(Boolean).join(', ');
    throw refused(
      `the bridge refused the request (HTTP ${res.status}): ${p.error ?? text.slice(0, 200)}${where ? ` (${where})` : ''}`,
    );
  }
  return { status: res.status, json };
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
