/**
 * The simulation's model on its own: the same seed draws the same quarter; MQLs arrive mostly on weekdays in
 * working hours; a rep reacts in their working hours and works one lead at a time (the queue is what makes fewer
 * reps slower).
 */
import { calendarOf } from '../../src/domain/org';
import { arrivals, repAnswer, syntheticLead } from '../../src/simulation/model';
import { sampleOrg } from '../support/handoff-fixture';

const config = sampleOrg();
const usEast = calendarOf(config, 'sdr-inbound'); // 08:00–17:00 Mon–Fri, New York
const start = new Date('2027-01-04T00:00:00Z'); // a Monday

describe('arrivals', () => {
  const moments = arrivals({ count: 2000, seed: 7, start, days: 91, utcOffsetHours: -5 });

  test('the same seed gives the same quarter; another seed another', () => {
    expect(arrivals({ count: 2000, seed: 7, start, days: 91, utcOffsetHours: -5 })).toEqual(moments);
    expect(arrivals({ count: 2000, seed: 8, start, days: 91, utcOffsetHours: -5 })).not.toEqual(moments);
  });

  test('2,000 strictly increasing moments within the 91 days', () => {
    expect(moments).toHaveLength(2000);
    expect(moments.every((m, i) => i === 0 || m > moments[i - 1]!)).toBe(true);
    expect(moments[0]!.getTime()).toBeGreaterThanOrEqual(start.getTime() - 5 * 3_600_000);
    expect(moments.at(-1)!.getTime()).toBeLessThan(start.getTime() + 92 * 86_400_000);
  });

  test('mostly weekdays, mostly 08:00–18:00 New York', () => {
    const local = moments.map((m) => new Date(m.getTime() - 5 * 3_600_000));
    const weekend = local.filter((d) => d.getUTCDay() === 0 || d.getUTCDay() === 6).length;
    const office = local.filter((d) => d.getUTCHours() >= 8 && d.getUTCHours() < 18).length;
    expect(weekend / moments.length).toBeLessThan(0.1);
    expect(office / moments.length).toBeGreaterThan(0.85);
  });
});

test('synthetic leads: about 5% fail the ICP (students), the rest are inbound or outbound MQLs', () => {
  const leads = Array.from({ length: 1000 }, (_, i) =>
    syntheticLead({ seed: 7, index: i, contactId: `c${i}`, at: start, config }),
  );
  const students = leads.filter((l) => l.jobTitle === 'Student').length;
  expect(students).toBeGreaterThan(20);
  expect(students).toBeLessThan(90);
  expect(leads.some((l) => l.sourcedBy === 'outbound')).toBe(true);
  expect(new Set(leads.map((l) => l.company!.industry)).size).toBeGreaterThan(3);
});

describe('a rep answering', () => {
  const friday1650 = new Date('2027-01-08T21:50:00Z'); // Friday 16:50 New York

  test('reacts in working hours: a DM at Friday 16:50 is touched Friday before 17:00 or Monday from 08:00', () => {
    for (let no = 1; no <= 40; no++) {
      const a = repAnswer({
        seed: 3,
        leadId: `lead-${no}`,
        no: 1,
        repId: 'rep-ana',
        dmAt: friday1650,
        calendar: usEast,
      });
      if (!a.touchAt) continue; // this one never touches it
      const t = a.touchAt.getTime();
      const fridayClose = Date.parse('2027-01-08T22:00:00Z');
      const mondayOpen = Date.parse('2027-01-11T13:00:00Z');
      expect(t < fridayClose || t >= mondayOpen).toBe(true);
      expect(a.decideAt!.getTime()).toBeGreaterThan(t);
    }
  });

  test('a rep still busy with earlier leads touches the next one only when free', () => {
    const dmAt = new Date('2027-01-05T15:00:00Z'); // Tuesday 10:00
    const idle = repAnswer({ seed: 3, leadId: 'lead-x', no: 1, repId: 'rep-ben', dmAt, calendar: usEast });
    const busyUntil = new Date('2027-01-05T20:00:00Z'); // Tuesday 15:00
    const busy = repAnswer({ seed: 3, leadId: 'lead-x', no: 1, repId: 'rep-ben', dmAt, calendar: usEast, busyUntil });
    expect(idle.touchAt!.getTime()).toBeLessThan(busyUntil.getTime());
    expect(busy.touchAt).toEqual(busyUntil);
    expect(busy.busyUntil!.getTime()).toBeGreaterThan(busyUntil.getTime());
  });
});
