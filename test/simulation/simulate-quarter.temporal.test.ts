/**
 * The simulated quarter through the real workflows: the round-robin spreads, and a tighter SLA lowers SLA
 * compliance on the same seed. Each run starts its own time-skipping server (src/simulation/run.ts); small quarters
 * keep this a test of direction, not of scale (staffing needs volume to show: bench/simulate-quarter.ts runs it at
 * 2,000 MQLs; test/simulation/model.test.ts shows the queue that makes it bite).
 */
import { simulateQuarter, type QuarterResult } from '../../src/simulation/run';
import { sampleOrg } from '../support/handoff-fixture';

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
