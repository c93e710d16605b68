/**
 * The next rung of each ladder for the lead as it stands: the first-touch ladder of the current assignment, and
 * the decision ladder after first touch. Dates come from src/domain/sla.ts; this only reads the state.
 */
import { patched } from '@temporalio/workflow';
import { assigneeCalendar, type Assignee } from '../../domain/assignee';
import { calendarOf } from '../../domain/org';
import type { BusinessCalendar } from '../../domain/org-config';
import { planDecisionLadder, planLadder, type PlannedDecisionRung, type PlannedRung } from '../../domain/sla';
import type { HandoffContext } from './context';
import { PATCH_ASSIGNEE_CALENDAR } from './patches';
import type { Assignment } from './state';

/** The calendar the assignee's SLA counts in (histories recorded before the patch used the team calendar's zone). */
export function slaCalendar(h: HandoffContext, assignee: Assignee): BusinessCalendar {
  return patched(PATCH_ASSIGNEE_CALENDAR)
    ? assigneeCalendar(h.policy, assignee)
    : calendarOf(h.policy, assignee.teamId);
}

/** The next first-touch rung for the current rep, if any is left. */
export function nextFirstTouchRung(h: HandoffContext, a: Assignment): PlannedRung | undefined {
  const { s, policy } = h;
  return planLadder({
    ladder: policy.sla.ladders[s.leadType!],
    assignedAt: new Date(a.assignedAt),
    mqlAt: new Date(s.mqlAt!),
    calendar: slaCalendar(h, a.assignee),
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
    calendar: slaCalendar(h, a.assignee),
  }).filter((r) => !s.firedDecisionRungs.includes(r.rung))[0];
}
