/**
 * The handoff's own rules, apart from qualification, routing and the ladder's dates: the lead's stages, who may
 * decide or reassign in which stage, what each SLA rung does, and the texts written to the CRM. Pure: the workflow
 * applies them; nothing here performs a side effect.
 */
import { formatInZone } from './business-hours';
import type { NoticeKind } from './brief';
import { fullName, type LeadSnapshot } from './lead';
import { findRep } from './org';
import type { OrgConfig } from './org-config';
import { validateRejectReason } from './rejection';
import { isOutOfOffice } from './routing';
import type { DecisionRungKind } from './sla';
import type { SlaRungKind } from './vocabulary';

// ---------------------------------------------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------------------------------------------

export const LEAD_STAGES = [
  'qualifying',
  'routing',
  'awaiting_first_touch',
  'awaiting_decision',
  'renurturing',
  'accepted',
  'rejected',
  'recycled',
  'disqualified',
] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];

export type HandoffOutcome = 'accepted' | 'rejected' | 'recycled' | 'disqualified';

/** Rungs of the first-touch ladder plus the decision ladder's two. `none` before any fired. */
export type CurrentRung = 'none' | LadderRung;
export type LadderRung = SlaRungKind | DecisionRungKind;

/** The stages in which a rep owns the lead and sales can still decide or ops reassign. */
export function isOpenForSales(stage: LeadStage): boolean {
  return stage === 'awaiting_first_touch' || stage === 'awaiting_decision';
}

// ---------------------------------------------------------------------------------------------------------------
// Guards: null when the request may go ahead, else the reason it is refused (shown to the rep or ops as is).
// ---------------------------------------------------------------------------------------------------------------

export interface LeadStanding {
  workflowId: string;
  stage: LeadStage;
  /** The assignee's id, if anybody holds the lead. */
  ownerId: string | null;
}

export function decisionRefusal(
  lead: LeadStanding & { decisionInProgress: 'accept' | 'reject' | null },
  repId: string,
): string | null {
  if (!isOpenForSales(lead.stage)) return `lead ${lead.workflowId} is not awaiting a decision (stage: ${lead.stage})`;
  if (lead.decisionInProgress)
    return `a ${lead.decisionInProgress} decision is already being recorded for ${lead.workflowId}`;
  if (lead.ownerId !== repId)
    return `rep "${repId}" is not the owner of ${lead.workflowId} (owner: ${lead.ownerId ?? 'nobody'})`;
  return null;
}

/** A reason must be on the picklist, which is only known once the policy is loaded. */
export function rejectReasonRefusal(policy: OrgConfig | null, reason: string): string | null {
  return policy ? validateRejectReason(policy, reason) : 'the handoff policy is not loaded yet';
}

export function reassignRefusal(
  lead: LeadStanding & { reassignInProgress: boolean },
  request: { toRepId?: string; reason?: string },
  policy: OrgConfig | null,
  now: Date,
): string | null {
  if (!isOpenForSales(lead.stage)) return `lead ${lead.workflowId} cannot be reassigned in stage ${lead.stage}`;
  if (lead.reassignInProgress) return `a reassignment of ${lead.workflowId} is already in progress`;
  if (!request.reason?.trim()) return 'reason: expected a non-empty reason for the reassignment';
  if (request.toRepId !== undefined) {
    const found = policy && findRep(policy, request.toRepId);
    if (!found) return `unknown rep "${request.toRepId}"`;
    if (request.toRepId === lead.ownerId) return `rep "${request.toRepId}" already owns ${lead.workflowId}`;
    if (isOutOfOffice(found.rep, now)) return `rep "${request.toRepId}" is out of office`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// What each rung of the ladders does
// ---------------------------------------------------------------------------------------------------------------

export type NoticeAudience = 'assignee' | 'manager' | 'reviewer';

export interface RungNotice {
  kind: NoticeKind;
  to: NoticeAudience;
  /** The idempotency step of the notice for assignment number `no`: one notice per rung per assignment. */
  step: (no: number) => string;
}

export interface RungAction {
  /** The moment "waited …" in the notice counts from. */
  waitedSince: 'assignment' | 'mql' | 'first_touch';
  /** Raised on the lead (status flags) when the rung fires. */
  flag?: string;
  /** Hand the lead to the next available rep; `ifNobody` happens when nobody can take it. */
  reassigns?: { ifNobody: { flag: string; notice: RungNotice } };
  /** Who hears about it (after the reassignment, for the reassignment rung). */
  notice?: RungNotice;
}

export const RUNG_ACTIONS: Record<LadderRung, RungAction> = {
  reminder: { waitedSince: 'assignment', notice: { kind: 'reminder', to: 'assignee', step: (no) => `reminder-${no}` } },
  manager_escalation: {
    waitedSince: 'assignment',
    notice: { kind: 'manager_escalation', to: 'manager', step: (no) => `escalation-${no}` },
  },
  reassignment: {
    waitedSince: 'assignment',
    reassigns: {
      ifNobody: {
        flag: 'reassignment_found_nobody',
        notice: { kind: 'manager_escalation', to: 'manager', step: (no) => `escalation-nobody-${no}` },
      },
    },
  },
  vp_review: {
    waitedSince: 'mql',
    flag: 'vp_review',
    notice: { kind: 'vp_review', to: 'reviewer', step: () => 'vp-review' },
  },
  decision_escalation: {
    waitedSince: 'first_touch',
    notice: { kind: 'decision_overdue', to: 'manager', step: (no) => `decision-escalation-${no}` },
  },
  decision_review: {
    waitedSince: 'first_touch',
    flag: 'decision_review',
    notice: { kind: 'decision_review', to: 'reviewer', step: (no) => `decision-review-${no}` },
  },
};

/** Why the reassignment rung moves a lead. */
export const SLA_REASSIGNMENT_REASON = 'no first touch within the SLA';

// ---------------------------------------------------------------------------------------------------------------
// What the handoff writes to the CRM
// ---------------------------------------------------------------------------------------------------------------

/** A deal at stage MQL comes with the first assignment of a high-intent lead that has no open deal. */
export function createsDeal(args: {
  assignmentNo: number;
  matchedBy: 'scores' | 'high_intent' | null;
  hasDeal: boolean;
}): boolean {
  return args.assignmentNo === 1 && args.matchedBy === 'high_intent' && !args.hasDeal;
}

export function inboundDealName(lead: LeadSnapshot): string {
  return `${lead.company?.name ?? fullName(lead)} — inbound MQL`;
}

export function followUpTaskSubject(lead: LeadSnapshot): string {
  return `Follow up: ${fullName(lead)}${lead.company?.name ? ` (${lead.company.name})` : ''} — new MQL`;
}

export function followUpTaskBody(reasonForHandoff: string | null, dueAt: Date, timeZone: string): string {
  return `${reasonForHandoff ?? 'New MQL'}. First touch due ${formatInZone(dueAt, timeZone)}.`;
}
