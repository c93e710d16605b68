/**
 * A small week placed by hand (2026-W48 in New York: Mon 23 Nov 00:00 EST to Mon 30 Nov 00:00 EST) and the figures
 * worked out from the table below, not from the code under test.
 */
import {
  healthFigures,
  healthReport,
  isoWeekOf,
  shiftWeek,
  weekWindow,
  type HandoffRecord,
} from '../../src/domain/handoff-health';
import { healthSchema } from '../../src/domain/org-config';

const NY = 'America/New_York';
const MIN = 60_000;
const H = 60 * MIN;
const policy = healthSchema.parse({ digest: { timeZone: NY } });

function rec(r: Partial<HandoffRecord> & { workflowId: string; mqlAt: string | null }): HandoffRecord {
  return {
    cycle: 0,
    stage: 'accepted',
    firstTouchAt: null,
    slaDueAt: null,
    slaMissedBy: [],
    rejectReason: null,
    rep: 'rep-ana',
    team: 'sdr-inbound',
    leadType: 'demo_request',
    source: 'ORGANIC_SEARCH',
    closedAt: null,
    ...r,
  };
}
/** The first touch `minutes` after an MQL at `mqlAt`. */
const after = (mqlAt: string, minutes: number) => new Date(Date.parse(mqlAt) + minutes * MIN).toISOString();

// EST is UTC−5 all week.
const M = {
  r1: '2026-11-23T14:00:00Z', // Mon 09:00
  r2: '2026-11-23T15:00:00Z', // Mon 10:00
  r3: '2026-11-24T16:00:00Z', // Tue 11:00
  r4: '2026-11-24T19:00:00Z', // Tue 14:00
  r5: '2026-11-25T14:00:00Z', // Wed 09:00
  r6: '2026-11-25T21:00:00Z', // Wed 16:00
  r7: '2026-11-26T15:00:00Z', // Thu 10:00
  r8: '2026-11-27T20:00:00Z', // Fri 15:00
  r9: '2026-11-28T17:00:00Z', // Sat 12:00
  r10: '2026-11-30T01:00:00Z', // Sun 29 Nov 20:00 EST: still in the week
};

//  #   touch after  SLA missed by   stage           reason            rep      type        cycle
//  1   4 min        —               accepted                          ana      demo        0
//  2   6 min        —               accepted                          ana      demo        0
//  3   12 min       —               rejected        wrong_title       ben      demo        0
//  4   30 min       —               accepted                          ben      demo        0
//  5   3 min        —               renurturing     timing_not_right  chloe    demo        0
//  6   300 min      dev             accepted                          dev      behavioral  0
//  7   none         ana             awaiting touch                    ben      behavioral  0   (reassigned, overdue)
//  8   49 h         ben             accepted                          ben      behavioral  0
//  9   8 min        —               accepted                          chloe    behavioral  1   (handed off again)
// 10   10 min       —               rejected        no_budget_signal  dev      behavioral  0
// plus: last week's lead (touch 20 min, accepted), a lead recycled on Wed 25 Nov (re-evaluated this week), and a
// lead from the next week.
const week: HandoffRecord[] = [
  rec({ workflowId: 'w1', mqlAt: M.r1, firstTouchAt: after(M.r1, 4) }),
  rec({ workflowId: 'w2', mqlAt: M.r2, firstTouchAt: after(M.r2, 6) }),
  rec({
    workflowId: 'w3',
    mqlAt: M.r3,
    firstTouchAt: after(M.r3, 12),
    stage: 'rejected',
    rejectReason: 'wrong_title',
    rep: 'rep-ben',
  }),
  rec({ workflowId: 'w4', mqlAt: M.r4, firstTouchAt: after(M.r4, 30), rep: 'rep-ben' }),
  rec({
    workflowId: 'w5',
    mqlAt: M.r5,
    firstTouchAt: after(M.r5, 3),
    stage: 'renurturing',
    rejectReason: 'timing_not_right',
    rep: 'rep-chloe',
  }),
  rec({
    workflowId: 'w6',
    mqlAt: M.r6,
    firstTouchAt: after(M.r6, 300),
    slaMissedBy: ['rep-dev'],
    rep: 'rep-dev',
    leadType: 'behavioral',
  }),
  rec({
    workflowId: 'w7',
    mqlAt: M.r7,
    stage: 'awaiting_first_touch',
    slaMissedBy: ['rep-ana'],
    slaDueAt: '2026-11-27T15:00:00Z',
    rep: 'rep-ben',
    leadType: 'behavioral',
  }),
  rec({
    workflowId: 'w8',
    mqlAt: M.r8,
    firstTouchAt: after(M.r8, 49 * 60),
    slaMissedBy: ['rep-ben'],
    rep: 'rep-ben',
    leadType: 'behavioral',
  }),
  rec({
    workflowId: 'w9',
    mqlAt: M.r9,
    firstTouchAt: after(M.r9, 8),
    rep: 'rep-chloe',
    leadType: 'behavioral',
    cycle: 1,
    source: 'PAID_SEARCH',
  }),
  rec({
    workflowId: 'w10',
    mqlAt: M.r10,
    firstTouchAt: after(M.r10, 10),
    stage: 'rejected',
    rejectReason: 'no_budget_signal',
    rep: 'rep-dev',
    leadType: 'behavioral',
  }),
];
const others: HandoffRecord[] = [
  rec({ workflowId: 'last-week', mqlAt: '2026-11-16T14:00:00Z', firstTouchAt: after('2026-11-16T14:00:00Z', 20) }),
  rec({
    workflowId: 'recycled',
    mqlAt: '2026-08-20T14:00:00Z',
    firstTouchAt: after('2026-08-20T14:00:00Z', 5),
    stage: 'recycled',
    rejectReason: 'timing_not_right',
    closedAt: '2026-11-25T18:00:00Z',
  }),
  rec({ workflowId: 'next-week', mqlAt: '2026-11-30T05:30:00Z', firstTouchAt: after('2026-11-30T05:30:00Z', 1) }),
];
const records = [...week, ...others];
const now = new Date('2026-12-02T12:00:00Z');

describe('ISO weeks in a time zone', () => {
  test.each([
    ['2026-11-23T05:00:00Z', NY, '2026-W48'], // Monday 00:00 EST
    ['2026-11-23T04:59:59Z', NY, '2026-W47'], // Sunday 23:59:59 EST
    ['2026-12-31T12:00:00Z', NY, '2026-W53'], // 2026 starts on a Thursday: 53 weeks
    ['2027-01-01T12:00:00Z', NY, '2026-W53'],
    ['2027-01-04T12:00:00Z', NY, '2027-W01'],
  ])('%s in %s is %s', (at, zone, expected) => {
    expect(isoWeekOf(new Date(at), zone)).toBe(expected);
  });

  test('a week runs Monday 00:00 to Monday 00:00 local, one hour longer when DST ends inside it', () => {
    expect(weekWindow('2026-W48', NY)).toEqual({
      start: new Date('2026-11-23T05:00:00Z'),
      end: new Date('2026-11-30T05:00:00Z'),
    });
    const w44 = weekWindow('2026-W44', NY); // 1 Nov 2026: clocks go back
    expect(w44.start).toEqual(new Date('2026-10-26T04:00:00Z'));
    expect(w44.end.getTime() - w44.start.getTime()).toBe(7 * 24 * H + H);
    expect(shiftWeek('2027-W01', -1, NY)).toBe('2026-W53');
  });

  test.each(['2026-48', '2027-W53', '2026-W00'])('refuses %s', (w) => {
    expect(() => weekWindow(w, NY)).toThrow(/week/);
  });
});

describe('the five metrics of the hand-placed week', () => {
  const figures = healthFigures(records, weekWindow('2026-W48', NY), { now, dropAfterMs: 48 * H });

  test('volume: 10 MQLs (not last week, not next week)', () => {
    expect(figures.mqls).toBe(10);
  });
  test('speed to contact: median of 3, 4, 6, 8, 10, 12, 30, 300, 2940 minutes is 10 minutes', () => {
    expect(figures.speedToContact).toEqual({ medianMs: 10 * MIN, touched: 9 });
  });
  test('SLA compliance: 7 of 10 (the 9 touched and the overdue #7; #6, #7, #8 missed)', () => {
    expect(figures.slaCompliance).toEqual({ pct: 70, count: 7, of: 10 });
  });
  test('acceptance: 6 of 10 (#1, 2, 4, 6, 8, 9); rejections 3 of 10', () => {
    expect(figures.acceptance).toEqual({ pct: 60, count: 6, of: 10 });
    expect(figures.rejection).toEqual({ pct: 30, count: 3, of: 10 });
  });
  test('drop: 2 of 10 (#7 never touched, #8 touched after 49 h)', () => {
    expect(figures.drop).toEqual({ pct: 20, count: 2, of: 10 });
  });
  test('recycle conversion: 1 of 2 (#9 handed off again and accepted; one lead recycled this week)', () => {
    expect(figures.recycleConversion).toEqual({ pct: 50, count: 1, of: 2 });
  });
});

describe('the weekly report', () => {
  const report = healthReport(records, { week: '2026-W48', policy, now, volumeWeeks: 3 });

  test('each metric against its target, with the change from last week (one lead: 20 min, accepted)', () => {
    expect(report.metrics.map((m) => [m.key, m.value, m.target, m.met, m.previous, m.delta])).toEqual([
      ['speed_to_contact', 10, 10, false, 20, -10], // 10 is not below 10
      ['sla_compliance', 70, 95, false, 100, -30],
      ['acceptance', 60, 60, false, 100, -40], // 60 is not above 60
      ['drop', 20, 2, false, 0, 20],
      ['recycle_conversion', 50, 10, true, null, null],
    ]);
    expect(report.flags).toEqual([]); // 30% rejected is not over 30%
  });

  test('rejection reasons, SLA misses per rep (ben: #8, and #7 overdue in his hands), dropped leads', () => {
    expect(report.topRejectionReasons).toEqual([
      { reason: 'no_budget_signal', count: 1 },
      { reason: 'timing_not_right', count: 1 },
      { reason: 'wrong_title', count: 1 },
    ]);
    expect(report.slaMissesByRep).toEqual([
      { repId: 'rep-ben', count: 2 },
      { repId: 'rep-ana', count: 1 },
      { repId: 'rep-dev', count: 1 },
    ]);
    expect(report.dropped).toEqual([
      { workflowId: 'w7', rep: 'rep-ben', team: 'sdr-inbound' },
      { workflowId: 'w8', rep: 'rep-ben', team: 'sdr-inbound' },
    ]);
    expect(report.volumeByWeek).toEqual([
      { week: '2026-W46', mqls: 0 },
      { week: '2026-W47', mqls: 1 },
      { week: '2026-W48', mqls: 10 },
    ]);
  });

  test('by lead type and source: behavioral is #6–#10, 3 of 5 accepted; PAID_SEARCH is #9 alone', () => {
    expect(report.byLeadType.behavioral).toMatchObject({ mqls: 5, acceptance: { count: 3, of: 5 } });
    expect(report.byLeadType.demo_request).toMatchObject({ mqls: 5, acceptance: { count: 3, of: 5 } });
    expect(report.bySource.PAID_SEARCH).toMatchObject({ mqls: 1, recycleConversion: { count: 1, of: 1 } });
    expect(Object.keys(report.byRep).sort()).toEqual(['rep-ana', 'rep-ben', 'rep-chloe', 'rep-dev']);
  });

  test('rejections over 30% of MQLs flag the scoring for calibration', () => {
    const moreRejected = records.map((r) =>
      r.workflowId === 'w1' ? { ...r, stage: 'rejected' as const, rejectReason: 'wrong_title' } : r,
    );
    expect(healthReport(moreRejected, { week: '2026-W48', policy, now }).flags).toEqual([
      'scoring needs calibration: 40% of MQLs rejected (over 30%)',
    ]);
  });
});
