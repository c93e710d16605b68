/**
 * The handoff's whole state: one serialisable object, so a long-lived lead can continue-as-new at any waiting
 * point and resume where it stopped. What the status query answers is derived from it.
 */
import type { Assignee } from '../../domain/assignee';
import type { HandoffBrief } from '../../domain/brief';
import type { LeadSnapshot, LeadType, Priority } from '../../domain/lead';
import type { Qualification } from '../../domain/qualification';
import type { RejectionReason, SlaRungKind } from '../../domain/vocabulary';
import type { ChatMessageRef } from '../activity-contracts';
import type {
  CurrentRung,
  HandoffOutcome,
  HandoffStatus,
  LeadStage,
  MqlHandoffInput,
  RepActivity,
  TimelineEntry,
} from '../definitions';

export interface Assignment {
  no: number;
  assignee: Assignee;
  assignedAt: string;
  slaDueAt: string;
  /** Claimed from the team roster (released when the lead leaves this rep). */
  claimed: boolean;
  taskId: string | null;
  chat: ChatMessageRef | null;
  /** Assignment-anchored rungs already fired for this rep. */
  fired: SlaRungKind[];
}

export interface HandoffState {
  workflowId: string;
  contactId: string;
  cycle: number;
  stage: LeadStage;
  lead: LeadSnapshot | null;
  leadType: LeadType | null;
  priority: Priority | null;
  qualification: Pick<Qualification, 'reasonForHandoff' | 'matchedBy'> | null;
  mqlAt: string | null;
  firstTouchAt: string | null;
  assignment: Assignment | null;
  previousAssignees: string[];
  autoReassignments: number;
  reassignments: number;
  /** MQL-anchored rungs (VP review) already fired, across reassignments. */
  firedMqlRungs: SlaRungKind[];
  /** Decision-ladder rungs already fired. */
  firedDecisionRungs: string[];
  rung: CurrentRung;
  nextDeadline: { what: string; at: string } | null;
  brief: HandoffBrief | null;
  /** The open deal the lead is attached to: one found for its account, or the one this handoff created. */
  dealId: string | null;
  /** The deal this handoff created (moves with the lead, closed lost on rejection); never a pre-existing one. */
  handoffDealId: string | null;
  salesRecordId: string | null;
  outcome: HandoffOutcome | null;
  rejectReason: RejectionReason | null;
  disqualificationReasons: string[];
  flags: string[];
  timeline: TimelineEntry[];
  /** External ids of rep activities already seen (bounded), so a re-delivered webhook counts once. */
  seenActivityIds: string[];
  /** Roster claims made so far: each claim gets its own idempotency key. */
  claims: number;
  /** A rep activity received while awaiting first touch, not yet handled (kept in state so continue-as-new keeps it). */
  pendingTouch: RepActivity | null;
  /** When the lead entered re-nurture: a new MQL event after this moment wakes it. */
  renurturingSince: string | null;
  /** Reps who held the lead past their first-touch deadline without touching it, in order. */
  slaMissedBy: string[];
  /** True when no channel reached the current assignee; null until a notification was attempted. */
  notifyFailed: boolean | null;
}

/** Input to resume a handoff from a continue-as-new at a waiting point. */
export interface MqlHandoffResume {
  state: HandoffState;
}

export function initialState(input: MqlHandoffInput, workflowId: string): HandoffState {
  return {
    workflowId,
    contactId: input.contactId,
    cycle: input.cycle ?? 0,
    stage: 'qualifying',
    lead: null,
    leadType: null,
    priority: null,
    qualification: null,
    mqlAt: null,
    firstTouchAt: null,
    assignment: null,
    previousAssignees: [],
    autoReassignments: 0,
    reassignments: 0,
    firedMqlRungs: [],
    firedDecisionRungs: [],
    rung: 'none',
    nextDeadline: null,
    brief: null,
    dealId: null,
    handoffDealId: null,
    salesRecordId: null,
    outcome: null,
    rejectReason: null,
    disqualificationReasons: [],
    flags: [],
    timeline: [...(input.carriedTimeline ?? [])],
    seenActivityIds: [],
    claims: 0,
    pendingTouch: null,
    renurturingSince: null,
    slaMissedBy: [],
    notifyFailed: null,
  };
}

/** State carried from a run that predates a field gets the field's initial value. */
export function upgradeState(s: HandoffState): HandoffState {
  s.pendingTouch ??= null;
  s.handoffDealId ??= null;
  s.renurturingSince ??= null;
  s.notifyFailed ??= null;
  s.slaMissedBy ??= [];
  return s;
}

function ownerKept(stage: HandoffState['stage']): boolean {
  return stage === 'awaiting_first_touch' || stage === 'awaiting_decision' || stage === 'accepted';
}

export function statusOf(s: HandoffState): HandoffStatus {
  const a = s.assignment;
  return {
    workflowId: s.workflowId,
    contactId: s.contactId,
    cycle: s.cycle,
    stage: s.stage,
    leadType: s.leadType,
    priority: s.priority,
    // Nobody owns a rejected, re-nurtured or recycled lead (the CRM owner was removed); the timeline keeps who did.
    owner: a && ownerKept(s.stage) ? { repId: a.assignee.id, name: a.assignee.name } : null,
    team: a?.assignee.teamId ?? null,
    rung: s.rung,
    nextDeadline: s.nextDeadline,
    mqlAt: s.mqlAt,
    slaDueAt: a?.slaDueAt ?? null,
    firstTouchAt: s.firstTouchAt,
    speedToContactMs: s.firstTouchAt && a ? Date.parse(s.firstTouchAt) - Date.parse(s.mqlAt ?? a.assignedAt) : null,
    reassignments: s.reassignments,
    slaMissedBy: [...s.slaMissedBy],
    outcome: s.outcome,
    rejectReason: s.rejectReason,
    disqualificationReasons: s.disqualificationReasons,
    flags: [...new Set(s.flags)],
    timeline: s.timeline,
  };
}
