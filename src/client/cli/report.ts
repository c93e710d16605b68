/**
 * `handoff report [--week 2026-W48 | this | last] [--volume-weeks 4] [--json]`: the handoff-health report of one
 * ISO week (src/domain/handoff-health.ts), read from Temporal visibility (src/activities/handoff-records.ts).
 *
 * Weeks run Monday 00:00 to Monday 00:00 in the digest's time zone (`health.digest.timeZone`). The default is the
 * current week so far — what a RevOps lead checks mid-week; `--week last` is the last complete week (what the
 * Monday digest shows). Records are read from the start of the earliest volume week (at least the week before,
 * for the change column) to the end of the report's week.
 */
import type { Client } from '@temporalio/client';
import { listHandoffRecords } from '../../activities/handoff-records';
import {
  healthReport,
  isoWeekOf,
  shiftWeek,
  weekWindow,
  type HealthFigures,
  type HealthReport,
  type MetricLine,
} from '../../domain/handoff-health';
import { findRep } from '../../domain/org';
import type { OrgConfig } from '../../domain/org-config';
import { usageError } from './cli-error';
import type { CliContext } from './cli-context';

const DAY_MS = 86_400_000;
const MAX_VOLUME_WEEKS = 26;

export interface ReportJson extends HealthReport {
  /** False while the week is still running (the figures are the week so far). */
  weekComplete: boolean;
}

/** The ISO week a `--week` value names at `now`: `this` (default), `last`, or `YYYY-Www`. */
export function reportWeek(arg: string | undefined, now: Date, timeZone: string): string {
  const current = isoWeekOf(now, timeZone);
  const value = (arg ?? 'this').trim();
  if (value === 'this') return current;
  if (value === 'last') return shiftWeek(current, -1, timeZone);
  if (!/^\d{4}-W\d{2}$/i.test(value)) {
    throw usageError(`--week "${value}": expected an ISO week such as 2026-W48, or "this" or "last"`);
  }
  const week = value.toUpperCase();
  let start: Date;
  try {
    start = weekWindow(week, timeZone).start;
  } catch (e) {
    throw usageError(`--week ${(e as Error).message.replace(/^week /, '')}`);
  }
  if (start.getTime() > now.getTime()) {
    throw usageError(`--week "${value}": that week has not started yet (this week is ${current} in ${timeZone})`);
  }
  return week;
}

/**
 * A warning when the namespace's retention is shorter than the report reaches back: closed handoffs older than
 * the retention are gone from visibility, so the earlier weeks' figures would be short.
 */
export function retentionNote(args: {
  namespace: string;
  retentionMs: number | null;
  from: Date;
  now: Date;
}): string | null {
  const { retentionMs, from, now } = args;
  if (retentionMs === null || retentionMs <= 0 || now.getTime() - retentionMs <= from.getTime()) return null;
  const days = retentionMs / DAY_MS;
  const since = new Date(now.getTime() - retentionMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    `namespace ${args.namespace} keeps closed workflows ${days >= 1 ? `${+days.toFixed(1)} day${days === 1 ? '' : 's'}` : `${Math.round(retentionMs / 3_600_000)} h`} (its retention): ` +
    `handoffs that closed before ${since} are gone from visibility, so the figures before then are incomplete. ` +
    'Week-over-week needs a retention of 14 days or more.'
  );
}

export async function reportCommand(
  ctx: CliContext,
  opts: { week?: string; volumeWeeks?: string; json?: boolean },
): Promise<void> {
  const config = ctx.config();
  const policy = config.health;
  const zone = policy.digest.timeZone;
  const now = new Date(ctx.io.now());
  const week = reportWeek(opts.week, now, zone);
  const volumeWeeks = opts.volumeWeeks === undefined ? 4 : Number(opts.volumeWeeks);
  if (!Number.isInteger(volumeWeeks) || volumeWeeks < 1 || volumeWeeks > MAX_VOLUME_WEEKS) {
    throw usageError(`--volume-weeks "${opts.volumeWeeks}": expected a whole number from 1 to ${MAX_VOLUME_WEEKS}`);
  }
  const window = weekWindow(week, zone);
  const from = weekWindow(shiftWeek(week, -(Math.max(volumeWeeks, 2) - 1), zone), zone).start;
  const namespace = ctx.namespace;

  const { records, retentionMs } = await ctx.temporal(async (c) => ({
    records: await listHandoffRecords(c, from, window.end),
    retentionMs: await namespaceRetentionMs(c, namespace),
  }));
  const note = retentionNote({ namespace, retentionMs, from, now });
  if (note) ctx.io.err(`handoff: note: ${note}\n`);

  const report = healthReport(records, { week, policy, now, volumeWeeks });
  const weekComplete = window.end.getTime() <= now.getTime();
  if (opts.json) {
    const json: ReportJson = { ...report, weekComplete };
    ctx.line(JSON.stringify(json, null, 2));
    return;
  }
  ctx.io.out(renderReport(report, config, { weekComplete }));
}

/** The namespace's retention in ms; null when the server does not say (or the credentials may not ask). */
async function namespaceRetentionMs(client: Client, namespace: string): Promise<number | null> {
  try {
    const d = await client.workflowService.describeNamespace({ namespace });
    const ttl = d.config?.workflowExecutionRetentionTtl;
    return ttl?.seconds == null ? null : Number(ttl.seconds) * 1000;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------------------------

function minutes(m: number): string {
  if (m < 60) return `${m.toFixed(1)} min`;
  if (m < 24 * 60) return `${(m / 60).toFixed(1)} h`;
  return `${(m / 1440).toFixed(1)} d`;
}

function valueOf(unit: MetricLine['unit'], v: number | null): string {
  if (v === null) return '-';
  return unit === 'min' ? minutes(v) : `${v.toFixed(1)}%`;
}

function deltaOf(unit: MetricLine['unit'], d: number | null): string {
  if (d === null) return '-';
  const sign = d > 0 ? '+' : d < 0 ? '-' : '±';
  return unit === 'min' ? `${sign}${minutes(Math.abs(d))}` : `${sign}${Math.abs(d).toFixed(1)} pt`;
}

function basisOf(key: MetricLine['key'], f: HealthFigures, dropAfter: string): string {
  switch (key) {
    case 'speed_to_contact':
      return `${f.speedToContact.touched} touched`;
    case 'sla_compliance':
      return `${f.slaCompliance.count} of ${f.slaCompliance.of} decided`;
    case 'acceptance':
      return `${f.acceptance.count} of ${f.acceptance.of} MQLs`;
    case 'drop':
      return `${f.drop.count} of ${f.drop.of} MQLs ${dropAfter} old`;
    case 'recycle_conversion':
      return `${f.recycleConversion.count} of ${f.recycleConversion.of} re-evaluated`;
  }
}

function table(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

const pct = (p: number | null): string => (p === null ? '-' : `${p.toFixed(1)}%`);

function breakdown(title: string, column: string, groups: Record<string, HealthFigures>): string[] {
  const keys = Object.keys(groups).sort((a, b) => groups[b]!.mqls - groups[a]!.mqls || a.localeCompare(b));
  if (keys.length === 0) return [];
  const rows = keys.map((k) => {
    const f = groups[k]!;
    return [
      k,
      String(f.mqls),
      f.speedToContact.medianMs === null ? '-' : minutes(f.speedToContact.medianMs / 60_000),
      pct(f.slaCompliance.pct),
      pct(f.acceptance.pct),
      pct(f.rejection.pct),
      pct(f.drop.pct),
      pct(f.recycleConversion.pct),
    ];
  });
  return [
    '',
    title,
    ...table([column, 'MQLS', 'SPEED', 'SLA', 'ACCEPTED', 'REJECTED', 'DROPPED', 'RECYCLE CONV.'], rows),
  ];
}

function localDay(at: Date, timeZone: string, withYear = false): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(withYear ? { year: 'numeric' } : {}),
  })
    .format(at)
    .replace(',', '');
}

function localTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(at)
    .replace(',', '');
}

const DROPPED_SHOWN = 20;

/** The report as text: the five metrics against their targets, then what needs someone's attention, then the tables. */
export function renderReport(report: HealthReport, config: OrgConfig, opts: { weekComplete: boolean }): string {
  const zone = report.timeZone;
  const start = new Date(report.start);
  const lastDay = new Date(Date.parse(report.end) - 1);
  const generated = new Date(report.generatedAt);
  const out: string[] = [];
  out.push(
    `Handoff health ${report.week}: ${localDay(start, zone)} – ${localDay(lastDay, zone, true)} (${zone})` +
      (opts.weekComplete ? '' : `, the week so far (${localTime(generated, zone)})`),
  );
  const previous = report.volumeByWeek.find((v) => v.week === shiftWeek(report.week, -1, zone));
  out.push(
    `${report.overall.mqls} MQL${report.overall.mqls === 1 ? '' : 's'}` +
      (previous ? ` (last week ${previous.mqls})` : ''),
  );
  out.push('');
  const rows = report.metrics.map((m) => [
    m.met === null ? '·' : m.met ? '✓' : '✗',
    m.label,
    valueOf(m.unit, m.value),
    `${m.direction === 'below' ? '<' : '>'} ${m.unit === 'min' ? `${m.target} min` : `${m.target}%`}`,
    valueOf(m.unit, m.previous),
    deltaOf(m.unit, m.delta),
    basisOf(m.key, report.overall, config.health.dropAfter),
  ]);
  out.push(...table(['', 'METRIC', 'THIS WEEK', 'TARGET', 'LAST WEEK', 'CHANGE', 'BASIS'], rows, ''));
  const r = report.overall.rejection;
  out.push(
    `  Rejection rate ${pct(r.pct)} (${r.count} of ${r.of} MQLs; over ${config.health.targets.rejectionCalibrationPct}% means the scoring needs calibration)`,
  );
  for (const flag of report.flags) out.push(`! ${flag}`);

  out.push('', 'Top rejection reasons');
  if (report.topRejectionReasons.length === 0) out.push('  none');
  const label = (reason: string) => config.rejection.reasons.find((x) => x.reason === reason)?.label;
  for (const { reason, count } of report.topRejectionReasons.slice(0, 5)) {
    out.push(`  ${String(count).padStart(3)}  ${reason}${label(reason) ? ` (${label(reason)})` : ''}`);
  }

  out.push('', 'SLA misses by rep');
  if (report.slaMissesByRep.length === 0) out.push('  none');
  for (const { repId, count } of report.slaMissesByRep) {
    const name = findRep(config, repId)?.rep.name;
    out.push(`  ${String(count).padStart(3)}  ${repId}${name ? ` (${name})` : ''}`);
  }

  out.push('', `Dropped leads (no rep activity ${config.health.dropAfter} after the MQL)`);
  if (report.dropped.length === 0) out.push('  none');
  else {
    out.push(
      ...table(
        ['LEAD', 'REP', 'TEAM'],
        report.dropped.slice(0, DROPPED_SHOWN).map((d) => [d.workflowId, d.rep ?? '-', d.team ?? '-']),
      ),
    );
    if (report.dropped.length > DROPPED_SHOWN) {
      out.push(`  … and ${report.dropped.length - DROPPED_SHOWN} more (--json lists them all)`);
    }
  }

  out.push(...breakdown('By team', 'TEAM', report.byTeam));
  out.push(...breakdown('By rep', 'REP', report.byRep));
  out.push(...breakdown('By lead type', 'LEAD TYPE', report.byLeadType));
  out.push(...breakdown('By source', 'SOURCE', report.bySource));

  out.push(
    '',
    `MQL volume  ${report.volumeByWeek.map((v) => `${v.week} ${v.mqls}`).join(' · ')}${opts.weekComplete ? '' : ' (so far)'}`,
  );
  return out.join('\n') + '\n';
}
