/**
 * The worker's Prometheus endpoint (`GET /metrics` on METRICS_PORT, default 9464; 0 turns it off): the
 * handoff-health figures of the current ISO week (src/domain/handoff-health.ts, in the digest's time zone),
 * computed on scrape from Temporal visibility, and prom-client's default process metrics.
 *
 * Every figure is a gauge of the week so far, labelled `week` and `by`: `by="all"` is the whole week; `by="team"`,
 * `"rep"`, `"lead_type"`, `"source"` carry the group in the label of that name, e.g.
 *
 *   mql_handoff_acceptance_ratio{week="2026-W48",by="all"} 0.6
 *   mql_handoff_acceptance_ratio{week="2026-W48",by="rep",rep="rep-ana"} 0.75
 *
 * so `{by="rep"}` selects the per-rep series and nothing is counted twice by a sum over one `by`. Ratios are 0–1;
 * a ratio with nothing to count yet (no decided SLA, no lead 48 h old) has no series. Targets are
 * `mql_handoff_target{metric}` in the unit of their metric (seconds, ratio). `mql_handoff_speed_to_contact_seconds`
 * is a histogram rebuilt on every scrape from the week's touched leads: the current week's distribution, not a
 * lifetime counter (it starts again at zero each Monday). The figures of one read are kept `cacheMs` (5 s) so a
 * burst of scrapes reads visibility once; `mql_handoff_visibility_up` is 0, and the figures absent, while
 * visibility cannot be read.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  healthReport,
  isoWeekOf,
  weekWindow,
  type HandoffRecord,
  type HealthFigures,
  type HealthReport,
  type Ratio,
} from '../domain/handoff-health';
import type { HealthPolicy } from '../domain/org-config';

export const SPEED_TO_CONTACT_BUCKETS_SECONDS = [60, 300, 600, 1800, 3600, 14400, 86400];

export interface HealthMetricsOptions {
  /** The handoff records whose MQL (or recycling) falls in [from, to): listHandoffRecords on a client. */
  loadRecords: (from: Date, to: Date) => Promise<HandoffRecord[]>;
  policy: () => HealthPolicy;
  /** Default Date.now. */
  now?: () => number;
  /** How long one read of visibility answers scrapes (default 5 s). */
  cacheMs?: number;
  /** prom-client's process metrics (default true). */
  processMetrics?: boolean;
  /** Told when visibility cannot be read (no lead data in the message). */
  onError?: (e: unknown) => void;
}

export interface HealthMetrics {
  registry: Registry;
  /** The exposition text of one scrape. */
  scrape(): Promise<string>;
  contentType: string;
}

type Snapshot = { ok: true; report: HealthReport; speedsSeconds: number[] } | { ok: false };

const BREAKDOWNS = [
  ['team', 'byTeam'],
  ['rep', 'byRep'],
  ['lead_type', 'byLeadType'],
  ['source', 'bySource'],
] as const;
const LABELS = ['week', 'by', ...BREAKDOWNS.map(([label]) => label)] as const;
type Label = (typeof LABELS)[number];

/** Each figure gauge: its name, help and how to read it from a group's figures. */
const FIGURES: { name: string; help: string; of: (f: HealthFigures) => number | null }[] = [
  { name: 'mql_handoff_mqls_total', help: 'MQLs of the week so far.', of: (f) => f.mqls },
  {
    name: 'mql_handoff_speed_to_contact_median_seconds',
    help: 'Median time from MQL to first rep touch, of the week’s touched MQLs.',
    of: (f) => (f.speedToContact.medianMs === null ? null : f.speedToContact.medianMs / 1000),
  },
  {
    name: 'mql_handoff_sla_compliance_ratio',
    help: 'MQLs first touched by their deadline, of those whose deadline is met or missed.',
    of: (f) => share(f.slaCompliance),
  },
  {
    name: 'mql_handoff_acceptance_ratio',
    help: 'MQLs accepted as SQLs, of the week’s MQLs.',
    of: (f) => share(f.acceptance),
  },
  {
    name: 'mql_handoff_rejection_ratio',
    help: 'MQLs rejected, of the week’s MQLs (above the target: the scoring needs calibration).',
    of: (f) => share(f.rejection),
  },
  {
    name: 'mql_handoff_drop_ratio',
    help: 'MQLs with no rep activity within the drop window, of those at least that old.',
    of: (f) => share(f.drop),
  },
  {
    name: 'mql_handoff_recycle_conversion_ratio',
    help: 'Re-nurtured leads handed off again and accepted, of those re-evaluated this week.',
    of: (f) => share(f.recycleConversion),
  },
];

function share(r: Ratio): number | null {
  return r.of === 0 ? null : r.count / r.of;
}

export function createHealthMetrics(opts: HealthMetricsOptions): HealthMetrics {
  const now = opts.now ?? Date.now;
  const cacheMs = opts.cacheMs ?? 5_000;
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  let cached: { at: number; snapshot: Promise<Snapshot> } | null = null;
  const snapshot = (): Promise<Snapshot> => {
    const t = now();
    if (cached && t - cached.at < cacheMs) return cached.snapshot;
    const read = readSnapshot(opts, new Date(t));
    cached = { at: t, snapshot: read };
    // A failed read is not kept: the next scrape tries again.
    void read.then((s) => {
      if (!s.ok && cached?.snapshot === read) cached = null;
    });
    return read;
  };

  new Gauge({
    name: 'mql_handoff_visibility_up',
    help: '1 when the last scrape read the handoff records from Temporal visibility, else 0.',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).ok ? 1 : 0);
    },
  });

  for (const figure of FIGURES) {
    new Gauge<Label>({
      name: figure.name,
      help: figure.help,
      labelNames: LABELS,
      registers: [registry],
      async collect() {
        this.reset();
        const s = await snapshot();
        if (!s.ok) return;
        const { report } = s;
        const set = (labels: Partial<Record<Label, string>>, f: HealthFigures) => {
          const v = figure.of(f);
          if (v !== null) this.set({ week: report.week, ...labels }, v);
        };
        set({ by: 'all' }, report.overall);
        for (const [label, key] of BREAKDOWNS) {
          for (const [group, f] of Object.entries(report[key])) set({ by: label, [label]: group }, f);
        }
      },
    });
  }

  new Gauge<'metric'>({
    name: 'mql_handoff_target',
    help: 'The org’s targets, in the unit of their metric: speed to contact in seconds (below), ratios 0–1 (above; rejection: the calibration threshold, below).',
    labelNames: ['metric'],
    registers: [registry],
    collect() {
      const t = opts.policy().targets;
      this.reset();
      this.set({ metric: 'speed_to_contact' }, t.speedToContactMinutes * 60);
      this.set({ metric: 'sla_compliance' }, t.slaCompliancePct / 100);
      this.set({ metric: 'acceptance' }, t.acceptancePct / 100);
      this.set({ metric: 'rejection' }, t.rejectionCalibrationPct / 100);
      this.set({ metric: 'drop' }, t.dropPct / 100);
      this.set({ metric: 'recycle_conversion' }, t.recycleConversionPct / 100);
    },
  });

  new Gauge<'week' | 'reason'>({
    name: 'mql_handoff_rejections',
    help: 'The week’s rejected MQLs by picklist reason.',
    labelNames: ['week', 'reason'],
    registers: [registry],
    async collect() {
      this.reset();
      const s = await snapshot();
      if (!s.ok) return;
      for (const { reason, count } of s.report.topRejectionReasons) this.set({ week: s.report.week, reason }, count);
    },
  });

  new Histogram<'week'>({
    name: 'mql_handoff_speed_to_contact_seconds',
    help: 'MQL to first touch of the week’s touched MQLs, rebuilt on every scrape: the current week’s distribution, not a lifetime counter.',
    labelNames: ['week'],
    buckets: SPEED_TO_CONTACT_BUCKETS_SECONDS,
    registers: [registry],
    async collect() {
      this.reset();
      const s = await snapshot();
      if (!s.ok) return;
      const week = s.report.week;
      this.zero({ week });
      for (const seconds of s.speedsSeconds) this.observe({ week }, seconds);
    },
  });

  return { registry, scrape: () => registry.metrics(), contentType: registry.contentType };
}

async function readSnapshot(opts: HealthMetricsOptions, now: Date): Promise<Snapshot> {
  try {
    const policy = opts.policy();
    const zone = policy.digest.timeZone;
    const week = isoWeekOf(now, zone);
    const window = weekWindow(week, zone);
    const records = await opts.loadRecords(window.start, window.end);
    // Last week's figures (the report's deltas) are not exported: this week's records are enough.
    const report = healthReport(records, { week, policy, now, volumeWeeks: 1 });
    const start = window.start.getTime();
    const end = window.end.getTime();
    const speedsSeconds = records
      .filter((r) => r.mqlAt !== null && r.firstTouchAt !== null)
      .filter((r) => Date.parse(r.mqlAt!) >= start && Date.parse(r.mqlAt!) < end)
      .map((r) => (Date.parse(r.firstTouchAt!) - Date.parse(r.mqlAt!)) / 1000);
    return { ok: true, report, speedsSeconds };
  } catch (e) {
    opts.onError?.(e);
    return { ok: false };
  }
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (and nothing else) on host:port; port 0 picks a free one (tests). */
export async function startMetricsServer(args: {
  metrics: HealthMetrics;
  port: number;
  host: string;
}): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try GET /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET only\n');
      return;
    }
    args.metrics.scrape().then(
      (text) => res.writeHead(200, { 'content-type': args.metrics.contentType }).end(req.method === 'HEAD' ? '' : text),
      (e: unknown) =>
        res
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`metrics failed: ${e instanceof Error ? e.message : String(e)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new Error(
          `the metrics endpoint cannot listen on ${args.host}:${args.port} (METRICS_PORT, METRICS_HOST; METRICS_PORT=0 turns it off): ${e.message}`,
        ),
      ),
    );
    server.listen(args.port, args.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
