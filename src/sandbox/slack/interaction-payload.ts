/**
 * What Slack POSTs to the app's interactivity Request URL when someone clicks a button or picks an option:
 * a `block_actions` payload, form-encoded as `payload=<json>`, signed with the app's signing secret
 * (`X-Slack-Signature: v0=hex(hmac_sha256(secret, "v0:" + timestamp + ":" + body))`). The emulator builds these
 * from the real stored message so bridge tests click what the adapter actually posted.
 */
import { createHmac } from 'node:crypto';

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
