/**
 * Everything outside a handoff needs to start and steer one: workflow ids, inputs, the signal, the updates, the
 * query and the search attributes. The bridge (src/client/bridge) and the ops CLI (src/client/cli) import only
 * this module; the workflows implement it.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CurrentRung, HandoffOutcome, LeadStage } from '../domain/handoff-rules';
import type { TimelineEntry } from '../domain/timeline';
import type { LeadType, Priority } from '../domain/lead';
import type { RosterCandidate, RosterState } from '../domain/round-robin';
import type { RejectionReason } from '../domain/vocabulary';
export type { RosterCandidate, RosterState } from '../domain/round-robin';

// ---------------------------------------------------------------------------------------------------------------
// Identity and input
// ---------------------------------------------------------------------------------------------------------------

export type LeadSource = 'hubspot';

/** One execution per open MQL: `mql-<source>-<contactId>`. */
export function handoffWorkflowId(source: LeadSource, contactId: string): string {
  return `mql-${source}-${contactId}`;
}

/** Parses `mql-hubspot-123` back into its parts; null when it is not a handoff id. */
export function parseHandoffWorkflowId(workflowId: string): { source: LeadSource; contactId: string } | null {
  const m = /^mql-(hubspot)-(.+)$/.exec(workflowId);
  return m ? { source: m[1] as LeadSource, contactId: m[2]! } : null;
}

export type TriggerKind = 'property_change' | 'contact_creation' | 'form_submission' | 'manual' | 'renurture';

export interface HandoffTrigger {
  kind: TriggerKind;
  /** When the source system says it happened (ISO-8601). */
  at: string;
  /** E.g. the property that changed, or the form's name. No PII. */
  detail?: string;
  /** The source's event id, for tracing duplicates. */
  eventId?: string;
}

export interface MqlHandoffInput {
  source: LeadSource;
  contactId: string;
  trigger: HandoffTrigger;
  /** 0 for the first handoff; +1 each time a re-nurtured lead is handed off again (continue-as-new). */
  cycle?: number;
  /** Carried across continue-as-new so the timeline keeps the lead's story. */
  carriedTimeline?: TimelineEntry[];
}

export const HANDOFF_WORKFLOW_TYPE = 'mqlHandoff';
export const TEAM_ROSTER_WORKFLOW_TYPE = 'teamRoster';

// ---------------------------------------------------------------------------------------------------------------
// Stages, outcomes, status
// ---------------------------------------------------------------------------------------------------------------

export { LEAD_STAGES } from '../domain/handoff-rules';
export type { CurrentRung, HandoffOutcome, LeadStage } from '../domain/handoff-rules';

export { TIMELINE_KINDS } from '../domain/timeline';
export type { TimelineEntry, TimelineKind } from '../domain/timeline';

export interface HandoffStatus {
  workflowId: string;
  contactId: string;
  cycle: number;
  stage: LeadStage;
  leadType: LeadType | null;
  priority: Priority | null;
  owner: { repId: string; name: string } | null;
  team: string | null;
  rung: CurrentRung;
  /** The next thing that will happen if nobody acts. */
  nextDeadline: { what: string; at: string } | null;
  mqlAt: string | null;
  slaDueAt: string | null;
  firstTouchAt: string | null;
  /** MQL (assignment) → first touch, ms. */
  speedToContactMs: number | null;
  reassignments: number;
  /** Reps who let the first-touch deadline pass without touching the lead. */
  slaMissedBy: string[];
  outcome: HandoffOutcome | null;
  rejectReason: RejectionReason | null;
  disqualificationReasons: string[];
  /** Flagged for VP/ops review, or routed to a manager because no rep was available. */
  flags: string[];
  timeline: TimelineEntry[];
}

export interface HandoffResult {
  outcome: HandoffOutcome;
  status: HandoffStatus;
}

// ---------------------------------------------------------------------------------------------------------------
// Steering: signal, updates, query
// ---------------------------------------------------------------------------------------------------------------

export const REP_ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note', 'task', 'slack_ack'] as const;
export type RepActivityType = (typeof REP_ACTIVITY_TYPES)[number];

export interface RepActivity {
  type: RepActivityType;
  /** Where the activity was logged. */
  source: 'hubspot' | 'salesforce' | 'slack' | 'cli';
  /** When it happened per the source (ISO-8601); the workflow uses its own clock when absent. */
  at?: string;
  /** The rep who acted, when the source says (rep id from the org config). */
  repId?: string;
  /** The source's engagement/task id, so duplicates are recognised. */
  externalId?: string;
}

/** A rep logged a call/email/meeting/note, or clicked "I've reached out": stops the SLA ladder. */
export const repActivitySignal = defineSignal<[RepActivity]>('repActivity');

/**
 * A new MQL event for a contact whose handoff is running. A lead in re-nurture wakes on it (when the event happened
 * after the rejection) and is re-qualified at once; an open handoff ignores it (it reads the CRM itself).
 */
export const mqlReturnedSignal = defineSignal<[{ trigger: HandoffTrigger }]>('mqlReturned');

export interface AcceptInput {
  repId: string;
  note?: string;
}
export interface RejectInput {
  repId: string;
  /** A value of the rejection picklist. */
  reason: string;
  note?: string;
}
export interface DecisionResult {
  stage: LeadStage;
  at: string;
}
/** Sales accepts the lead: it becomes an SQL. Refused (state untouched) when the rep is not the owner or no decision is pending. */
export const acceptUpdate = defineUpdate<DecisionResult, [AcceptInput]>('accept');
/** Sales rejects with a picklist reason. Refused for an unknown reason, a rep who is not the owner, or no pending decision. */
export const rejectUpdate = defineUpdate<DecisionResult, [RejectInput]>('reject');

export interface ReassignInput {
  /** A named rep; the next available rep of the owner's team when absent. */
  toRepId?: string;
  reason: string;
  /** Who asked (ops user, CLI). */
  requestedBy: string;
}
export interface ReassignResult {
  fromRepId: string;
  toRepId: string;
  at: string;
}
/** Ops hands the lead to another rep. Refused for an unknown/unavailable rep, the current owner, or a closed lead. */
export const reassignUpdate = defineUpdate<ReassignResult, [ReassignInput]>('reassign');

export const statusQuery = defineQuery<HandoffStatus>('status');

// ---------------------------------------------------------------------------------------------------------------
// Search attributes: how ops find stuck leads in the Temporal UI, e.g.
//   LeadStage = "awaiting_first_touch" AND SlaDueAt < "2026-11-21T15:00:00Z"
// ---------------------------------------------------------------------------------------------------------------

export const SA = {
  LeadStage: defineSearchAttributeKey('LeadStage', SearchAttributeType.KEYWORD),
  AssignedRep: defineSearchAttributeKey('AssignedRep', SearchAttributeType.KEYWORD),
  Team: defineSearchAttributeKey('Team', SearchAttributeType.KEYWORD),
  SlaRung: defineSearchAttributeKey('SlaRung', SearchAttributeType.KEYWORD),
  SlaDueAt: defineSearchAttributeKey('SlaDueAt', SearchAttributeType.DATETIME),
  Priority: defineSearchAttributeKey('Priority', SearchAttributeType.KEYWORD),
  LeadType: defineSearchAttributeKey('LeadType', SearchAttributeType.KEYWORD),
  MqlAt: defineSearchAttributeKey('MqlAt', SearchAttributeType.DATETIME),
  FirstTouchAt: defineSearchAttributeKey('FirstTouchAt', SearchAttributeType.DATETIME),
  RejectReason: defineSearchAttributeKey('RejectReason', SearchAttributeType.KEYWORD),
  /** True when no channel (Slack DM, email) reached the assignee; the manager was told. */
  NotifyFailed: defineSearchAttributeKey('NotifyFailed', SearchAttributeType.BOOL),
  // For the handoff-health metrics (src/domain/handoff-health.ts), read back through visibility:
  /** 0 for the first handoff of an MQL, +1 for each re-nurture cycle. */
  HandoffCycle: defineSearchAttributeKey('HandoffCycle', SearchAttributeType.INT),
  /** Where the lead came from (HubSpot's original source, e.g. ORGANIC_SEARCH; else inbound/outbound). */
  LeadSource: defineSearchAttributeKey('LeadSource', SearchAttributeType.KEYWORD),
  /**
   * Reps who held the lead past their first-touch deadline without touching it: the lead met its SLA when it was
   * touched and this is empty. (SQL visibility stores allow 3 Datetime attributes, so no second deadline.)
   */
  SlaMissedBy: defineSearchAttributeKey('SlaMissedBy', SearchAttributeType.KEYWORD_LIST),
} as const;

const CLI_TYPES: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** For registering on a server: `temporal operator search-attribute create --name X --type Keyword`. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: { name: string; type: SearchAttributeType; cliType: string }[] =
  Object.values(SA).map((k) => ({
    name: k.name,
    type: k.type,
    cliType: CLI_TYPES[k.type]!,
  }));

// ---------------------------------------------------------------------------------------------------------------
// Team roster: one entity workflow per team holds round-robin state and open-lead counts.
// ---------------------------------------------------------------------------------------------------------------

/**
 * `scope` separates rosters that must not share state on one cluster (e.g. two deployments in one namespace, or
 * test runs); production leaves it empty.
 */
export function teamRosterWorkflowId(teamId: string, scope = ''): string {
  return scope ? `team-roster-${scope}-${teamId}` : `team-roster-${teamId}`;
}

export interface ClaimRepInput {
  /** Idempotency key: the same key always gets the same answer. */
  claimKey: string;
  /** The lead the rep is claimed for (workflow id). */
  leadId: string;
  candidates: RosterCandidate[];
  /** Reps that must not be picked (e.g. the rep being reassigned away from). */
  exclude?: string[];
}

export interface ClaimRepResult {
  repId: string | null;
  /** Open leads of the chosen rep after this claim. */
  openLeads: number;
}

export const claimRepUpdate = defineUpdate<ClaimRepResult, [ClaimRepInput]>('claimRep');
/** Several claims in one update, applied in order as if one after the other: one answer per claim, same order. */
export const claimRepsUpdate = defineUpdate<ClaimRepResult[], [{ claims: ClaimRepInput[] }]>('claimReps');
/** The lead is no longer open for that rep (accepted, rejected, reassigned away, closed). */
export const releaseRepSignal = defineSignal<[{ repId: string; leadId: string }]>('releaseRep');
export const rosterStateQuery = defineQuery<RosterState>('rosterState');
