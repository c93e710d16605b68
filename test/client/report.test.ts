/**
 * `handoff report`'s week argument, its retention note and its text, on a small week placed by hand (2026-W48 in
 * New York, Mon 23 Nov 00:00 EST to Mon 30 Nov 00:00 EST), read on Thursday 26 Nov at 15:00 EST. The figures
 * below are worked out from the table, not from the code.
 *
 *   lead  MQL (EST)       first touch   stage                 rep      SLA due (EST)
 *   a     Mon 23 09:00    +4 min        accepted              rep-ana
 *   b     Tue 24 11:00    +12 min       rejected wrong_title  rep-ben
 *   c     Wed 25 09:00    none          awaiting first touch  rep-ben  Wed 25 13:00 (overdue)
 *   d     Tue 17 09:00    +20 min       accepted              rep-ana  (last week)
 */
import { reportWeek, renderReport, retentionNote } from '../../src/client/cli/report';
import { CliError } from '../../src/client/cli/cli-error';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import { healthReport, type HandoffRecord } from '../../src/domain/handoff-health';

const NY = 'America/New_York';
const DAY = 86_400_000;
const config = loadOrgConfigFile(resolveOrgConfigPath());
config.health.digest.timeZone = NY;
const now = new Date('2026-11-26T20:00:00Z'); // Thu 15:00 EST

const after = (iso: string, min: number) => new Date(Date.parse(iso) + min * 60_000).toISOString();
function rec(r: Partial<HandoffRecord> & { workflowId: string; mqlAt: string }): HandoffRecord {
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
const records: HandoffRecord[] = [
  rec({ workflowId: 'mql-hubspot-1', mqlAt: '2026-11-23T14:00:00Z', firstTouchAt: after('2026-11-23T14:00:00Z', 4) }),
  rec({
    workflowId: 'mql-hubspot-2',
    mqlAt: '2026-11-24T16:00:00Z',
    firstTouchAt: after('2026-11-24T16:00:00Z', 12),
    stage: 'rejected',
    rejectReason: 'wrong_title',
    rep: 'rep-ben',
  }),
  rec({
    workflowId: 'mql-hubspot-3',
    mqlAt: '2026-11-25T14:00:00Z',
    stage: 'awaiting_first_touch',
    slaDueAt: '2026-11-25T18:00:00Z',
    rep: 'rep-ben',
    source: 'PAID_SEARCH',
  }),
  rec({ workflowId: 'mql-hubspot-4', mqlAt: '2026-11-17T14:00:00Z', firstTouchAt: after('2026-11-17T14:00:00Z', 20) }),
];

describe('--week', () => {
  test.each([
    [undefined, '2026-W48'],
    ['this', '2026-W48'],
    ['last', '2026-W47'],
    ['2026-W40', '2026-W40'],
    ['2026-w40', '2026-W40'],
    ['2026-W48', '2026-W48'],
  ])('%s on Thursday 26 Nov 2026 is %s', (arg, week) => {
    expect(reportWeek(arg, now, NY)).toBe(week);
  });

  test('the week turns at Monday 00:00 in the digest zone, not in UTC', () => {
    expect(reportWeek('this', new Date('2026-11-30T04:59:59Z'), NY)).toBe('2026-W48'); // Sun 23:59:59 EST
    expect(reportWeek('this', new Date('2026-11-30T05:00:00Z'), NY)).toBe('2026-W49');
    expect(reportWeek('last', new Date('2026-11-30T05:00:00Z'), NY)).toBe('2026-W48');
    expect(reportWeek('last', new Date('2027-01-04T12:00:00Z'), NY)).toBe('2026-W53');
  });

  test.each([
    ['2026-48', '--week "2026-48": expected an ISO week such as 2026-W48, or "this" or "last"'],
    ['next', '--week "next": expected an ISO week such as 2026-W48, or "this" or "last"'],
    ['2027-W53', '--week "2027-W53": 2027 has no week 53'],
    ['2026-W49', '--week "2026-W49": that week has not started yet (this week is 2026-W48 in America/New_York)'],
  ])('%s is a usage error (exit 2)', (arg, message) => {
    let error: unknown;
    try {
      reportWeek(arg, now, NY);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 2, message });
  });
});

describe('the retention note', () => {
  const from = new Date(now.getTime() - 14 * DAY);
  test('a namespace keeping closed runs one day cannot show a week-over-week', () => {
    expect(retentionNote({ namespace: 'default', retentionMs: DAY, from, now })).toBe(
      'namespace default keeps closed workflows 1 day (its retention): handoffs that closed before ' +
        '2026-11-25T20:00:00Z are gone from visibility, so the figures before then are incomplete. ' +
        'Week-over-week needs a retention of 14 days or more.',
    );
  });
  test('30 days reaches back far enough; an unknown retention says nothing', () => {
    expect(retentionNote({ namespace: 'default', retentionMs: 30 * DAY, from, now })).toBeNull();
    expect(retentionNote({ namespace: 'default', retentionMs: 14 * DAY, from, now })).toBeNull();
    expect(retentionNote({ namespace: 'default', retentionMs: null, from, now })).toBeNull();
  });
});

describe('the text', () => {
  const report = healthReport(records, { week: '2026-W48', policy: config.health, now, volumeWeeks: 3 });
  const text = renderReport(report, config, { weekComplete: false });
  const lines = text.split('\n');

  test('the week, its zone, that it is still running, the volume against last week', () => {
    expect(lines[0]).toBe(
      'Handoff health 2026-W48: Mon 23 Nov – Sun 29 Nov 2026 (America/New_York), the week so far (Thu 15:00)',
    );
    expect(lines[1]).toBe('3 MQLs (last week 1)');
    expect(renderReport(report, config, { weekComplete: true }).split('\n')[0]).toBe(
      'Handoff health 2026-W48: Mon 23 Nov – Sun 29 Nov 2026 (America/New_York)',
    );
  });

  test('each metric with its target, ✓/✗, last week, the change and what it counts', () => {
    // speed: median(4, 12) = 8 min; last week 20. SLA: a, b met, c overdue: 2 of 3; last week 1 of 1.
    // accepted 1 of 3; last week 1 of 1. Drop: a and b are 48 h old and were touched: 0 of 2; last week 0 of 1.
    // Recycle conversion: nothing re-evaluated.
    const metrics = lines.slice(3, 9).map((l) => l.split(/ {2,}/));
    expect(metrics).toEqual([
      ['', 'METRIC', 'THIS WEEK', 'TARGET', 'LAST WEEK', 'CHANGE', 'BASIS'],
      ['✓', 'Speed to contact (median)', '8.0 min', '< 10 min', '20.0 min', '-12.0 min', '2 touched'],
      ['✗', 'SLA compliance', '66.7%', '> 95%', '100.0%', '-33.3 pt', '2 of 3 decided'],
      ['✗', 'Acceptance rate MQL → SQL', '33.3%', '> 60%', '100.0%', '-66.7 pt', '1 of 3 MQLs'],
      ['✓', 'Drop rate', '0.0%', '< 2%', '0.0%', '±0.0 pt', '0 of 2 MQLs 48h old'],
      ['·', 'Recycle conversion', '-', '> 10%', '-', '-', '0 of 0 re-evaluated'],
    ]);
  });

  test('one rejection in three is over 30%: the calibration flag', () => {
    expect(text).toContain(
      '  Rejection rate 33.3% (1 of 3 MQLs; over 30% means the scoring needs calibration)\n' +
        '! scoring needs calibration: 33% of MQLs rejected (over 30%)\n',
    );
  });

  test('reasons with their labels, misses with the rep’s name, no dropped lead yet', () => {
    expect(text).toContain('Top rejection reasons\n    1  wrong_title (Wrong title / persona)\n');
    expect(text).toContain('SLA misses by rep\n    1  rep-ben (Ben Carter)\n');
    expect(text).toContain('Dropped leads (no rep activity 48h after the MQL)\n  none\n');
  });

  test('the breakdowns: most MQLs first', () => {
    const byRep = lines
      .slice(lines.indexOf('By rep') + 1, lines.indexOf('By rep') + 4)
      .map((l) => l.trim().split(/ {2,}/));
    // ben: b (12 min, met, rejected, 48 h old and touched) and c (overdue, not yet 48 h old).
    expect(byRep).toEqual([
      ['REP', 'MQLS', 'SPEED', 'SLA', 'ACCEPTED', 'REJECTED', 'DROPPED', 'RECYCLE CONV.'],
      ['rep-ben', '2', '12.0 min', '50.0%', '0.0%', '50.0%', '0.0%', '-'],
      ['rep-ana', '1', '4.0 min', '100.0%', '100.0%', '0.0%', '0.0%', '-'],
    ]);
    const bySource = lines.slice(lines.indexOf('By source') + 1, lines.indexOf('By source') + 4);
    expect(bySource.map((l) => l.trim().split(/ {2,}/)[0])).toEqual(['SOURCE', 'ORGANIC_SEARCH', 'PAID_SEARCH']);
    expect(lines.at(-2)).toBe('MQL volume  2026-W46 0 · 2026-W47 1 · 2026-W48 3 (so far)');
  });
});
