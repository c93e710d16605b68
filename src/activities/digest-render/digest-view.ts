/**
 * The weekly digest as the renderers see it: the health report (src/domain/handoff-health.ts) turned into the
 * words and numbers a reader gets — "70% (7 of 10)", "target above 95%", "▼ 10 pts vs last week (worse)" — once,
 * so Slack, the email and the chart say exactly the same thing.
 */
import type { HealthFigures, HealthReport, MetricKey, MetricLine, Ratio } from '../../domain/handoff-health';
import type { OrgConfig } from '../../domain/org-config';

/** Names for the ids in the report (from the org config): reps, rejection reasons. */
export interface DigestLabels {
  reps: Record<string, string>;
  reasons: Record<string, string>;
  /** How long without rep activity counts as dropped ("48h"). */
  dropAfter: string;
}

export function digestLabels(config: OrgConfig): DigestLabels {
  return {
    reps: Object.fromEntries(config.teams.flatMap((t) => t.reps.map((r) => [r.id, r.name]))),
    reasons: Object.fromEntries(config.rejection.reasons.map((r) => [r.reason, r.label])),
    dropAfter: config.health.dropAfter,
  };
}

export type MetricStatus = 'met' | 'missed' | 'no_data';

export interface MetricView {
  key: MetricKey;
  label: string;
  status: MetricStatus;
  /** "10 min", "70%", or "no data". */
  value: string;
  /** "(7 of 10)", "(9 touched)", or "". */
  basis: string;
  /** "below 10 min", "above 95%". */
  target: string;
  /** "▲ 2 min vs last week (worse)", "no change vs last week", "no figure last week", or "" without a value. */
  change: string;
  /** For the chart: the raw numbers. */
  raw: MetricLine;
}

export interface CountView {
  label: string;
  count: number;
}

export interface DigestView {
  week: string;
  /** "Mon 23 Nov – Sun 29 Nov 2026". */
  range: string;
  timeZone: string;
  /** "30 Nov 2026 08:00" in the digest's zone. */
  generated: string;
  generatedAt: string;
  mqls: number;
  mqlsLastWeek: number | null;
  metrics: MetricView[];
  onTarget: number;
  flags: string[];
  topRejectionReasons: CountView[];
  slaMissesByRep: CountView[];
  dropped: { workflowId: string; rep: string | null }[];
  dropAfter: string;
  volumeByWeek: { week: string; mqls: number }[];
}

/** "1 MQL", "10 MQLs". */
export function mqlCount(n: number): string {
  return `${n} ${n === 1 ? 'MQL' : 'MQLs'}`;
}

/** A number the way the digest shows it: whole numbers without decimals, others with one. */
export function num(n: number): string {
  const r = Math.round(n * 10) / 10;
  const s = Number.isInteger(r) ? String(r) : r.toFixed(1);
  return s.replace('-', '−');
}

function withUnit(n: number, unit: MetricLine['unit']): string {
  return unit === '%' ? `${num(n)}%` : `${num(n)} min`;
}

function deltaUnit(n: number, unit: MetricLine['unit']): string {
  return unit === '%' ? `${num(n)} pts` : `${num(n)} min`;
}

function ratioOf(f: HealthFigures, key: MetricKey): Ratio | null {
  switch (key) {
    case 'sla_compliance':
      return f.slaCompliance;
    case 'acceptance':
      return f.acceptance;
    case 'drop':
      return f.drop;
    case 'recycle_conversion':
      return f.recycleConversion;
    default:
      return null;
  }
}

export function metricView(line: MetricLine, overall: HealthFigures): MetricView {
  const status: MetricStatus = line.met === null ? 'no_data' : line.met ? 'met' : 'missed';
  const ratio = ratioOf(overall, line.key);
  const basis = ratio
    ? ratio.of > 0
      ? `(${ratio.count} of ${ratio.of})`
      : ''
    : overall.speedToContact.touched > 0
      ? `(${overall.speedToContact.touched} touched)`
      : '';
  let change = '';
  if (line.value !== null) {
    if (line.previous === null || line.delta === null) change = 'no figure last week';
    else if (Math.abs(line.delta) < 0.05) change = 'no change vs last week';
    else {
      const better = line.direction === 'below' ? line.delta < 0 : line.delta > 0;
      const arrow = line.delta > 0 ? '▲' : '▼';
      change = `${arrow} ${deltaUnit(Math.abs(line.delta), line.unit)} vs last week (${better ? 'better' : 'worse'})`;
    }
  }
  return {
    key: line.key,
    label: line.label,
    status,
    value: line.value === null ? 'no data' : withUnit(line.value, line.unit),
    basis,
    target: `${line.direction} ${withUnit(line.target, line.unit)}`,
    change,
    raw: line,
  };
}

function parts(at: Date, timeZone: string, opts: Intl.DateTimeFormatOptions): Record<string, string> {
  return Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, ...opts, hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
}

/** "Mon 23 Nov – Sun 29 Nov 2026" (the year once when both ends share it). */
export function weekRange(startIso: string, endIso: string, timeZone: string): string {
  const opts: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };
  const a = parts(new Date(startIso), timeZone, opts);
  const b = parts(new Date(Date.parse(endIso) - 1), timeZone, opts);
  const first = `${a.weekday} ${a.day} ${a.month}${a.year === b.year ? '' : ` ${a.year}`}`;
  return `${first} – ${b.weekday} ${b.day} ${b.month} ${b.year}`;
}

/** "30 Nov 2026 08:00". */
export function localDateTime(iso: string, timeZone: string): string {
  const p = parts(new Date(iso), timeZone, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return `${p.day} ${p.month} ${p.year} ${p.hour}:${p.minute}`;
}

export function digestView(report: HealthReport, labels: DigestLabels): DigestView {
  const metrics = report.metrics.map((m) => metricView(m, report.overall));
  const idx = report.volumeByWeek.findIndex((v) => v.week === report.week);
  return {
    week: report.week,
    range: weekRange(report.start, report.end, report.timeZone),
    timeZone: report.timeZone,
    generated: localDateTime(report.generatedAt, report.timeZone),
    generatedAt: report.generatedAt,
    mqls: report.overall.mqls,
    mqlsLastWeek: idx > 0 ? report.volumeByWeek[idx - 1]!.mqls : null,
    metrics,
    onTarget: metrics.filter((m) => m.status === 'met').length,
    flags: report.flags,
    topRejectionReasons: report.topRejectionReasons.map((r) => ({
      label: labels.reasons[r.reason] ?? r.reason,
      count: r.count,
    })),
    slaMissesByRep: report.slaMissesByRep.map((r) => ({ label: labels.reps[r.repId] ?? r.repId, count: r.count })),
    dropped: report.dropped.map((d) => ({
      workflowId: d.workflowId,
      rep: d.rep ? (labels.reps[d.rep] ?? d.rep) : null,
    })),
    dropAfter: labels.dropAfter,
    volumeByWeek: report.volumeByWeek,
  };
}
