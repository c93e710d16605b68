/**
 * What Slack POSTs to the app's interactivity Request URL when someone clicks a button or picks an option:
 * a `block_actions` payload, form-encoded as `payload=<json>`, signed with the app's signing secret
 * (`X-Slack-Signature: v0=hex(hmac_sha256(secret, "v0:" + timestamp + ":" + body))`). The emulator builds these
 * from the real stored message so bridge tests click what the adapter actually posted.
 */
import { createHmac, randomUUID } from 'node:crypto';

/** The sandbox workspace and the app whose buttons are clicked. */
export const SANDBOX_TEAM = { id: 'T0SANDBOX', domain: 'sandbox' } as const;
export const SANDBOX_APP_ID = 'A0MQLHAND1';

export interface BlockActionsPayload {
  type: 'block_actions';
  user: { id: string; username: string; name: string; team_id: string };
  api_app_id: string;
  token: string;
  container: { type: 'message'; message_ts: string; channel_id: string; is_ephemeral: false };
  trigger_id: string;
  team: { id: string; domain: string };
  channel: { id: string; name: string };
  message: Record<string, unknown>;
  state: { values: Record<string, unknown> };
  response_url: string;
  actions: BlockAction[];
}

export type BlockAction =
  | {
      type: 'button';
      action_id: string;
      block_id: string;
      text: unknown;
      value?: string;
      action_ts: string;
    }
  | {
      type: 'static_select';
      action_id: string;
      block_id: string;
      selected_option: { text: unknown; value: string };
      placeholder?: unknown;
      action_ts: string;
    };

/** What Slack sends when `user` clicks `action` on `message` in `channel`. */
export function blockActionsPayload(click: {
  user: { id: string; name: string };
  channel: { id: string; name: string };
  message: Record<string, unknown> & { ts: string };
  action: BlockAction;
  responseUrl: string;
}): BlockActionsPayload {
  return {
    type: 'block_actions',
    user: { id: click.user.id, username: click.user.name, name: click.user.name, team_id: SANDBOX_TEAM.id },
    api_app_id: SANDBOX_APP_ID,
    token: 'sandbox-verification-token',
    container: { type: 'message', message_ts: click.message.ts, channel_id: click.channel.id, is_ephemeral: false },
    trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
    team: { ...SANDBOX_TEAM },
    channel: click.channel,
    message: click.message,
    state: { values: {} },
    response_url: click.responseUrl,
    actions: [click.action],
  };
}

/**
 * The action a click on element `actionId` of the message's actions blocks produces; for a static_select, picking
 * the option whose value is `optionValue`. Throws naming what the message lacks.
 */
export function blockActionOn(
  message: { ts: string; blocks?: unknown[] },
  actionId: string,
  optionValue?: string,
): BlockAction {
  const actionTs = (Date.now() / 1000).toFixed(6);
  for (const block of (message.blocks ?? []) as Record<string, unknown>[]) {
    if (block.type !== 'actions' || !Array.isArray(block.elements)) continue;
    const blockId = typeof block.block_id === 'string' ? block.block_id : 'actions';
    for (const el of block.elements as Record<string, unknown>[]) {
      if (el.action_id !== actionId) continue;
      if (el.type === 'button') {
        return {
          type: 'button',
          action_id: actionId,
          block_id: blockId,
          text: el.text,
          ...(typeof el.value === 'string' ? { value: el.value } : {}),
          action_ts: actionTs,
        };
      }
      if (el.type === 'static_select') {
        const option = ((el.options ?? []) as { text: unknown; value: string }[]).find((o) => o.value === optionValue);
        if (!option) throw new Error(`element ${actionId} has no option with value ${optionValue}`);
        return {
          type: 'static_select',
          action_id: actionId,
          block_id: blockId,
          selected_option: option,
          placeholder: el.placeholder,
          action_ts: actionTs,
        };
      }
    }
  }
  throw new Error(`message ${message.ts} has no interactive element ${actionId}`);
}

/** The form body Slack sends: `payload=<url-encoded JSON>`. */
export function interactionFormBody(payload: BlockActionsPayload): string {
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Slack's request-signing headers for `body`, as the bridge must verify them. */
export function slackSignatureHeaders(
  body: string,
  signingSecret: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestampSeconds),
    'x-slack-signature': `v0=${signature}`,
  };
}
