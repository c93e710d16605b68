/**
 * The bench's own arithmetic and inputs: percentiles, scoring against targets, the table, the activity count P2
 * copies from the recorded history, and the bench org. (The figures themselves are never asserted.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activitySteps, breakdown, loadRecordedEvents } from '../../bench/lib/history';
import { benchOrg, writeOrg } from '../../bench/lib/org';
import { formatTable, score } from '../../bench/lib/results';
import { percentile, summarize } from '../../bench/lib/stats';
import { arrivals } from '../../bench/p1-steady-load';

describe('stats', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
  it('takes nearest-rank percentiles', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });
  it('summarises, and says NaN for no samples rather than inventing a figure', () => {
    expect(summarize(hundred)).toMatchObject({ n: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    expect(summarize([]).p99).toBeNaN();
  });
});

describe('scoring against targets', () => {
  it('a ≤ target is met at or below it; the ratio is measured ÷ target', () => {
    expect(score({ id: 'a', figure: 'a', unit: 'ms', measured: 10, target: { op: '<=', value: 20 } })).toMatchObject({
      ratio: 0.5,
      met: true,
    });
    expect(score({ id: 'a', figure: 'a', unit: 'ms', measured: 30, target: { op: '<=', value: 20 } }).met).toBe(false);
  });
  it('a ≥ target is met at or above it; a row without a target has no ratio', () => {
    expect(
      score({ id: 'b', figure: 'b', unit: 'per_s', measured: 100, target: { op: '>=', value: 200 } }),
    ).toMatchObject({
      ratio: 0.5,
      met: false,
    });
    expect(score({ id: 'c', figure: 'c', unit: 'ms', measured: 5 }).ratio).toBeUndefined();
  });
  it('prints one table row per figure, with the notes under it', () => {
    const table = formatTable([
      score({ id: 'x', figure: 'P1 ack p99', unit: 'ms', measured: 12, target: { op: '<=', value: 20 }, note: 'why' }),
      score({ id: 'y', figure: 'P4 wake-up', unit: 'per_s', measured: 150, target: { op: '>=', value: 200 } }),
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^\| figure +\| +target \| measured \| +ratio \|$/);
    expect(lines[2]).toMatch(/^\| P1 ack p99 +\| +≤ 20 ms \| +12 ms \| 0\.60 ✓ \|$/);
    expect(lines[3]).toMatch(/^\| P4 wake-up +\| +≥ 200\/s \| +150\/s \| 0\.75 ✗ \|$/);
    expect(table).toContain('- P1 ack p99: why');
  });
});

describe("P2's yardstick from the recorded history", () => {
  it('counts the activities a handoff runs up to its DM, step by step (what run together, together)', () => {
    const { steps, shape } = activitySteps(loadRecordedEvents());
    expect(steps).toEqual([
      ['loadHandoffPolicy'],
      ['loadLead'],
      ['findOpenDeal'],
      ['claimRep'],
      ['assignInCrm'],
      ['createDeal', 'createFollowUpTask'],
      ['prepareBrief'],
      ['sendBriefDm', 'sendBriefEmail', 'pushBrief'],
    ]);
    expect(shape).toEqual({ steps: [1, 1, 1, 1, 1, 2, 1, 3], mark: { step: 7, index: 0 } });
  });
  it('breaks the path to the DM into workflow tasks and activities', () => {
    const b = breakdown(loadRecordedEvents())!;
    expect(b.workflowTasksBeforeDm).toBeGreaterThanOrEqual(8);
    expect(Object.keys(b.activities)).toEqual(expect.arrayContaining(['loadLead', 'claimRep', 'sendBriefDm']));
    expect(b.activities.sendBriefDm!.runMs).toHaveLength(1);
    expect(b.startToDmMs).toBeGreaterThan(0);
  });
});

describe('arrivals', () => {
  it('times each arrival from its own send, and throughput from the first send to the last arrival', () => {
    const sent = new Map([
      ['a', 0],
      ['b', 500],
      ['c', 1000],
    ]);
    const arrived = new Map([
      ['a', 200],
      ['b', 900],
    ]);
    const r = arrivals(['a', 'b', 'c'], sent, arrived);
    expect(r).toMatchObject({ sent: 3, arrived: 2, throughput: 2 / 0.9 });
    expect(r.latencyMs).toMatchObject({ n: 2, p50: 200, max: 400 });
  });
});

describe('the bench org', () => {
  it('staffs the default team with the synthetic reps and puts the ladders on the wall clock', () => {
    const config = benchOrg({ reps: 30, capacity: 500, reminderAfter: '60s' });
    const team = config.teams.find((t) => t.id === config.routing.defaultTeamId)!;
    expect(team.reps).toHaveLength(30);
    expect(new Set(team.reps.map((r) => r.slackUserId)).size).toBe(30);
    expect(config.sla.ladders.behavioral.rungs[0]).toEqual({
      rung: 'reminder',
      after: '60s',
      clock: 'elapsed',
      from: 'assignment',
    });
    expect(config.sla.ladders.demo_request.rungs.every((r) => r.clock === 'elapsed')).toBe(true);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-org-'));
    try {
      expect(() => writeOrg(config, dir)).not.toThrow(); // it loads as the bench's processes load it
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
