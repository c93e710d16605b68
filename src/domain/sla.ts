/**
 * The SLA ladder as plain dates: when first touch is due, and when each rung (reminder, manager escalation,
 * reassignment, VP review) and each decision rung fires. The workflow sleeps until these instants.
 */
import { addBusinessTime, workingDayMs } from './business-hours';
import { parseDurationMs } from './duration';
import type { BusinessCalendar, SlaLadder, SlaPolicy } from './org-config';
import type { SlaRungKind } from './vocabulary';

export interface PlannedRung {
  rung: SlaRungKind;
  /** ISO-8601 UTC. */
  at: string;
}

export type DecisionRungKind = 'decision_escalation' | 'decision_review';

export interface PlannedDecisionRung {
  rung: DecisionRungKind;
  /** ISO-8601 UTC. */
  at: string;
}

/**
 * `start` plus a configured duration. On the `elapsed` clock it is wall-clock time. On the `business` clock hours,
 * minutes and seconds count working time of `calendar`, and each day ("2d") is one working day of it, so "2d" with
 * 08:00–17:00 hours means two working days (18 business hours), not 48 business hours.
 */
export function addSlaDuration(
  start: Date,
  duration: string,
  clock: 'elapsed' | 'business',
  calendar: BusinessCalendar,
): Date {
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) {
    throw new RangeError(`SLA start must be a valid Date, got ${String(start)}`);
  }
  const totalMs = parseDurationMs(duration);
  if (clock === 'elapsed') return new Date(start.getTime() + totalMs);
  const days = Number(/^(\d+)d/.exec(duration.trim())?.[1] ?? 0);
  const withinDaysMs = totalMs - days * 86_400_000;
  return addBusinessTime(start, days * workingDayMs(calendar) + withinDaysMs, calendar);
}

/** The first-touch deadline: `ladder.firstTouchWithin` of business time after assignment. */
export function firstTouchDueAt(ladder: SlaLadder, assignedAt: Date, cal: BusinessCalendar): Date {
  return addSlaDuration(assignedAt, ladder.firstTouchWithin, 'business', cal);
}

/**
 * When each rung of the ladder fires for the current rep, earliest first (config order on ties). The
 * `reassignment` rung is left out once the lead has been reassigned `maxReassignments` times; rungs anchored on
 * the MQL moment that already fired (`fired`) are left out, so the VP review fires once however often the ladder
 * restarts for a new rep. Rungs anchored on the assignment are always planned: the ladder restarts with the rep.
 */
export function planLadder(args: {
  ladder: SlaLadder;
  assignedAt: Date;
  mqlAt: Date;
  calendar: BusinessCalendar;
  reassignments: number;
  maxReassignments: number;
  fired: SlaRungKind[];
}): PlannedRung[] {
  const { ladder, assignedAt, mqlAt, calendar, reassignments, maxReassignments, fired } = args;
  return ladder.rungs
    .filter((r) => !(r.rung === 'reassignment' && reassignments >= maxReassignments))
    .filter((r) => !(r.from === 'mql' && fired.includes(r.rung)))
    .map((r) => ({
      rung: r.rung,
      at: addSlaDuration(r.from === 'mql' ? mqlAt : assignedAt, r.after, r.clock, calendar),
    }))
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((r) => ({ rung: r.rung, at: r.at.toISOString() }));
}

/**
 * After first touch, sales must accept or reject: `escalateAfter` tells the rep's manager, `reviewAfter` flags the
 * lead for the VP. Earliest first.
 */
export function planDecisionLadder(args: {
  decision: SlaPolicy['decision'];
  firstTouchAt: Date;
  calendar: BusinessCalendar;
}): PlannedDecisionRung[] {
  const { decision, firstTouchAt, calendar } = args;
  const rungs: { rung: DecisionRungKind; after: string }[] = [
    { rung: 'decision_escalation', after: decision.escalateAfter },
    { rung: 'decision_review', after: decision.reviewAfter },
  ];
  return rungs
    .map((r) => ({ rung: r.rung, at: addSlaDuration(firstTouchAt, r.after, decision.clock, calendar) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((r) => ({ rung: r.rung, at: r.at.toISOString() }));
}
