/**
 * The worker's Prometheus endpoint on a small week placed by hand (2026-W48 in New York), scraped on Thursday
 * 26 Nov 2026 at 15:00 EST; expected values worked out from the table, not from the code. And the Grafana
 * dashboard: well-formed, importable with a DS_PROMETHEUS input, and every expression names a metric (and label
 * values) the endpoint exports.
 *
 *   lead  MQL (EST)       first touch   stage                 rep      team         type          source
 *   a     Mon 23 09:00    +4 min        accepted              rep-ana  sdr-inbound  demo_request  ORGANIC_SEARCH
 *   b     Tue 24 11:00    +12 min       rejected wrong_title  rep-ben  sdr-inbound  demo_request  ORGANIC_SEARCH
 *   c     Wed 25 09:00    none          awaiting first touch  rep-ben  sdr-inbound  behavioral    PAID_SEARCH
 *                                       (due Wed 25 13:00: overdue)
 *   d     Tue 17 09:00    +20 min       accepted              (last week: not this week's figures)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HandoffRecord } from '../../src/domain/handoff-health';
import { healthSchema } from '../../src/domain/org-config';
import { createHealthMetrics, startMetricsServer, type HealthMetricsOptions } from '../../src/main/health-metrics';
import { samples } from '../support/prometheus-text';

const policy = healthSchema.parse({ digest: { timeZone: 'America/New_York' } });
const NOW = Date.parse('2026-11-26T20:00:00Z');
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
  rec({ workflowId: 'a', mqlAt: '2026-11-23T14:00:00Z', firstTouchAt: after('2026-11-23T14:00:00Z', 4) }),
  rec({
    workflowId: 'b',
    mqlAt: '2026-11-24T16:00:00Z',
    firstTouchAt: after('2026-11-24T16:00:00Z', 12),
    stage: 'rejected',
    rejectReason: 'wrong_title',
    rep: 'rep-ben',
  }),
  rec({
    workflowId: 'c',
    mqlAt: '2026-11-25T14:00:00Z',
    stage: 'awaiting_first_touch',
    slaDueAt: '2026-11-25T18:00:00Z',
    rep: 'rep-ben',
    leadType: 'behavioral',
    source: 'PAID_SEARCH',
  }),
  rec({ workflowId: 'd', mqlAt: '2026-11-17T14:00:00Z', firstTouchAt: after('2026-11-17T14:00:00Z', 20) }),
];

function metrics(overrides: Partial<HealthMetricsOptions> = {}) {
  let loads = 0;
  let t = NOW;
  const windows: [string, string][] = [];
  const m = createHealthMetrics({
    loadRecords: async (from, to) => {
      loads += 1;
      windows.push([from.toISOString(), to.toISOString()]);
      // As visibility answers: the records whose MQL falls in the window.
      return records.filter((r) => Date.parse(r.mqlAt!) >= from.getTime() && Date.parse(r.mqlAt!) < to.getTime());
    },
    policy: () => policy,
    now: () => t,
    processMetrics: false,
    ...overrides,
  });
  return {
    m,
    loads: () => loads,
    windows,
    at: (ms: number) => {
      t = ms;
    },
  };
}

const W = 'week="2026-W48"';

describe('the figures of the week so far', () => {
  let s: Map<string, number>;
  let loaded: ReturnType<typeof metrics>;
  beforeAll(async () => {
    loaded = metrics();
    s = samples(await loaded.m.scrape());
  });

  test('it reads the current ISO week in the digest zone, Monday 00:00 EST to Monday 00:00 EST', () => {
    expect(loaded.windows).toEqual([['2026-11-23T05:00:00.000Z', '2026-11-30T05:00:00.000Z']]);
    expect(s.get('mql_handoff_visibility_up{}')).toBe(1);
  });

  test('overall: 3 MQLs, median 8 min, SLA 2 of 3, accepted 1 of 3, rejected 1 of 3, dropped 0 of 2', () => {
    expect(s.get(`mql_handoff_mqls_total{by="all",${W}}`)).toBe(3);
    expect(s.get(`mql_handoff_speed_to_contact_median_seconds{by="all",${W}}`)).toBe(480);
    expect(s.get(`mql_handoff_sla_compliance_ratio{by="all",${W}}`)).toBeCloseTo(2 / 3, 10);
    expect(s.get(`mql_handoff_acceptance_ratio{by="all",${W}}`)).toBeCloseTo(1 / 3, 10);
    expect(s.get(`mql_handoff_rejection_ratio{by="all",${W}}`)).toBeCloseTo(1 / 3, 10);
    expect(s.get(`mql_handoff_drop_ratio{by="all",${W}}`)).toBe(0); // a and b are 48 h old, both touched
    // Nothing re-evaluated this week: no recycle-conversion series at all.
    expect([...s.keys()].filter((k) => k.startsWith('mql_handoff_recycle_conversion_ratio'))).toEqual([]);
  });

  test('by rep, team, lead type and source, each group in the label of its dimension', () => {
    expect(s.get(`mql_handoff_mqls_total{by="rep",rep="rep-ben",${W}}`)).toBe(2);
    expect(s.get(`mql_handoff_mqls_total{by="rep",rep="rep-ana",${W}}`)).toBe(1);
    expect(s.get(`mql_handoff_sla_compliance_ratio{by="rep",rep="rep-ben",${W}}`)).toBe(0.5); // b met, c overdue
    expect(s.get(`mql_handoff_sla_compliance_ratio{by="rep",rep="rep-ana",${W}}`)).toBe(1);
    expect(s.get(`mql_handoff_speed_to_contact_median_seconds{by="rep",rep="rep-ben",${W}}`)).toBe(720);
    expect(s.get(`mql_handoff_mqls_total{by="team",team="sdr-inbound",${W}}`)).toBe(3);
    expect(s.get(`mql_handoff_acceptance_ratio{by="lead_type",lead_type="demo_request",${W}}`)).toBe(0.5);
    expect(s.get(`mql_handoff_mqls_total{by="lead_type",lead_type="behavioral",${W}}`)).toBe(1);
    expect(s.get(`mql_handoff_mqls_total{by="source",source="PAID_SEARCH",${W}}`)).toBe(1);
    expect(s.get(`mql_handoff_rejection_ratio{by="source",source="ORGANIC_SEARCH",${W}}`)).toBe(0.5);
    // c has no first touch: no median for PAID_SEARCH; no drop figure either (not 48 h old yet).
    expect(s.has(`mql_handoff_speed_to_contact_median_seconds{by="source",source="PAID_SEARCH",${W}}`)).toBe(false);
    expect(s.has(`mql_handoff_drop_ratio{by="source",source="PAID_SEARCH",${W}}`)).toBe(false);
  });

  test('the targets in the unit of their metric; rejections by reason', () => {
    expect(s.get('mql_handoff_target{metric="speed_to_contact"}')).toBe(600);
    expect(s.get('mql_handoff_target{metric="sla_compliance"}')).toBe(0.95);
    expect(s.get('mql_handoff_target{metric="acceptance"}')).toBe(0.6);
    expect(s.get('mql_handoff_target{metric="rejection"}')).toBe(0.3);
    expect(s.get('mql_handoff_target{metric="drop"}')).toBe(0.02);
    expect(s.get('mql_handoff_target{metric="recycle_conversion"}')).toBe(0.1);
    expect(s.get(`mql_handoff_rejections{reason="wrong_title",${W}}`)).toBe(1);
  });

  test('the speed-to-contact histogram of the week: 240 s and 720 s', () => {
    const bucket = (le: string) => s.get(`mql_handoff_speed_to_contact_seconds_bucket{le="${le}",${W}}`);
    expect(['60', '300', '600', '1800', '3600', '14400', '86400', '+Inf'].map(bucket)).toEqual([
      0, 1, 1, 2, 2, 2, 2, 2,
    ]);
    expect(s.get(`mql_handoff_speed_to_contact_seconds_sum{${W}}`)).toBe(960);
    expect(s.get(`mql_handoff_speed_to_contact_seconds_count{${W}}`)).toBe(2);
  });
});

test('a scrape storm reads visibility once per 5 s; the histogram is rebuilt, not accumulated', async () => {
  const x = metrics();
  await Promise.all([x.m.scrape(), x.m.scrape(), x.m.scrape()]);
  x.at(NOW + 4_999);
  await x.m.scrape();
  expect(x.loads()).toBe(1);
  x.at(NOW + 5_000);
  const s = samples(await x.m.scrape());
  expect(x.loads()).toBe(2);
  expect(s.get(`mql_handoff_speed_to_contact_seconds_count{${W}}`)).toBe(2);
});

test('on Monday the new week replaces the last: no series of the old week stays behind', async () => {
  const x = metrics();
  await x.m.scrape();
  x.at(NOW + 7 * 86_400_000); // Thursday 3 Dec: 2026-W49, nothing in it yet
  const s = samples(await x.m.scrape());
  expect([...s.keys()].filter((k) => k.includes('2026-W48'))).toEqual([]);
  expect(s.get('mql_handoff_mqls_total{by="all",week="2026-W49"}')).toBe(0);
  expect(s.get('mql_handoff_speed_to_contact_seconds_count{week="2026-W49"}')).toBe(0);
});

test('visibility down: up 0, no figures (not stale ones), the targets still there; the next scrape retries', async () => {
  const errors: unknown[] = [];
  let fail = true;
  let loads = 0;
  const m = createHealthMetrics({
    loadRecords: async () => {
      loads += 1;
      if (fail) throw new Error('14 UNAVAILABLE: connection refused');
      return records;
    },
    policy: () => policy,
    now: () => NOW,
    processMetrics: false,
    onError: (e) => errors.push(e),
  });
  const down = samples(await m.scrape());
  expect(down.get('mql_handoff_visibility_up{}')).toBe(0);
  expect([...down.keys()].filter((k) => /^mql_handoff_(mqls|acceptance|speed_to_contact|rejections)/.test(k))).toEqual(
    [],
  );
  expect(down.get('mql_handoff_target{metric="acceptance"}')).toBe(0.6);
  expect(errors.map((e) => (e as Error).message)).toEqual(['14 UNAVAILABLE: connection refused']);
  fail = false;
  const up = samples(await m.scrape());
  expect(loads).toBe(2);
  expect(up.get('mql_handoff_visibility_up{}')).toBe(1);
  expect(up.get(`mql_handoff_mqls_total{by="all",${W}}`)).toBe(3);
});

test('GET /metrics over HTTP with the process metrics; anything else 404/405', async () => {
  const m = createHealthMetrics({ loadRecords: async () => records, policy: () => policy, now: () => NOW });
  const server = await startMetricsServer({ metrics: m, port: 0, host: '127.0.0.1' });
  try {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const s = samples(await res.text());
    expect(s.get(`mql_handoff_mqls_total{by="all",${W}}`)).toBe(3);
    expect(s.has('process_cpu_seconds_total{}')).toBe(true);
    expect(s.has('nodejs_eventloop_lag_seconds{}')).toBe(true);
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  } finally {
    await server.close();
  }
});

test('a port in use: the error names the variables', async () => {
  const m = createHealthMetrics({ loadRecords: async () => [], policy: () => policy, processMetrics: false });
  const first = await startMetricsServer({ metrics: m, port: 0, host: '127.0.0.1' });
  const port = Number(new URL(first.url).port);
  try {
    await expect(startMetricsServer({ metrics: m, port, host: '127.0.0.1' })).rejects.toThrow(
      `the metrics endpoint cannot listen on 127.0.0.1:${port} (METRICS_PORT, METRICS_HOST; METRICS_PORT=0 turns it off): listen EADDRINUSE`,
    );
  } finally {
    await first.close();
  }
});

describe('the Grafana dashboard (deploy/grafana/handoff-health.json)', () => {
  const file = path.join(__dirname, '../../deploy/grafana/handoff-health.json');
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
    __inputs: { name: string; type: string; pluginId: string }[];
    panels: {
      type: string;
      title: string;
      datasource?: { uid: string };
      targets?: { expr: string; datasource: { uid: string } }[];
      fieldConfig?: { defaults: { thresholds?: { steps: { value: number | null }[] } } };
    }[];
  };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  test('imports with a DS_PROMETHEUS input that every panel and query uses', () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    for (const p of panels) {
      expect([p.title, p.datasource?.uid]).toEqual([p.title, '${DS_PROMETHEUS}']);
      for (const t of p.targets ?? []) expect([p.title, t.datasource.uid]).toEqual([p.title, '${DS_PROMETHEUS}']);
    }
    expect(exprs.length).toBeGreaterThan(10);
  });

  test('panels for the five metrics, volume, rejections by reason, SLA by rep, the speed histogram', () => {
    const uses = (metric: string) => panels.filter((p) => (p.targets ?? []).some((t) => t.expr.includes(metric)));
    for (const metric of [
      'mql_handoff_speed_to_contact_median_seconds',
      'mql_handoff_sla_compliance_ratio',
      'mql_handoff_acceptance_ratio',
      'mql_handoff_drop_ratio',
      'mql_handoff_recycle_conversion_ratio',
      'mql_handoff_mqls_total',
      'mql_handoff_rejections',
      'mql_handoff_speed_to_contact_seconds_bucket',
    ]) {
      expect([metric, uses(metric).length > 0]).toEqual([metric, true]);
    }
    expect(exprs).toContain('sort(max by (rep) (mql_handoff_sla_compliance_ratio{by="rep"}))');
    expect(exprs).toContain('max(mql_handoff_target{metric="speed_to_contact"})');
  });

  test('the stat thresholds are the default targets (600 s, 95%, 60%, 2%, 10%)', () => {
    const stat = (metric: string) =>
      panels
        .find((p) => p.type === 'stat' && p.targets?.[0]?.expr === `max(${metric}{by="all"})`)!
        .fieldConfig!.defaults.thresholds!.steps.map((s) => s.value);
    expect(stat('mql_handoff_speed_to_contact_median_seconds')).toEqual([null, 600]);
    expect(stat('mql_handoff_sla_compliance_ratio')).toEqual([null, 0.95]);
    expect(stat('mql_handoff_acceptance_ratio')).toEqual([null, 0.6]);
    expect(stat('mql_handoff_drop_ratio')).toEqual([null, 0.02]);
    expect(stat('mql_handoff_recycle_conversion_ratio')).toEqual([null, 0.1]);
  });

  test('every metric an expression names, and every label value it selects, is in the endpoint’s output', async () => {
    // A week with a lead of each kind, so every series exists (a recycled lead for recycle conversion).
    const full = [
      ...records,
      rec({
        workflowId: 'r',
        mqlAt: '2026-08-20T14:00:00Z',
        stage: 'recycled',
        closedAt: '2026-11-25T18:00:00Z',
        firstTouchAt: '2026-08-20T14:05:00Z',
      }),
    ];
    const s = samples(
      await createHealthMetrics({ loadRecords: async () => full, policy: () => policy, now: () => NOW }).scrape(),
    );
    const series = [...s.keys()];
    for (const expr of exprs) {
      const selectors = [...expr.matchAll(/\b(mql_handoff_[a-z_]+)(?:\{([^}]*)\})?/g)];
      expect([expr, selectors.length > 0]).toEqual([expr, true]);
      // No other metric: every identifier before a selector or standing alone is ours or PromQL's.
      const others = expr
        .replace(/\{[^}]*\}/g, '')
        .match(/\b[a-z_][a-z0-9_]*\b/g)!
        .filter((w) => !w.startsWith('mql_handoff_'))
        .filter(
          (w) =>
            !['max', 'sum', 'by', 'sort', 'sort_desc', 'le', 'team', 'rep', 'reason', 'lead_type', 'source'].includes(
              w,
            ),
        );
      expect([expr, others]).toEqual([expr, []]);
      for (const [, name, matchers] of selectors) {
        const wanted = [...(matchers ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => `${k}="${v}"`);
        const found = series.filter((k) => k.startsWith(`${name}{`) && wanted.every((w) => k.includes(w)));
        expect([expr, name, wanted, found.length > 0]).toEqual([expr, name, wanted, true]);
      }
    }
  });
});
