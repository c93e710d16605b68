/**
 * Business time in a calendar's own time zone: working days, opening hours and holidays, correct across DST
 * changes because every opening and closing is computed from the local wall clock of that day. Uses only Intl;
 * pure and deterministic (no wall clock, no randomness), so workflows and activities can both call it.
 */
import type { BusinessCalendar } from './org-config';
import { WEEKDAYS } from './vocabulary';

const DAY_MS = 86_400_000;
/** A calendar with no working time in ten years is a configuration error, not a reason to loop forever. */
const MAX_DAYS_SCANNED = 3_660;

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const FORMATS = {
  wallClock: {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  },
  display: { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  zoneName: { timeZoneName: 'short' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Intl formatters are costly to build and immutable: one per (format, zone, locale). */
function zoneFormatter(format: keyof typeof FORMATS, timeZone: string, locale = 'en-US'): Intl.DateTimeFormat {
  const key = `${format}|${timeZone}|${locale}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat(locale, { ...FORMATS[format], timeZone });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}": expected an IANA time zone such as "America/New_York"`);
    }
    formatters.set(key, formatter);
  }
  return formatter;
}

function assertDate(at: Date, what: string): number {
  const t = at instanceof Date ? at.getTime() : NaN;
  if (Number.isNaN(t)) throw new RangeError(`${what} must be a valid Date, got ${String(at)}`);
  return t;
}

/** The local wall-clock reading at `utcMs` in `timeZone`, expressed as if it were a UTC instant. */
function wallClockAsUtc(utcMs: number, timeZone: string): number {
  const parts = zoneFormatter('wallClock', timeZone).formatToParts(utcMs);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** Offset of `timeZone` from UTC at `utcMs`, in ms (New York in winter: -5 h). */
function offsetMs(utcMs: number, timeZone: string): number {
  return wallClockAsUtc(utcMs, timeZone) - Math.floor(utcMs / 1000) * 1000;
}

function localDateOf(utcMs: number, timeZone: string): LocalDate {
  const wall = new Date(wallClockAsUtc(utcMs, timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/**
 * The UTC instant of `minutes` after local midnight on `date` in `timeZone`. A wall time that occurs twice (DST
 * ends) resolves to the earlier instant; one that does not exist (DST starts) moves forward by the gap.
 */
function localTimeToUtc(date: LocalDate, minutes: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const offsets = [offsetMs(wall - DAY_MS, timeZone), offsetMs(wall + DAY_MS, timeZone)];
  const candidates = offsets.map((o) => wall - o);
  const valid = candidates.filter((c) => wallClockAsUtc(c, timeZone) === wall);
  return valid.length > 0 ? Math.min(...valid) : Math.max(...candidates);
}

function nextDate(date: LocalDate): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function isoDate(date: LocalDate): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

function minutesOfDay(hhmm: string, field: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`calendar ${field} "${hhmm}" is not a time of day "HH:MM"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The calendar date (YYYY-MM-DD) that `at` falls on in `timeZone`. */
export function localDateIn(at: Date, timeZone: string): string {
  return isoDate(localDateOf(assertDate(at, 'localDateIn: at'), timeZone));
}

/** The instant local midnight begins `date` (YYYY-MM-DD) in `timeZone`. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`date "${date}" is not a calendar date "YYYY-MM-DD"`);
  return new Date(localTimeToUtc({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, 0, timeZone));
}

/** Length of one full working day of `cal`, on the wall clock (08:00–17:00 → 9 h). */
export function workingDayMs(cal: BusinessCalendar): number {
  return (minutesOfDay(cal.hours.end, 'hours.end') - minutesOfDay(cal.hours.start, 'hours.start')) * 60_000;
}

/** Opening and closing instants of `date` in `cal`, or null on a non-working day or holiday. */
function workingWindow(date: LocalDate, cal: BusinessCalendar): { open: number; close: number } | null {
  const weekday = WEEKDAYS[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()]!;
  if (!cal.workingDays.includes(weekday) || cal.holidays.includes(isoDate(date))) return null;
  return {
    open: localTimeToUtc(date, minutesOfDay(cal.hours.start, 'hours.start'), cal.timeZone),
    close: localTimeToUtc(date, minutesOfDay(cal.hours.end, 'hours.end'), cal.timeZone),
  };
}

/** True when `at` falls inside working hours (start inclusive, end exclusive) of a working, non-holiday day. */
export function isBusinessTime(at: Date, cal: BusinessCalendar): boolean {
  const t = assertDate(at, 'isBusinessTime: at');
  const window = workingWindow(localDateOf(t, cal.timeZone), cal);
  return window !== null && window.open <= t && t < window.close;
}

/**
 * `start` plus `ms` of business time. Counting starts at `start` when it is inside working hours, else at the
 * next opening; a deadline that lands exactly on closing time stays there (Fri 13:00 + 4 h = Fri 17:00).
 * With `ms` = 0 the answer is the next moment business is open (or `start` itself).
 */
export function addBusinessTime(start: Date, ms: number, cal: BusinessCalendar): Date {
  let cursor = assertDate(start, 'addBusinessTime: start');
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`addBusinessTime: ms must be a non-negative number of milliseconds, got ${ms}`);
  }
  let remaining = ms;
  let date = localDateOf(cursor, cal.timeZone);
  for (let i = 0; i < MAX_DAYS_SCANNED; i++) {
    const window = workingWindow(date, cal);
    if (window) {
      cursor = Math.max(cursor, window.open);
      if (cursor < window.close) {
        const available = window.close - cursor;
        if (remaining <= available) return new Date(cursor + remaining);
        remaining -= available;
      }
    }
    date = nextDate(date);
  }
  throw new RangeError(
    `calendar "${cal.id}" has no working time in the ${MAX_DAYS_SCANNED} days after ${start.toISOString()}`,
  );
}

/** Business time between `from` and `to` in ms; 0 when `to` is not after `from`. */
export function businessTimeBetween(from: Date, to: Date, cal: BusinessCalendar): number {
  const start = assertDate(from, 'businessTimeBetween: from');
  const end = assertDate(to, 'businessTimeBetween: to');
  let total = 0;
  for (
    let date = localDateOf(start, cal.timeZone);
    localTimeToUtc(date, 0, cal.timeZone) < end;
    date = nextDate(date)
  ) {
    const window = workingWindow(date, cal);
    if (window) total += Math.max(0, Math.min(window.close, end) - Math.max(window.open, start));
  }
  return total;
}

/** How many local midnights of `timeZone` lie between `earlier` and `later`: 0 = same local day, 1 = the day before. */
export function calendarDaysBetween(earlier: Date, later: Date, timeZone: string): number {
  const day = (at: Date, what: string): number => {
    const d = localDateOf(assertDate(at, what), timeZone);
    return Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
  };
  return day(later, 'calendarDaysBetween: later') - day(earlier, 'calendarDaysBetween: earlier');
}

/** "Mon 23 Nov, 12:00 EST": weekday, day, month, 24-hour time and the zone's short name. */
export function formatInZone(at: Date, timeZone: string): string {
  const t = assertDate(at, 'formatInZone: at');
  const parts = zoneFormatter('display', timeZone).formatToParts(t);
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')}, ${get('hour')}:${get('minute')} ${zoneAbbreviation(t, timeZone)}`;
}

/** "EST", "BST", "CET" where English has a name for the zone, else "GMT+9". */
function zoneAbbreviation(t: number, timeZone: string): string {
  const name = (locale: string): string =>
    zoneFormatter('zoneName', timeZone, locale)
      .formatToParts(t)
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  const american = name('en-US');
  if (!/^GMT[+-]/.test(american)) return american;
  const british = name('en-GB');
  return /^[A-Z]{2,5}$/.test(british) ? british : american;
}
