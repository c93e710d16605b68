/**
 * The simulated quarter moves the way the business would expect when its inputs change: a tighter SLA lowers SLA
 * compliance; fewer SDRs concentrate the assignments and slow first touch. Each run starts its own time-skipping
 * server (src/simulation/run.ts); small quarters keep this a test of direction, not of scale.
 */
import { simulateQuarter, type QuarterResult } from '../../src/simulation/run';
import { sampleOrg } from '../support/handoff-fixture';

/** 60 MQLs in three days: busy enough that staffing shows (a rep works one lead at a time). */
const MQLS = 60;
const DAYS = 3;
const SEED = 11;
let baseline: QuarterResult;

beforeAll(async () => {
  baseline = await simulateQuarter({ config: sampleOrg(), mqls: MQLS, seed: SEED, days: DAYS });
}, 600_000);

test('the baseline quarter hands off every qualified MQL and spreads the SDR round-robin', () => {
  expect(baseline.figures.mqls).toBeGreaterThan(MQLS * 0.8); // the ~5% that fail the ICP are not MQLs
  const sdrs = baseline.spread.filter((s) => ['rep-ana', 'rep-ben', 'rep-chloe', 'rep-dev'].includes(s.repId));
  expect(sdrs.length).toBeGreaterThanOrEqual(3);
  expect(baseline.figures.acceptance.count).toBeGreaterThan(0);
});

test('a tighter first-touch SLA lowers SLA compliance on the same quarter', async () => {
  const tight = sampleOrg();
  for (const ladder of Object.values(tight.sla.ladders)) ladder.firstTouchWithin = '15m';
  const r = await simulateQuarter({ config: tight, mqls: MQLS, seed: SEED, days: DAYS });
  expect(r.figures.mqls).toBe(baseline.figures.mqls);
  expect(r.figures.slaCompliance.pct!).toBeLessThan(baseline.figures.slaCompliance.pct!);
}, 600_000);

test('one SDR instead of four: every SDR lead goes to her and first touch comes later', async () => {
  const understaffed = sampleOrg();
  const sdr = understaffed.teams.find((t) => t.id === 'sdr-inbound')!;
  sdr.reps = sdr.reps.filter((r) => r.id === 'rep-ana').map((r) => ({ ...r, capacity: 10_000, outOfOffice: [] }));
  const r = await simulateQuarter({ config: understaffed, mqls: MQLS, seed: SEED, days: DAYS });
  expect(r.spread.map((s) => s.repId)).not.toEqual(expect.arrayContaining(['rep-ben']));
  expect(r.byRep['rep-ana']!.mqls).toBeGreaterThan(baseline.byRep['rep-ana']!.mqls * 2);
  expect(r.figures.speedToContact.medianMs!).toBeGreaterThan(baseline.figures.speedToContact.medianMs!);
}, 600_000);
