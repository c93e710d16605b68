/**
 * The clicks on a handoff DM, read from Slack's interaction request: a form body `payload=<json>` holding a
 * `block_actions` payload (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload). The buttons' ids and values
 * are the contract in src/activities/slack/interaction-contract.ts; the clicker becomes a rep through the org
 * config's `slackUserId`.
 */
import { decodeActionValue, SLACK_ACTIONS } from '../../activities/slack/interaction-contract';
import type { OrgConfig, Rep } from '../../domain/org-config';
import { parseHandoffWorkflowId } from '../../workflows/definitions';
import { problem, type Problem } from './bad-request';

export interface ClickContext {
  slackUserId: string;
  /** The channel the message is in (a DM), for ephemeral replies. */
  channelId: string | null;
  /** Slack's action_ts: unique per click, used as the activity's external id. */
  actionTs: string | null;
}

export type HandoffClick = ClickContext &
  (
    | { kind: 'accept'; workflowId: string; rep: Rep | null }
    | { kind: 'reject'; workflowId: string; rep: Rep | null; reason: string }
    | { kind: 'reached_out'; workflowId: string; rep: Rep | null }
    | { kind: 'not_ours'; actionId: string }
  );

/** Reads and checks the payload; a Problem when it is not a block_actions request we can act on. */
export function parseSlackInteraction(body: Buffer, config: OrgConfig): HandoffClick | { problem: Problem } {
  const form = new URLSearchParams(body.toString('utf8'));
  const raw = form.get('payload');
  if (raw === null) return { problem: problem('no payload field in the form body', 'payload', 'payload=<JSON>') };
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (e) {
    return {
      problem: problem(`payload is not JSON: ${(e as Error).message}`, 'payload', 'a JSON interaction payload'),
    };
  }
  if (!isRecord(payload)) return { problem: problem('payload is not an object', 'payload', 'a JSON object') };
  if (payload.type !== 'block_actions') {
    return { problem: problem('unsupported interaction type', 'payload.type', 'block_actions') };
  }
  const user = isRecord(payload.user) ? payload.user.id : undefined;
  if (typeof user !== 'string' || !/^[UW][A-Z0-9]{2,}$/.test(user)) {
    return {
      problem: problem(
        'user.id is missing or not a Slack user id',
        'payload.user.id',
        'a Slack user id such as U0123ABC',
      ),
    };
  }
  if (!Array.isArray(payload.actions) || payload.actions.length === 0 || !isRecord(payload.actions[0])) {
    return { problem: problem('no action in the payload', 'payload.actions', 'one block action') };
  }
  const action = payload.actions[0];
  if (typeof action.action_id !== 'string') {
    return {
      problem: problem('action_id is missing', 'payload.actions[0].action_id', 'the action id of the clicked element'),
    };
  }
  const channel = isRecord(payload.channel) && typeof payload.channel.id === 'string' ? payload.channel.id : null;
  const container =
    isRecord(payload.container) && typeof payload.container.channel_id === 'string'
      ? payload.container.channel_id
      : null;
  const ctx: ClickContext = {
    slackUserId: user,
    channelId: channel ?? container,
    actionTs: typeof action.action_ts === 'string' ? action.action_ts : null,
  };

  const known = Object.values(SLACK_ACTIONS) as string[];
  if (!known.includes(action.action_id)) return { ...ctx, kind: 'not_ours', actionId: action.action_id };

  const rawValue =
    action.action_id === SLACK_ACTIONS.reject
      ? isRecord(action.selected_option)
        ? action.selected_option.value
        : undefined
      : action.value;
  const field =
    action.action_id === SLACK_ACTIONS.reject ? 'payload.actions[0].selected_option.value' : 'payload.actions[0].value';
  const value = decodeActionValue(typeof rawValue === 'string' ? rawValue : undefined);
  if (!value || !parseHandoffWorkflowId(value.wf)) {
    return {
      problem: problem('the action value does not name a handoff', field, 'JSON {"wf":"mql-hubspot-<contact id>"}'),
    };
  }
  const rep = config.teams.flatMap((t) => t.reps).find((r) => r.slackUserId === user) ?? null;
  switch (action.action_id) {
    case SLACK_ACTIONS.accept:
      return { ...ctx, kind: 'accept', workflowId: value.wf, rep };
    case SLACK_ACTIONS.reject:
      if (!value.reason) {
        return {
          problem: problem('the reject option carries no reason', field, 'JSON {"wf":"…","reason":"<picklist value>"}'),
        };
      }
      return { ...ctx, kind: 'reject', workflowId: value.wf, rep, reason: value.reason };
    default:
      return { ...ctx, kind: 'reached_out', workflowId: value.wf, rep };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
