import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import { calendarOf } from '../../src/domain/org';
import type { SlaLadder, SlaRungKind } from '../../src/domain/org-config';
import { addSlaDuration, firstTouchDueAt, planDecisionLadder, planLadder } from '../../src/domain/sla';

const config = loadOrgConfigFile(resolveOrgConfigPath({}));
// America/New_York, 08:00–17:00 Mon–Fri, Thanksgiving 2026-11-26 is a holiday.
const usEast = calendarOf(config, 'sdr-inbound');
const { demo_request: demoLadder, behavioral: behavioralLadder, outbound: outboundLadder } = config.sla.ladders;
const iso = (local: string): string => new Date(local).toISOString();

describe('firstTouchDueAt (business hours of the team calendar)', () => {
  it.each([
    [
      'demo request, 4 h, Friday 15:00 → Monday 10:00',
      demoLadder,
      '2026-11-20T15:00:00-05:00',
      '2026-11-23T10:00:00-05:00',
    ],
    [
      'demo request assigned Saturday → Monday 12:00',
      demoLadder,
      '2026-11-21T09:00:00-05:00',
      '2026-11-23T12:00:00-05:00',
    ],
    [
      'behavioral, 24 h, Monday 08:00 → Wednesday 14:00',
      behavioralLadder,
      '2026-11-16T08:00:00-05:00',
      '2026-11-18T14:00:00-05:00',
    ],
    [
      'outbound, 48 h, Monday 08:00 → next Monday 11:00',
      outboundLadder,
      '2026-11-16T08:00:00-05:00',
      '2026-11-23T11:00:00-05:00',
    ],
    ['behavioral skips Thanksgiving', behavioralLadder, '2026-11-25T08:00:00-05:00', '2026-11-30T14:00:00-05:00'],
  ])('%s', (_case, ladder, assignedAt, due) => {
    expect(firstTouchDueAt(ladder, new Date(assignedAt), usEast).toISOString()).toBe(iso(due));
  });
});

describe('planLadder', () => {
  const base = {
    calendar: usEast,
    reassignments: 0,
    maxReassignments: config.sla.maxReassignments,
    fired: [] as SlaRungKind[],
  };

  it('plans the demo-request ladder in business hours from assignment, VP review from the MQL', () => {
    const plan = planLadder({
      ...base,
      ladder: demoLadder,
      assignedAt: new Date('2026-11-18T10:00:00-05:00'),
      mqlAt: new Date('2026-11-18T09:58:00-05:00'),
    });
    expect(plan).toEqual([
      { rung: 'reminder', at: iso('2026-11-18T10:30:00-05:00') },
      { rung: 'manager_escalation', at: iso('2026-11-18T12:00:00-05:00') },
      { rung: 'reassignment', at: iso('2026-11-18T14:00:00-05:00') },
      // 24 business hours from Wednesday 09:58: Wed 7 h 02, Thu 9 h, Fri 7 h 58 → Friday 15:58.
      { rung: 'vp_review', at: iso('2026-11-20T15:58:00-05:00') },
    ]);
  });

  it('a Friday 16:00 demo request is not reassigned or sent to VP review over the weekend', () => {
    const at = { assignedAt: new Date('2026-11-20T16:00:00-05:00'), mqlAt: new Date('2026-11-20T16:00:00-05:00') };
    expect(planLadder({ ...base, ladder: demoLadder, ...at })).toEqual([
      { rung: 'reminder', at: iso('2026-11-20T16:30:00-05:00') },
      // Friday 16:00–17:00 is one hour; the second is Monday 08:00–09:00.
      { rung: 'manager_escalation', at: iso('2026-11-23T09:00:00-05:00') },
      { rung: 'reassignment', at: iso('2026-11-23T11:00:00-05:00') },
      // Fri 1 h, Mon 9 h, Tue 9 h, Wed 5 h.
      { rung: 'vp_review', at: iso('2026-11-25T13:00:00-05:00') },
    ]);
    // A rung marked wall-clock still fires at night.
    const wallClock: SlaLadder = {
      ...demoLadder,
      rungs: demoLadder.rungs.map((r) => (r.rung === 'reassignment' ? { ...r, clock: 'elapsed' as const } : r)),
    };
    expect(planLadder({ ...base, ladder: wallClock, ...at }).find((r) => r.rung === 'reassignment')?.at).toBe(
      iso('2026-11-20T20:00:00-05:00'),
    );
  });

  it('plans the behavioral ladder in business hours, across the weekend', () => {
    const plan = planLadder({
      ...base,
      ladder: behavioralLadder,
      assignedAt: new Date('2026-11-20T16:00:00-05:00'),
      mqlAt: new Date('2026-11-20T16:00:00-05:00'),
    });
    expect(plan).toEqual([
      { rung: 'reminder', at: iso('2026-11-23T11:00:00-05:00') },
      { rung: 'manager_escalation', at: iso('2026-11-24T14:00:00-05:00') },
      // 24 business hours: Fri 1 h, Mon 9 h, Tue 9 h, Wed 5 h (Thanksgiving is Thursday).
      { rung: 'reassignment', at: iso('2026-11-25T13:00:00-05:00') },
      // 40 business hours: … Wed 9 h, Fri 27th 9 h, Monday 30th 3 h.
      { rung: 'vp_review', at: iso('2026-11-30T11:00:00-05:00') },
    ]);
  });

  it.each([
    ['before any reassignment', 0, ['reminder', 'manager_escalation', 'reassignment', 'vp_review']],
    ['once the limit is reached', 1, ['reminder', 'manager_escalation', 'vp_review']],
    ['past the limit', 3, ['reminder', 'manager_escalation', 'vp_review']],
  ])('keeps the reassignment rung only below maxReassignments: %s', (_case, reassignments, rungs) => {
    const plan = planLadder({
      ...base,
      ladder: demoLadder,
      reassignments,
      assignedAt: new Date('2026-11-18T10:00:00-05:00'),
      mqlAt: new Date('2026-11-18T10:00:00-05:00'),
    });
    expect(plan.map((r) => r.rung)).toEqual(rungs);
  });

  it('restarts assignment rungs for a new rep but fires the MQL-anchored VP review once', () => {
    const mqlAt = new Date('2026-11-18T10:00:00-05:00');
    const afterReassignment = planLadder({
      ...base,
      ladder: demoLadder,
      mqlAt,
      assignedAt: new Date('2026-11-18T14:00:00-05:00'),
      reassignments: 1,
      fired: ['reminder', 'manager_escalation', 'reassignment'],
    });
    expect(afterReassignment).toEqual([
      { rung: 'reminder', at: iso('2026-11-18T14:30:00-05:00') },
      { rung: 'manager_escalation', at: iso('2026-11-18T16:00:00-05:00') },
      // 24 business hours from Wednesday 10:00: Wed 7 h, Thu 9 h, Fri 8 h → Friday 16:00.
      { rung: 'vp_review', at: iso('2026-11-20T16:00:00-05:00') },
    ]);

    const afterVpReview = planLadder({
      ...base,
      ladder: demoLadder,
      mqlAt,
      assignedAt: new Date('2026-11-19T11:00:00-05:00'),
      reassignments: 1,
      fired: ['reminder', 'manager_escalation', 'reassignment', 'vp_review'],
    });
    expect(afterVpReview.map((r) => r.rung)).toEqual(['reminder', 'manager_escalation']);
  });

  it('sorts by time: an MQL-anchored rung can come before assignment rungs', () => {
    const plan = planLadder({
      ...base,
      ladder: demoLadder,
      mqlAt: new Date('2026-11-18T10:00:00-05:00'),
      // VP review is due Friday 16:00; a rep assigned Friday 15:45 is reminded at 16:15.
      assignedAt: new Date('2026-11-20T15:45:00-05:00'),
    });
    expect(plan.map((r) => r.rung)).toEqual(['vp_review', 'reminder', 'manager_escalation', 'reassignment']);
  });

  it('keeps configuration order for rungs due at the same moment', () => {
    const ladder: SlaLadder = {
      firstTouchWithin: '4h',
      rungs: [
        { rung: 'manager_escalation', after: '1h', clock: 'elapsed', from: 'assignment' },
        { rung: 'reminder', after: '1h', clock: 'elapsed', from: 'assignment' },
      ],
    };
    const at = new Date('2026-11-18T10:00:00-05:00');
    expect(planLadder({ ...base, ladder, assignedAt: at, mqlAt: at }).map((r) => r.rung)).toEqual([
      'manager_escalation',
      'reminder',
    ]);
  });
});

describe('planDecisionLadder', () => {
  it.each([
    [
      'business days skip the weekend',
      'business' as const,
      '2026-11-17T10:00:00-05:00',
      '2026-11-19T10:00:00-05:00',
      '2026-11-24T10:00:00-05:00',
    ],
    [
      'business days skip Thanksgiving',
      'business' as const,
      '2026-11-23T10:00:00-05:00',
      '2026-11-25T10:00:00-05:00',
      '2026-12-01T10:00:00-05:00',
    ],
    [
      'elapsed days are 24 h each',
      'elapsed' as const,
      '2026-11-20T10:00:00-05:00',
      '2026-11-22T10:00:00-05:00',
      '2026-11-25T10:00:00-05:00',
    ],
  ])('%s', (_case, clock, firstTouchAt, escalation, review) => {
    const plan = planDecisionLadder({
      decision: { escalateAfter: '2d', reviewAfter: '5d', clock },
      firstTouchAt: new Date(firstTouchAt),
      calendar: usEast,
    });
    expect(plan).toEqual([
      { rung: 'decision_escalation', at: iso(escalation) },
      { rung: 'decision_review', at: iso(review) },
    ]);
  });

  it('sorts by time when review is configured before escalation', () => {
    const plan = planDecisionLadder({
      decision: { escalateAfter: '3d', reviewAfter: '1d', clock: 'business' },
      firstTouchAt: new Date('2026-11-17T10:00:00-05:00'),
      calendar: usEast,
    });
    expect(plan.map((r) => r.rung)).toEqual(['decision_review', 'decision_escalation']);
  });
});

describe('addSlaDuration', () => {
  const start = new Date('2026-11-17T10:00:00-05:00');
  it.each([
    ['30m', 'elapsed' as const, '2026-11-17T10:30:00-05:00'],
    ['1d4h', 'elapsed' as const, '2026-11-18T14:00:00-05:00'],
    ['1d4h', 'business' as const, '2026-11-18T14:00:00-05:00'],
    ['1d8h', 'business' as const, '2026-11-19T09:00:00-05:00'],
    ['10h', 'business' as const, '2026-11-18T11:00:00-05:00'],
  ])('%s on the %s clock', (duration, clock, expected) => {
    expect(addSlaDuration(start, duration, clock, usEast).toISOString()).toBe(iso(expected));
  });

  it.each([
    ['a bad duration', start, '4 hours', /invalid duration "4 hours"/],
    ['an invalid start', new Date('nope'), '4h', /SLA start must be a valid Date/],
  ])('rejects %s', (_case, from, duration, message) => {
    expect(() => addSlaDuration(from, duration, 'business', usEast)).toThrow(message);
  });
});
