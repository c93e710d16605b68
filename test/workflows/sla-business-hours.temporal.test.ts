/**
 * Every rung of the demo-request ladder counts business time of the assignee's calendar (issue: a Friday 16:00 demo
 * request was reassigned at 20:00 and sent to VP review on Saturday while first touch was due Monday 11:00).
 * The time-skipping server's clock is moved to a chosen local instant first; expected instants are written as
 * local wall-clock times and converted with Intl here, independently of src/domain/business-hours.ts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OrgConfig } from '../../src/domain/org-config';
import { repActivitySignal, statusQuery, type HandoffStatus } from '../../src/workflows/definitions';
import { timeSkippingEnv } from '../harness/temporal';
import { cleanUpHandoffs, handoffFixture, sampleOrg } from '../support/handoff-fixture';
import { demoRequestLead } from '../support/leads';
import { entriesOf } from '../support/timeline';

const NY = 'America/New_York';
const LA = 'America/Los_Angeles';
const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterEach(cleanUpHandoffs);
afterAll(async () => {
  await env?.teardown();
});

// ---- local wall clock ↔ instant, with Intl only ----

function wallClock(ms: number, zone: string): { date: string; weekday: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    weekday: get('weekday'),
    time: `${get('hour')}:${get('minute')}`,
  };
}

function offsetMs(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.parse(`${w.date}T${w.time}:00Z`) - Math.floor(ms / 60_000) * 60_000;
}

/** The instant at which the clock in `zone` reads `date` `time`. */
function at(date: string, time: string, zone: string): number {
  const asUtc = Date.parse(`${date}T${time}:00Z`);
  const guess = asUtc - offsetMs(asUtc, zone);
  return asUtc - offsetMs(guess, zone);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** The first Friday on or after `fromMs` (local to `zone`) whose 16:00 is still ahead, by its local date. */
function nextFriday(fromMs: number, zone: string): string {
  for (let d = wallClock(fromMs, zone).date; ; d = addDays(d, 1)) {
    if (wallClock(at(d, '12:00', zone), zone).weekday === 'Fri' && at(d, '16:00', zone) > fromMs + 60_000) return d;
  }
}

/** The Friday before the next change of New York's UTC offset (DST starts or ends on a Sunday). */
function fridayBeforeDstChange(fromMs: number): string {
  for (let d = wallClock(fromMs, NY).date; ; d = addDays(d, 1)) {
    const friday = addDays(d, -2);
    const changed = offsetMs(at(d, '12:00', NY), NY) !== offsetMs(at(addDays(d, -1), '12:00', NY), NY);
    if (changed && at(friday, '16:00', NY) > fromMs + 60_000) return friday;
  }
}

// ---- the org ----

/** The sample org as shipped (business-hours ladders), with the holidays the test names and nobody out of office. */
function orgWith(opts: { holidays?: string[]; anaZone?: string } = {}): OrgConfig {
  const config = sampleOrg();
  config.calendars = config.calendars.map((c) => (c.id === 'us-east' ? { ...c, holidays: opts.holidays ?? [] } : c));
  for (const team of config.teams) for (const rep of team.reps) rep.outOfOffice = [];
  if (opts.anaZone) config.teams.find((t) => t.id === 'sdr-inbound')!.reps[0]!.timeZone = opts.anaZone;
  return config;
}

/** A demo request arriving at `arrival`, then nobody touching it until `until`. */
async function ladderUntouched(config: OrgConfig, arrival: number, until: number): Promise<HandoffStatus> {
  const now = await env.currentTimeMs();
  await env.sleep(arrival - now);
  const fx = await handoffFixture(env, { config });
  return fx.worker.runUntil(async () => {
    const handle = await fx.start(demoRequestLead({}, arrival), { at: new Date(arrival).toISOString() });
    await env.sleep(until - arrival);
    const status = await handle.query(statusQuery);
    await handle.terminate('test over');
    return status;
  });
}

/** Each fired rung as [rung, local wall clock of `zone`]. */
function rungsLocal(s: HandoffStatus, zone: string): [string, string][] {
  return entriesOf(s, 'sla_rung').map((e) => {
    const w = wallClock(Date.parse(e.at), zone);
    return [e.rung!, `${w.weekday} ${w.time}`];
  });
}

/** Each fired rung as [rung, instant]. */
function rungInstants(s: HandoffStatus): [string, number][] {
  return entriesOf(s, 'sla_rung').map((e) => [e.rung!, Math.floor(Date.parse(e.at) / 60_000) * 60_000]);
}

test('a Friday 16:00 demo request: reminder at 16:30, nothing over the weekend, reassignment Monday 11:00', async () => {
  const friday = nextFriday(await env.currentTimeMs(), NY);
  const monday = addDays(friday, 3);
  const s = await ladderUntouched(orgWith(), at(friday, '16:00', NY), at(addDays(friday, 5), '14:00', NY));
  expect(rungsLocal(s, NY)).toEqual([
    ['reminder', 'Fri 16:30'],
    // Friday 16:00–17:00 is the first business hour; Monday 08:00–09:00 the second.
    ['manager_escalation', 'Mon 09:00'],
    ['reassignment', 'Mon 11:00'],
    // Ben's ladder starts Monday 11:00; the VP review counts 24 business hours from the MQL:
    // Fri 1 h + Mon 9 h + Tue 9 h + Wed 5 h.
    ['reminder', 'Mon 11:30'],
    ['manager_escalation', 'Mon 13:00'],
    ['vp_review', 'Wed 13:00'],
  ]);
  expect(rungInstants(s)[2]).toEqual(['reassignment', at(monday, '11:00', NY)]);
  expect(s.owner?.repId).toBe('rep-ben');
  // Ben's first touch is due 4 business hours after Monday 11:00: Monday 15:00.
  expect(Math.floor(Date.parse(s.slaDueAt!) / 60_000) * 60_000).toBe(at(monday, '15:00', NY));
});

test('a holiday Monday does not count: escalation Tuesday 09:00, reassignment Tuesday 11:00', async () => {
  const friday = nextFriday(await env.currentTimeMs(), NY);
  const monday = addDays(friday, 3);
  const s = await ladderUntouched(
    orgWith({ holidays: [monday] }),
    at(friday, '16:00', NY),
    at(addDays(friday, 4), '12:00', NY),
  );
  expect(rungsLocal(s, NY).slice(0, 3)).toEqual([
    ['reminder', 'Fri 16:30'],
    ['manager_escalation', 'Tue 09:00'],
    ['reassignment', 'Tue 11:00'],
  ]);
});

test('across a DST change the rungs keep local working hours', async () => {
  const friday = fridayBeforeDstChange(await env.currentTimeMs());
  const monday = addDays(friday, 3);
  const s = await ladderUntouched(orgWith(), at(friday, '16:00', NY), at(monday, '12:00', NY));
  // Monday 09:00 and 11:00 local, in the new offset: one hour off if the change were ignored.
  expect(rungInstants(s).slice(0, 3)).toEqual([
    ['reminder', at(friday, '16:30', NY)],
    ['manager_escalation', at(monday, '09:00', NY)],
    ['reassignment', at(monday, '11:00', NY)],
  ]);
  expect(offsetMs(at(friday, '16:00', NY), NY)).not.toBe(offsetMs(at(monday, '09:00', NY), NY));
});

test('a rep who touches the lead after the deadline is recorded as missing the SLA (status and search attribute)', async () => {
  const friday = nextFriday(await env.currentTimeMs(), NY);
  const monday = addDays(friday, 3);
  const config = orgWith();
  config.sla.maxReassignments = 0; // Ana keeps the lead past her deadline, Monday 11:00
  await env.sleep(at(friday, '16:00', NY) - (await env.currentTimeMs()));
  const fx = await handoffFixture(env, { config });
  await fx.worker.runUntil(async () => {
    const handle = await fx.start(demoRequestLead({}, at(friday, '16:00', NY)));
    await env.sleep(at(monday, '10:59', NY) - (await env.currentTimeMs()));
    expect((await handle.query(statusQuery)).slaMissedBy).toEqual([]);
    await env.sleep(at(monday, '12:00', NY) - (await env.currentTimeMs()));
    await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot' });
    let s = await handle.query(statusQuery);
    for (let i = 0; i < 20 && s.stage !== 'awaiting_decision'; i++) {
      await env.sleep(1000);
      s = await handle.query(statusQuery);
    }
    expect(s.slaMissedBy).toEqual(['rep-ana']);
    expect((await handle.describe()).searchAttributes.SlaMissedBy).toEqual(['rep-ana']);
    await handle.terminate('test over');
  });
});

test("a rep with their own time zone is held to the team's hours in that zone", async () => {
  // Ana works from Los Angeles: 08:00–17:00 there, three hours after New York.
  const friday = nextFriday(await env.currentTimeMs(), LA);
  const s = await ladderUntouched(
    orgWith({ anaZone: LA }),
    at(friday, '16:00', LA),
    at(addDays(friday, 3), '10:00', LA),
  );
  expect(rungsLocal(s, LA).slice(0, 2)).toEqual([
    ['reminder', 'Fri 16:30'],
    ['manager_escalation', 'Mon 09:00'],
  ]);
});
