/**
 * Handoff health, the source framework's fourth part: the five metrics marketing and sales read every week, from
 * one record per handoff (one per MQL cycle), against the targets in the org configuration.
 *
 *  - speed to contact: median MQL → first touch (target: below 10 min)
 *  - SLA compliance: MQLs first touched by their deadline, of those whose deadline is known to be met or missed
 *    (touched, or overdue); a lead met it when touched and no rep let its deadline pass (target: above 95%)
 *  - acceptance rate: MQLs accepted as SQLs, of the week's MQLs (target: above 60%); rejections above 30% of
 *    the MQLs raise "scoring needs calibration"
 *  - drop rate: MQLs with no rep activity `dropAfter` (48 h) after the MQL, of those at least that old (below 2%)
 *  - recycle conversion: of the re-nurtured leads re-evaluated in the week (handed off again, or recycled), those
 *    handed off again and accepted (target: above 10%)
 *
 * plus MQL volume, top rejection reasons, SLA misses per rep and the dropped leads, by team, rep, lead type and
 * source. Weeks are ISO weeks (Monday 00:00 to Monday 00:00) in the digest's time zone. Pure: the records come
 * from Temporal visibility (src/activities/handoff-records.ts) or from a simulation.
 */
import { localDateIn, startOfLocalDay } from './business-hours';
import { parseDurationMs } from './duration';
import type { LeadStage } from './handoff-rules';
import type { LeadType } from './lead';
import type { HealthPolicy } from './org-config';

/** What the metrics need to know of one handoff (one MQL cycle). No PII: ids, times and codes only. */
export interface HandoffRecord {
  workflowId: string;
  cycle: number;
  /** The stage it is in now, or closed in (a run that went on to a new cycle: 'renurturing'). */
  stage: LeadStage;
  /** ISO-8601; null for a contact that never qualified. */
  mqlAt: string | null;
  firstTouchAt: string | null;
  /** The current first-touch deadline (while awaiting first touch). */
  slaDueAt: string | null;
  slaMissedBy: string[];
  rejectReason: string | null;
  rep: string | null;
  team: string | null;
  leadType: LeadType | null;
  source: string | null;
  /** When the run closed; null while it runs. */
  closedAt: string | null;
}

export interface Ratio {
  /** 0–100, or null when the denominator is 0. */
  pct: number | null;
  count: number;
  of: number;
}

export interface HealthFigures {
  mqls: number;
  speedToContact: { medianMs: number | null; touched: number };
  slaCompliance: Ratio;
  acceptance: Ratio;
  rejection: Ratio;
  drop: Ratio;
  recycleConversion: Ratio;
}

export type MetricKey = 'speed_to_contact' | 'sla_compliance' | 'acceptance' | 'drop' | 'recycle_conversion';

export interface MetricLine {
  key: MetricKey;
  label: string;
  unit: 'min' | '%';
  value: number | null;
  target: number;
  /** 'below': the value should stay under the target; 'above': over it. */
  direction: 'below' | 'above';
  /** Null when there is no value yet. */
  met: boolean | null;
  previous: number | null;
  /** value − previous (same unit), when both exist. */
  delta: number | null;
}

export interface HealthReport {
  week: string;
  start: string;
  end: string;
  timeZone: string;
  generatedAt: string;
  overall: HealthFigures;
  metrics: MetricLine[];
  /** "scoring needs calibration" when rejections exceed their share. */
  flags: string[];
  byTeam: Record<string, HealthFigures>;
  byRep: Record<string, HealthFigures>;
  byLeadType: Record<string, HealthFigures>;
  bySource: Record<string, HealthFigures>;
  topRejectionReasons: { reason: string; count: number }[];
  slaMissesByRep: { repId: string; count: number }[];
  dropped: { workflowId: string; rep: string | null; team: string | null }[];
  volumeByWeek: { week: string; mqls: number }[];
}

// ---------------------------------------------------------------------------------------------------------------
// ISO weeks in a time zone
// ---------------------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 1 (Monday) … 7 (Sunday) of a calendar date. */
function isoWeekday(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

/** The ISO week ("2026-W48") that `at` falls in, in `timeZone`. */
export function isoWeekOf(at: Date, timeZone: string): string {
  const date = localDateIn(at, timeZone);
  const thursday = addDays(date, 4 - isoWeekday(date));
  const year = Number(thursday.slice(0, 4));
  const dayOfYear = (Date.parse(`${thursday}T00:00:00Z`) - Date.UTC(year, 0, 1)) / DAY_MS;
  return `${year}-W${String(Math.floor(dayOfYear / 7) + 1).padStart(2, '0')}`;
}

/** Monday 00:00 to the next Monday 00:00 of `week` in `timeZone`. Throws for a malformed or impossible week. */
export function weekWindow(week: string, timeZone: string): { start: Date; end: Date } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new RangeError(`week "${week}": expected an ISO week such as "2026-W48"`);
  const jan4 = `${m[1]}-01-04`; // always in week 1
  const monday = addDays(addDays(jan4, 1 - isoWeekday(jan4)), (Number(m[2]) - 1) * 7);
  if (Number(m[2]) < 1 || isoWeekOf(new Date(`${monday}T12:00:00Z`), 'UTC') !== week) {
    throw new RangeError(`week "${week}": ${m[1]} has no week ${m[2]}`);
  }
  return { start: startOfLocalDay(monday, timeZone), end: startOfLocalDay(addDays(monday, 7), timeZone) };
}

export function shiftWeek(week: string, weeks: number, timeZone: string): string {
  const { start } = weekWindow(week, timeZone);
  return isoWeekOf(new Date(start.getTime() + weeks * 7 * DAY_MS + DAY_MS / 2), timeZone);
}

// ---------------------------------------------------------------------------------------------------------------
// The figures
// ---------------------------------------------------------------------------------------------------------------

function ratio(count: number, of: number): Ratio {
  return { pct: of === 0 ? null : (100 * count) / of, count, of };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

function within(iso: string | null, start: number, end: number): boolean {
  const t = ms(iso);
  return t !== null && t >= start && t < end;
}

/** True once the lead's first-touch SLA is known to be met or missed at `now`. */
function slaDecided(r: HandoffRecord, now: number): boolean {
  if (r.firstTouchAt !== null || r.slaMissedBy.length > 0) return true;
  return r.slaDueAt !== null && Date.parse(r.slaDueAt) <= now;
}

/**
 * The figures of the handoffs in `records` for the window: the MQLs whose moment falls in it, and for recycle
 * conversion the re-evaluations in it (a later cycle's MQL, or a recycled lead's close).
 */
export function healthFigures(
  records: HandoffRecord[],
  window: { start: Date; end: Date },
  opts: { now: Date; dropAfterMs: number },
): HealthFigures {
  const start = window.start.getTime();
  const end = window.end.getTime();
  const now = opts.now.getTime();
  const mqls = records.filter((r) => within(r.mqlAt, start, end));
  const touchedAfter = mqls.filter((r) => r.firstTouchAt !== null).map((r) => ms(r.firstTouchAt)! - ms(r.mqlAt)!);
  const slaKnown = mqls.filter((r) => slaDecided(r, now));
  const inSla = slaKnown.filter((r) => r.firstTouchAt !== null && r.slaMissedBy.length === 0);
  const dropKnown = mqls.filter((r) => ms(r.mqlAt)! + opts.dropAfterMs <= now);
  const dropped = dropKnown.filter(
    (r) => r.firstTouchAt === null || ms(r.firstTouchAt)! > ms(r.mqlAt)! + opts.dropAfterMs,
  );
  const handedOffAgain = mqls.filter((r) => r.cycle >= 1);
  const recycled = records.filter((r) => r.stage === 'recycled' && within(r.closedAt, start, end));
  return {
    mqls: mqls.length,
    speedToContact: { medianMs: median(touchedAfter), touched: touchedAfter.length },
    slaCompliance: ratio(inSla.length, slaKnown.length),
    acceptance: ratio(mqls.filter((r) => r.stage === 'accepted').length, mqls.length),
    rejection: ratio(mqls.filter((r) => r.rejectReason !== null).length, mqls.length),
    drop: ratio(dropped.length, dropKnown.length),
    recycleConversion: ratio(
      handedOffAgain.filter((r) => r.stage === 'accepted').length,
      handedOffAgain.length + recycled.length,
    ),
  };
}

function metricLines(now: HealthFigures, before: HealthFigures, policy: HealthPolicy): MetricLine[] {
  const t = policy.targets;
  const minutes = (f: HealthFigures) =>
    f.speedToContact.medianMs === null ? null : f.speedToContact.medianMs / 60_000;
  const line = (
    key: MetricKey,
    label: string,
    unit: MetricLine['unit'],
    of: (f: HealthFigures) => number | null,
    target: number,
    direction: MetricLine['direction'],
  ): MetricLine => {
    const value = of(now);
    const previous = of(before);
    return {
      key,
      label,
      unit,
      value,
      target,
      direction,
      met: value === null ? null : direction === 'below' ? value < target : value > target,
      previous,
      delta: value === null || previous === null ? null : value - previous,
    };
  };
  return [
    line('speed_to_contact', 'Speed to contact (median)', 'min', minutes, t.speedToContactMinutes, 'below'),
    line('sla_compliance', 'SLA compliance', '%', (f) => f.slaCompliance.pct, t.slaCompliancePct, 'above'),
    line('acceptance', 'Acceptance rate MQL → SQL', '%', (f) => f.acceptance.pct, t.acceptancePct, 'above'),
    line('drop', 'Drop rate', '%', (f) => f.drop.pct, t.dropPct, 'below'),
    line(
      'recycle_conversion',
      'Recycle conversion',
      '%',
      (f) => f.recycleConversion.pct,
      t.recycleConversionPct,
      'above',
    ),
  ];
}

function groupBy(records: HandoffRecord[], key: (r: HandoffRecord) => string | null): Map<string, HandoffRecord[]> {
  const groups = new Map<string, HandoffRecord[]>();
  for (const r of records) {
    const k = key(r) ?? 'unknown';
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return groups;
}

function countsDescending(counts: Map<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * The week's report: the five metrics against their targets with the change from the week before, the
 * breakdowns, the top rejection reasons, the reps with SLA misses and the dropped leads. `records` must cover the
 * week and the one before it (and `volumeWeeks` back, for the volume series).
 */
export function healthReport(
  records: HandoffRecord[],
  args: { week: string; policy: HealthPolicy; now: Date; volumeWeeks?: number },
): HealthReport {
  const { week, policy, now } = args;
  const zone = policy.digest.timeZone;
  const window = weekWindow(week, zone);
  const opts = { now, dropAfterMs: parseDurationMs(policy.dropAfter) };
  const overall = healthFigures(records, window, opts);
  const previous = healthFigures(records, weekWindow(shiftWeek(week, -1, zone), zone), opts);
  const inWeek = records.filter((r) => within(r.mqlAt, window.start.getTime(), window.end.getTime()));
  const by = (key: (r: HandoffRecord) => string | null): Record<string, HealthFigures> =>
    Object.fromEntries(
      [...groupBy(records, key)]
        .map(([k, rs]) => [k, healthFigures(rs, window, opts)] as const)
        .filter(([, f]) => f.mqls > 0),
    );

  const reasons = new Map<string, number>();
  for (const r of inWeek) if (r.rejectReason) reasons.set(r.rejectReason, (reasons.get(r.rejectReason) ?? 0) + 1);
  const misses = new Map<string, number>();
  for (const r of inWeek) {
    const reps = new Set(r.slaMissedBy);
    // Still untouched past the deadline: the rep holding it is missing it now.
    if (r.firstTouchAt === null && r.rep && r.slaDueAt && Date.parse(r.slaDueAt) <= now.getTime()) reps.add(r.rep);
    for (const rep of reps) misses.set(rep, (misses.get(rep) ?? 0) + 1);
  }
  const dropAfter = opts.dropAfterMs;
  const dropped = inWeek.filter(
    (r) =>
      ms(r.mqlAt)! + dropAfter <= now.getTime() &&
      (r.firstTouchAt === null || ms(r.firstTouchAt)! > ms(r.mqlAt)! + dropAfter),
  );
  const volumeWeeks = args.volumeWeeks ?? 2;
  const flags =
    overall.rejection.pct !== null && overall.rejection.pct > policy.targets.rejectionCalibrationPct
      ? [
          `scoring needs calibration: ${overall.rejection.pct.toFixed(0)}% of MQLs rejected (over ${policy.targets.rejectionCalibrationPct}%)`,
        ]
      : [];
  return {
    week,
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    timeZone: zone,
    generatedAt: now.toISOString(),
    overall,
    metrics: metricLines(overall, previous, policy),
    flags,
    byTeam: by((r) => r.team),
    byRep: by((r) => r.rep),
    byLeadType: by((r) => r.leadType),
    bySource: by((r) => r.source),
    topRejectionReasons: countsDescending(reasons).map(([reason, count]) => ({ reason, count })),
    slaMissesByRep: countsDescending(misses).map(([repId, count]) => ({ repId, count })),
    dropped: dropped.map((r) => ({ workflowId: r.workflowId, rep: r.rep, team: r.team })),
    volumeByWeek: Array.from({ length: volumeWeeks }, (_, i) => shiftWeek(week, i - volumeWeeks + 1, zone)).map(
      (w) => ({ week: w, mqls: healthFigures(records, weekWindow(w, zone), opts).mqls }),
    ),
  };
}
