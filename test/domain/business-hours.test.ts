import {
  addBusinessTime,
  businessTimeBetween,
  calendarDaysBetween,
  formatInZone,
  isBusinessTime,
  workingDayMs,
} from '../../src/domain/business-hours';
import type { BusinessCalendar } from '../../src/domain/org-config';

const H = 3_600_000;
const M = 60_000;

const newYork: BusinessCalendar = {
  id: 'us-east',
  timeZone: 'America/New_York',
  workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  hours: { start: '08:00', end: '17:00' },
  holidays: ['2026-11-26'],
};
const london: BusinessCalendar = {
  id: 'emea',
  timeZone: 'Europe/London',
  workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  hours: { start: '09:00', end: '17:30' },
  holidays: [],
};
/** Open 01:00–04:00 every day: spans the 02:00 DST jump in New York. */
const nightShift: BusinessCalendar = {
  id: 'night',
  timeZone: 'America/New_York',
  workingDays: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
  hours: { start: '01:00', end: '04:00' },
  holidays: [],
};

const at = (iso: string): Date => new Date(iso);

describe('addBusinessTime', () => {
  it.each([
    [
      'Friday closing + 4 h lands Monday noon',
      newYork,
      '2026-11-20T17:00:00-05:00',
      4 * H,
      '2026-11-23T12:00:00-05:00',
    ],
    [
      'a holiday Monday pushes it to Tuesday noon',
      { ...newYork, holidays: ['2026-11-23'] },
      '2026-11-20T17:00:00-05:00',
      4 * H,
      '2026-11-24T12:00:00-05:00',
    ],
    [
      'a deadline on closing time stays that day',
      newYork,
      '2026-11-20T13:00:00-05:00',
      4 * H,
      '2026-11-20T17:00:00-05:00',
    ],
    [
      'before opening: counting starts at 08:00',
      newYork,
      '2026-11-18T06:15:00-05:00',
      30 * M,
      '2026-11-18T08:30:00-05:00',
    ],
    [
      'Saturday: counting starts Monday 08:00',
      newYork,
      '2026-11-21T11:00:00-05:00',
      1 * H,
      '2026-11-23T09:00:00-05:00',
    ],
    [
      '24 business hours span three 9-hour days',
      newYork,
      '2026-11-16T08:00:00-05:00',
      24 * H,
      '2026-11-18T14:00:00-05:00',
    ],
    ['the Thanksgiving holiday is skipped', newYork, '2026-11-25T15:00:00-05:00', 4 * H, '2026-11-27T10:00:00-05:00'],
    ['0 ms inside hours is the start itself', newYork, '2026-11-18T10:00:00-05:00', 0, '2026-11-18T10:00:00-05:00'],
    ['0 ms outside hours is the next opening', newYork, '2026-11-21T10:00:00-05:00', 0, '2026-11-23T08:00:00-05:00'],
    [
      'across DST end (EDT → EST) the local hours hold',
      newYork,
      '2026-10-30T16:00:00-04:00',
      2 * H,
      '2026-11-02T09:00:00-05:00',
    ],
    [
      'across DST start (EST → EDT) the local hours hold',
      newYork,
      '2026-03-06T16:00:00-05:00',
      2 * H,
      '2026-03-09T09:00:00-04:00',
    ],
    ['London across BST start', london, '2026-03-27T16:00:00Z', 2 * H, '2026-03-30T09:30:00+01:00'],
  ])('%s', (_case, cal, start, ms, expected) => {
    expect(addBusinessTime(at(start), ms, cal).toISOString()).toBe(at(expected).toISOString());
  });

  it('is the inverse of businessTimeBetween for starts inside hours', () => {
    const starts = ['2026-11-16T08:00:00-05:00', '2026-11-20T16:59:00-05:00', '2026-10-30T12:30:00-04:00'];
    for (const start of starts) {
      for (const ms of [1, 30 * M, 9 * H, 40 * H]) {
        const end = addBusinessTime(at(start), ms, newYork);
        expect(businessTimeBetween(at(start), end, newYork)).toBe(ms);
      }
    }
  });

  it.each([
    ['a negative duration', at('2026-11-20T12:00:00Z'), -1, /ms must be a non-negative number.*got -1/],
    ['NaN', at('2026-11-20T12:00:00Z'), NaN, /got NaN/],
    ['an invalid start', new Date('not a date'), H, /start must be a valid Date/],
  ])('rejects %s', (_case, start, ms, message) => {
    expect(() => addBusinessTime(start, ms, newYork)).toThrow(message);
  });

  it('names a calendar that has no working time for ten years (Saturdays only, every Saturday a holiday)', () => {
    const saturdays: string[] = [];
    for (let d = Date.UTC(2026, 0, 3); d < Date.UTC(2037, 0, 1); d += 7 * 86_400_000) {
      saturdays.push(new Date(d).toISOString().slice(0, 10));
    }
    expect(() =>
      addBusinessTime(at('2026-01-01T12:00:00Z'), H, { ...newYork, workingDays: ['sat'], holidays: saturdays }),
    ).toThrow(/calendar "us-east" has no working time/);
  });

  it('rejects an unknown time zone by name', () => {
    expect(() => addBusinessTime(at('2026-11-20T12:00:00Z'), H, { ...newYork, timeZone: 'Mars/Olympus' })).toThrow(
      'unknown time zone "Mars/Olympus"',
    );
  });
});

describe('isBusinessTime', () => {
  it.each([
    ['opening minute (inclusive)', newYork, '2026-11-18T08:00:00-05:00', true],
    ['one minute before opening', newYork, '2026-11-18T07:59:00-05:00', false],
    ['last minute of the day', newYork, '2026-11-18T16:59:00-05:00', true],
    ['closing time (exclusive)', newYork, '2026-11-18T17:00:00-05:00', false],
    ['Saturday noon', newYork, '2026-11-21T12:00:00-05:00', false],
    ['holiday noon', newYork, '2026-11-26T12:00:00-05:00', false],
    ['08:30 local in summer (EDT)', newYork, '2026-07-15T12:30:00Z', true],
    ['08:30 UTC in winter is 03:30 local', newYork, '2026-01-14T08:30:00Z', false],
    ['London 09:15 BST', london, '2026-06-10T08:15:00Z', true],
    ['London 17:15 GMT', london, '2026-12-10T17:15:00Z', true],
    ['London 17:30 GMT', london, '2026-12-10T17:30:00Z', false],
  ])('%s → %s', (_case, cal, time, expected) => {
    expect(isBusinessTime(at(time), cal)).toBe(expected);
  });
});

describe('businessTimeBetween', () => {
  it.each([
    ['Friday 16:00 → Monday 09:00', newYork, '2026-11-20T16:00:00-05:00', '2026-11-23T09:00:00-05:00', 2 * H],
    ['same instant', newYork, '2026-11-20T16:00:00-05:00', '2026-11-20T16:00:00-05:00', 0],
    ['to before from', newYork, '2026-11-23T09:00:00-05:00', '2026-11-20T16:00:00-05:00', 0],
    ['a whole week with Thanksgiving', newYork, '2026-11-23T00:00:00-05:00', '2026-11-30T00:00:00-05:00', 4 * 9 * H],
    ['a weekend only', newYork, '2026-11-21T00:00:00-05:00', '2026-11-23T00:00:00-05:00', 0],
    [
      '01:00–04:00 on the DST-start night is 2 real hours',
      nightShift,
      '2026-03-08T00:00:00-05:00',
      '2026-03-08T12:00:00-04:00',
      2 * H,
    ],
    [
      '01:00–04:00 on the DST-end night is 4 real hours',
      nightShift,
      '2026-11-01T00:00:00-04:00',
      '2026-11-01T12:00:00-05:00',
      4 * H,
    ],
  ])('%s', (_case, cal, from, to, expected) => {
    expect(businessTimeBetween(at(from), at(to), cal)).toBe(expected);
  });
});

describe('workingDayMs', () => {
  it.each([
    [newYork, 9 * H],
    [london, 8.5 * H],
  ])('%# is the length of one working day', (cal, expected) => {
    expect(workingDayMs(cal)).toBe(expected);
  });
});

describe('formatInZone', () => {
  it.each([
    ['2026-11-23T17:00:00Z', 'America/New_York', 'Mon 23 Nov, 12:00 EST'],
    ['2026-07-01T16:05:00Z', 'America/New_York', 'Wed 1 Jul, 12:05 EDT'],
    ['2026-07-01T12:00:00Z', 'Europe/London', 'Wed 1 Jul, 13:00 BST'],
    ['2026-12-01T12:00:00Z', 'Europe/London', 'Tue 1 Dec, 12:00 GMT'],
    ['2026-09-01T12:00:00Z', 'Europe/Paris', 'Tue 1 Sep, 14:00 CEST'],
    ['2026-09-01T12:00:00Z', 'Asia/Tokyo', 'Tue 1 Sep, 21:00 GMT+9'],
    ['2026-09-01T00:30:00Z', 'UTC', 'Tue 1 Sep, 00:30 UTC'],
  ])('%s in %s → %s', (iso, zone, expected) => {
    expect(formatInZone(at(iso), zone)).toBe(expected);
  });

  it('rejects an unknown zone by name', () => {
    expect(() => formatInZone(at('2026-09-01T00:30:00Z'), 'Europe/Atlantis')).toThrow(
      'unknown time zone "Europe/Atlantis": expected an IANA time zone',
    );
  });
});

describe('calendarDaysBetween', () => {
  it.each([
    ['same local day', '2026-11-20T14:00:00Z', '2026-11-20T21:00:00Z', 'America/New_York', 0],
    ['23:00 New York is the day before', '2026-11-20T04:00:00Z', '2026-11-20T15:00:00Z', 'America/New_York', 1],
    ['but the same day in UTC', '2026-11-20T04:00:00Z', '2026-11-20T15:00:00Z', 'UTC', 0],
    ['across a weekend and DST end', '2026-10-30T15:00:00Z', '2026-11-02T15:00:00Z', 'America/New_York', 3],
  ])('%s', (_case, earlier, later, zone, expected) => {
    expect(calendarDaysBetween(at(earlier), at(later), zone)).toBe(expected);
  });
});
