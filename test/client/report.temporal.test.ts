/**
 * Handoff health against the dev server and the real workflows (in-memory CRM/chat ports): three handoffs, one
 * accepted, one touched then rejected, one left waiting; `handoff report --json` and the worker's /metrics
 * count them as the domain's definitions say. Other tests share the server, so the three leads carry a source of
 * their own and the test reads their `bySource` group; the expected figures come from what the test did and
 * the leads' own status (MQL and first-touch times, SLA deadline), not from the report code. And a lead that is
 * re-nurtured (3 s instead of 90 days) and handed off again counts as two MQL cycles, the second not yet touched.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listHandoffRecords } from '../../src/activities/handoff-records';
import { runCli } from '../../src/client/cli/main';
import { TEST_CODEC_KEYS, testDataConverter } from '../support/codec';
import type { ReportJson } from '../../src/client/cli/report';
import { createHealthMetrics, startMetricsServer } from '../../src/main/health-metrics';
import { rejectUpdate, repActivitySignal, statusQuery, type HandoffStatus } from '../../src/workflows/definitions';
import { devServerEnv, sharedServers } from '../harness/temporal';
import { cleanUpHandoffs, handoffFixture, wallClockOrg, type HandoffFixture } from '../support/handoff-fixture';
import { demoRequestLead } from '../support/leads';
import { samples } from '../support/prometheus-text';
import { uniqueHubSpotId, until } from './support';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv({ dataConverter: testDataConverter() });
});
afterEach(cleanUpHandoffs);
afterAll(async () => {
  await env?.teardown();
});

async function handoff(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: {
      TEMPORAL_ADDRESS: sharedServers().devServer.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      // The workers' key (test/support/codec.ts): the CLI decodes what they wrote.
      HANDOFF_CODEC_KEYS: TEST_CODEC_KEYS,
    },
  });
  return { code, out, err };
}

async function status(workflowId: string): Promise<HandoffStatus> {
  return env.client.workflow.getHandle(workflowId).query(statusQuery);
}

async function assigned(fx: HandoffFixture, source: string): Promise<HandoffStatus> {
  const handle = await fx.start(demoRequestLead({ contactId: uniqueHubSpotId(), source }));
  return until(
    () => handle.query(statusQuery),
    (s) => s.stage === 'awaiting_first_touch',
    'assignment',
  );
}

const ms = (iso: string | null) => Date.parse(iso!);

test('three handoffs — accepted, rejected, waiting — in the report and on /metrics', async () => {
  const fx = await handoffFixture(env);
  const source = `TEST_${uniqueHubSpotId()}`;
  await fx.worker.runUntil(async () => {
    const [a, b, c] = [await assigned(fx, source), await assigned(fx, source), await assigned(fx, source)];

    // a: accepted straight away (a decision is a first touch). b: a call, then rejected. c: nobody acts.
    expect((await handoff('accept', a.workflowId, '--as', a.owner!.repId)).code).toBe(0);
    expect((await handoff('activity', b.workflowId, '--type', 'call', '--as', b.owner!.repId)).code).toBe(0);
    await until(
      () => status(b.workflowId),
      (s) => s.stage === 'awaiting_decision',
      'first touch of b',
    );
    const rejected = await handoff('reject', b.workflowId, '--as', b.owner!.repId, '--reason', 'no_budget_signal');
    expect(rejected.code).toBe(0);

    const [sa, sb, sc] = [await status(a.workflowId), await status(b.workflowId), await status(c.workflowId)];
    expect([sa.stage, sb.stage, sc.stage]).toEqual(['accepted', 'rejected', 'awaiting_first_touch']);
    const speeds = [ms(sa.firstTouchAt) - ms(sa.mqlAt), ms(sb.firstTouchAt) - ms(sb.mqlAt)];

    const report = async (...args: string[]): Promise<ReportJson> => {
      const r = await handoff('report', '--json', ...args);
      expect([r.code, r.err.replace(/^handoff: note: .*\n/, '')]).toEqual([0, '']);
      return JSON.parse(r.out) as ReportJson;
    };
    const ours = await until(
      () => report(),
      (r) => r.bySource[source]?.acceptance.count === 1 && r.bySource[source]?.rejection.count === 1,
      'visibility to index the accepted and the rejected lead',
    );
    const now = Date.now();
    // c's deadline decides whether its SLA counts yet (missed) or not (still open).
    const cOverdue = ms(sc.slaDueAt) <= Date.parse(ours.generatedAt);
    expect(ours.bySource[source]).toEqual({
      mqls: 3,
      speedToContact: { medianMs: (speeds[0]! + speeds[1]!) / 2, touched: 2 },
      slaCompliance: { pct: cOverdue ? (100 * 2) / 3 : 100, count: 2, of: cOverdue ? 3 : 2 },
      acceptance: { pct: 100 / 3, count: 1, of: 3 },
      rejection: { pct: 100 / 3, count: 1, of: 3 },
      drop: { pct: null, count: 0, of: 0 }, // none is 48 h old
      recycleConversion: { pct: null, count: 0, of: 0 },
    });
    // The current week so far, in the digest zone.
    expect(ours.week).toMatch(/^\d{4}-W\d{2}$/);
    expect(Date.parse(ours.start)).toBeLessThanOrEqual(ms(sa.mqlAt));
    expect(Date.parse(ours.end)).toBeGreaterThan(now);
    expect(ours.weekComplete).toBe(false);
    expect(ours.timeZone).toBe(fx.config.health.digest.timeZone);
    expect(ours.topRejectionReasons).toEqual(
      expect.arrayContaining([{ reason: 'no_budget_signal', count: expect.any(Number) }]),
    );

    // Last week ends where this one starts, and none of ours is in it.
    const last = await report('--week', 'last');
    expect(last.end).toBe(ours.start);
    expect(last.weekComplete).toBe(true);
    expect(last.bySource[source]).toBeUndefined();

    const text = await handoff('report');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`^Handoff health ${ours.week}: .+, the week so far \\(`, 'm'));
    expect(text.out).toMatch(/^[✓✗·] +Speed to contact \(median\) +.+ +< 10 min /m);
    const row = text.out.split('\n').find((l) => l.trim().startsWith(`${source} `));
    expect(row?.trim().split(/ {2,}/).slice(0, 2)).toEqual([source, '3']);

    // The worker's endpoint, reading the same server's visibility.
    const metrics = createHealthMetrics({
      loadRecords: (from, to) => listHandoffRecords(env.client, from, to),
      policy: () => fx.config.health,
      processMetrics: false,
    });
    const server = await startMetricsServer({ metrics, port: 0, host: '127.0.0.1' });
    try {
      const s = samples(await (await fetch(server.url)).text());
      const of = (name: string) => s.get(`${name}{by="source",source="${source}",week="${ours.week}"}`);
      expect(s.get('mql_handoff_visibility_up{}')).toBe(1);
      expect(of('mql_handoff_mqls_total')).toBe(3);
      expect(of('mql_handoff_acceptance_ratio')).toBeCloseTo(1 / 3, 10);
      expect(of('mql_handoff_rejection_ratio')).toBeCloseTo(1 / 3, 10);
      expect(of('mql_handoff_speed_to_contact_median_seconds')).toBe((speeds[0]! + speeds[1]!) / 2 / 1000);
      expect(of('mql_handoff_sla_compliance_ratio')).toBeCloseTo(cOverdue ? 2 / 3 : 1, 10);
      expect(of('mql_handoff_drop_ratio')).toBeUndefined();
      expect(s.get(`mql_handoff_mqls_total{by="all",week="${ours.week}"}`)).toBeGreaterThanOrEqual(3);
    } finally {
      await server.close();
    }
    await env.client.workflow.getHandle(c.workflowId).terminate('test over');
  });
});

test('a lead handed off again after re-nurture is a fresh MQL: the last cycle’s first touch is not its own', async () => {
  // Re-nurture in 3 s instead of 90 days, so both cycles fall in this week.
  const config = wallClockOrg();
  config.rejection.renurtureDelay = '3s';
  const fx = await handoffFixture(env, { config });
  const source = `TEST_${uniqueHubSpotId()}`;
  await fx.worker.runUntil(async () => {
    const first = await assigned(fx, source);
    const handle = env.client.workflow.getHandle(first.workflowId);
    await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot', externalId: `call-${source}` });
    const touched = await until(
      () => status(first.workflowId),
      (s) => s.stage === 'awaiting_decision',
      'first touch',
    );
    await handle.executeUpdate(rejectUpdate, { args: [{ repId: first.owner!.repId, reason: 'timing_not_right' }] });
    const again = await until(
      () => status(first.workflowId),
      (s) => s.cycle === 1 && s.stage === 'awaiting_first_touch',
      'the next cycle’s assignment',
    );
    expect(again.firstTouchAt).toBeNull();

    const ours = await until(
      async () => {
        const r = await handoff('report', '--json');
        return (JSON.parse(r.out) as ReportJson).bySource[source];
      },
      (f) => f?.mqls === 2 && f.recycleConversion.of === 1,
      'visibility to index both cycles',
    );
    // Cycle 0: touched, rejected "timing not right". Cycle 1: handed off again, waiting for its first touch.
    expect(ours).toMatchObject({
      mqls: 2,
      speedToContact: { medianMs: ms(touched.firstTouchAt) - ms(touched.mqlAt), touched: 1 },
      acceptance: { count: 0, of: 2 },
      rejection: { count: 1, of: 2 },
      recycleConversion: { count: 0, of: 1 },
    });
    await handle.terminate('test over');
  });
});
