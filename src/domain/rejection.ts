/**
 * The rejection picklist: the only reasons sales may give for sending an MQL back, each with its re-nurture track
 * (HubSpot list, lead status, whether it is re-evaluated later), all from configuration.
 */
import type { OrgConfig } from './org-config';
import type { RejectionReason } from './vocabulary';

export type RejectionTrack = OrgConfig['rejection']['reasons'][number];

/** Value and label of each configured reason, in configuration order: the rep's Reject menu. */
export function rejectionPicklist(config: OrgConfig): { value: RejectionReason; label: string }[] {
  return config.rejection.reasons.map((r) => ({ value: r.reason, label: r.label }));
}

/** The re-nurture track for `reason`, or null when it is not on the picklist. */
export function rejectionTrack(config: OrgConfig, reason: string): RejectionTrack | null {
  return config.rejection.reasons.find((r) => r.reason === reason) ?? null;
}

/** Null when `reason` is on the picklist; otherwise a message naming the value and the allowed values. */
export function validateRejectReason(config: OrgConfig, reason: string): string | null {
  if (rejectionTrack(config, reason)) return null;
  const allowed = config.rejection.reasons.map((r) => r.reason).join(', ');
  return `rejection reason ${JSON.stringify(reason)} is not on the picklist; expected one of: ${allowed}`;
}
