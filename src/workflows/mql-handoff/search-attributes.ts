/**
 * What ops see in the Temporal UI, kept current at every transition: stage, owner, team, rung, the next
 * deadline, priority, lead type, MQL and first-touch times, rejection reason. No PII.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { SA } from '../definitions';
import type { HandoffState } from './state';

export function searchAttributesOf(s: HandoffState): SearchAttributeUpdatePair[] {
  const a = s.assignment;
  const pairs: SearchAttributeUpdatePair[] = [
    { key: SA.LeadStage, value: s.stage },
    { key: SA.SlaRung, value: s.rung },
    { key: SA.AssignedRep, value: a ? a.assignee.id : null },
    { key: SA.Team, value: a ? a.assignee.teamId : null },
    { key: SA.SlaDueAt, value: slaDueAt(s) },
  ];
  if (s.priority) pairs.push({ key: SA.Priority, value: s.priority });
  if (s.leadType) pairs.push({ key: SA.LeadType, value: s.leadType });
  // Always written, null included: a run continued as new (the next re-nurture cycle) inherits the last run's.
  pairs.push({ key: SA.MqlAt, value: s.mqlAt ? new Date(s.mqlAt) : null });
  pairs.push({ key: SA.FirstTouchAt, value: s.firstTouchAt ? new Date(s.firstTouchAt) : null });
  pairs.push({ key: SA.RejectReason, value: s.rejectReason });
  // Only once a notification was attempted under it: histories recorded before the attribute keep their commands.
  if (s.notifyFailed !== null) pairs.push({ key: SA.NotifyFailed, value: s.notifyFailed });
  pairs.push({ key: SA.HandoffCycle, value: s.cycle });
  if (s.lead) pairs.push({ key: SA.LeadSource, value: s.lead.source ?? s.lead.sourcedBy });
  pairs.push({ key: SA.SlaMissedBy, value: s.slaMissedBy.length > 0 ? [...s.slaMissedBy] : null });
  return pairs;
}

/** First touch due while awaiting it; the next decision rung while awaiting a decision; else none. */
function slaDueAt(s: HandoffState): Date | null {
  if (s.stage === 'awaiting_first_touch' && s.assignment) return new Date(s.assignment.slaDueAt);
  if (s.stage === 'awaiting_decision' && s.nextDeadline) return new Date(s.nextDeadline.at);
  return null;
}

export function publishSearchAttributes(s: HandoffState): void {
  upsertSearchAttributes(searchAttributesOf(s));
}
