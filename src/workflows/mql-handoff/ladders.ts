/**
 * The next rung of each ladder for the lead as it stands: the first-touch ladder of the current assignment, and
 * the decision ladder after first touch. Dates come from src/domain/sla.ts; this only reads the state.
 */
import { calendarOf } from '../../domain/org';
import { planDecisionLadder, planLadder, type PlannedDecisionRung, type PlannedRung } from '../../domain/sla';
import type { HandoffContext } from './context';
import type { Assignment } from './state';

/** The next first-touch rung for the current rep, if any is left. */
export function nextFirstTouchRung(h: HandoffContext, a: Assignment): PlannedRung | undefined {
  const { s, policy } = h;
  return planLadder({
    ladder: policy.sla.ladders[s.leadType!],
    assignedAt: new Date(a.assignedAt),
    mqlAt: new Date(s.mqlAt!),
    calendar: calendarOf(policy, a.assignee.teamId),
    reassignments: s.autoReassignments,
    maxReassignments: policy.sla.maxReassignments,
    fired: s.firedMqlRungs,
  }).filter((r) => !a.fired.includes(r.rung))[0];
}

/** The next decision rung after first touch, if any is left. */
export function nextDecisionRung(h: HandoffContext, a: Assignment): PlannedDecisionRung | undefined {
  const { s, policy } = h;
  return planDecisionLadder({
    decision: policy.sla.decision,
    firstTouchAt: new Date(s.firstTouchAt!),
    calendar: calendarOf(policy, a.assignee.teamId),
  }).filter((r) => !s.firedDecisionRungs.includes(r.rung))[0];
}
