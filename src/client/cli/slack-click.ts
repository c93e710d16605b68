/**
 * What Slack POSTs to an app's interactivity Request URL when someone clicks a button or picks a menu option on a
 * message: a `block_actions` payload (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload),
 * form-encoded as `payload=<json>` and signed with the app's signing secret. `handoff simulate click` builds one from
 * the DM it reads in the Slack emulator. This is the CLI's own copy of the documented shape, written apart from the
 * emulator's, so the two cannot agree by construction.
 */
import { randomUUID } from 'node:crypto';
import { slackSignature } from '../bridge/signatures';

/** A message as the Slack emulator's GET /_sandbox/state shows it (the fields the CLI reads). */
export interface StoredSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
}

export type BlockAction =
  | { type: 'button'; action_id: string; block_id: string; text: unknown; value?: string; action_ts: string }
  | {
      type: 'static_select';
      action_id: string;
      block_id: string;
      selected_option: { text: unknown; value: string };
      placeholder?: unknown;
      action_ts: string;
    };

export interface BlockActionsPayload {
  type: 'block_actions';
  user: { id: string; username: string; name: string; team_id: string };
  api_app_id: string;
  token: string;
  container: { type: 'message'; message_ts: string; channel_id: string; is_ephemeral: boolean };
  trigger_id: string;
  team: { id: string; domain: string };
  channel: { id: string; name: string };
  message: Record<string, unknown>;
  state: { values: Record<string, unknown> };
  response_url: string;
  actions: BlockAction[];
}

/** The interactive elements of the message's `actions` blocks, with the block they sit in. */
export function actionElements(message: {
  blocks?: unknown[];
}): { blockId: string; element: Record<string, unknown> }[] {
  return ((message.blocks ?? []) as Record<string, unknown>[])
    .filter((b) => b.type === 'actions' && Array.isArray(b.elements))
    .flatMap((b) =>
      (b.elements as Record<string, unknown>[]).map((element) => ({
        // Slack fills in a block_id when the app sent none; the emulator stores what was posted.
        blockId: typeof b.block_id === 'string' ? b.block_id : 'actions',
        element,
      })),
    );
}

/**
 * The action Slack reports for a click on `element` (in block `blockId`): a button's text and value, or for a
 * static_select the option picked (`optionValue`).
 */
export function actionFor(
  blockId: string,
  element: Record<string, unknown>,
  optionValue?: string,
  now: number = Date.now(),
): BlockAction {
  const actionTs = (now / 1000).toFixed(6);
  const actionId = String(element.action_id);
  if (element.type === 'static_select') {
    const option = ((element.options ?? []) as { text: unknown; value: string }[]).find((o) => o.value === optionValue);
    if (!option) throw new Error(`menu ${actionId} has no option ${optionValue}`);
    return {
      type: 'static_select',
      action_id: actionId,
      block_id: blockId,
      selected_option: { text: option.text, value: option.value },
      ...(element.placeholder === undefined ? {} : { placeholder: element.placeholder }),
      action_ts: actionTs,
    };
  }
  return {
    type: 'button',
    action_id: actionId,
    block_id: blockId,
    text: element.text,
    ...(typeof element.value === 'string' ? { value: element.value } : {}),
    action_ts: actionTs,
  };
}

/** The payload for `user` clicking `action` on `message` in a DM. */
export function blockActionsPayload(click: {
  team: { id: string; domain: string };
  appId: string;
  user: { id: string; name: string };
  message: StoredSlackMessage;
  action: BlockAction;
  responseUrl: string;
  now?: number;
}): BlockActionsPayload {
  const { message } = click;
  return {
    type: 'block_actions',
    user: { id: click.user.id, username: click.user.name, name: click.user.name, team_id: click.team.id },
    api_app_id: click.appId,
    // The deprecated verification token; the bridge checks the signature instead.
    token: 'simulated',
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    trigger_id: `${click.now ?? Date.now()}.${randomUUID().slice(0, 8)}`,
    team: click.team,
    channel: { id: message.channel, name: 'directmessage' },
    message: {
      type: 'message',
      ts: message.ts,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
    },
    state: { values: {} },
    response_url: click.responseUrl,
    actions: [click.action],
  };
}

/** The request body (`payload=<url-encoded JSON>`) and the headers Slack signs it with (`v0` scheme). */
export function signedInteraction(
  payload: BlockActionsPayload,
  signingSecret: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): { body: string; headers: Record<string, string> } {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = String(timestampSeconds);
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature({ secret: signingSecret, timestamp, body }),
    },
  };
}
