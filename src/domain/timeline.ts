/**
 * A handoff's story as it happened, entry by entry: what kind of step it was (for tools and tests), one line for
 * people, and the rung, stage or notice it concerns.
 */
import type { NoticeKind } from './brief';
import type { CurrentRung, LeadStage } from './handoff-rules';

/** What a timeline entry records; tests and tools read the kind, people read `event` and `detail`. */
export const TIMELINE_KINDS = [
  'mql_trigger',
  'qualified',
  'disqualified',
  'stage',
  'open_deal_found',
  'routed',
  'direct_owner_unavailable',
  'no_rep_available',
  'assigned',
  'deal_created',
  'rep_notified',
  'notify_failed',
  'dm_reposted',
  'returned_during_renurture',
  'notice',
  'rep_activity',
  'first_touch',
  'sla_rung',
  'decision_rung',
  'reassigned',
  'reassignment_found_nobody',
  'accepted',
  'rejected',
  'renurture_scheduled',
  're_evaluated',
  'recycled',
  'resumed',
  'step_failed',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  /** ISO-8601, workflow time. */
  at: string;
  /** Absent only on entries recorded before kinds existed (carried over from older runs). */
  kind?: TimelineKind;
  /** One line for people, e.g. "SLA rung: reminder". */
  event: string;
  detail?: string;
  /** The rung that fired (sla_rung, decision_rung), the stage entered (stage), the notice sent (notice). */
  rung?: CurrentRung;
  stage?: LeadStage;
  notice?: NoticeKind;
}
