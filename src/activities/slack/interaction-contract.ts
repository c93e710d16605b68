/**
 * The contract between the handoff DM's buttons (built by the Slack adapter) and the bridge that receives
 * Slack's `block_actions` payloads at POST /slack/interactions. Both sides import these names.
 *
 * Every interactive element on a handoff DM carries `value` = JSON of HandoffActionValue.
 */
export const SLACK_ACTIONS = {
  /** Button: accept the lead (runs the `accept` update). */
  accept: 'handoff_accept',
  /** static_select with the rejection picklist; option value = JSON HandoffActionValue with `reason` (runs `reject`). */
  reject: 'handoff_reject',
  /** Button: "I've reached out" (sends the `repActivity` signal, type slack_ack). */
  reachedOut: 'handoff_reached_out',
} as const;
export type SlackActionId = (typeof SLACK_ACTIONS)[keyof typeof SLACK_ACTIONS];

export interface HandoffActionValue {
  /** The handoff workflow id, e.g. mql-hubspot-1001. */
  wf: string;
  /** For the reject menu's options: the picklist value. */
  reason?: string;
}

/** Slack message metadata event type on every message the product posts (used for idempotency lookups). */
export const SLACK_METADATA_EVENT_TYPE = 'mql_handoff';

export function encodeActionValue(v: HandoffActionValue): string {
  return JSON.stringify(v);
}

/** Parses an action/option value; null when it is not one of ours. */
export function decodeActionValue(raw: string | undefined): HandoffActionValue | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === 'object' && typeof (v as HandoffActionValue).wf === 'string') {
      const { wf, reason } = v as HandoffActionValue;
      return reason === undefined ? { wf } : { wf, reason: String(reason) };
    }
  } catch {
    /* not ours */
  }
  return null;
}
