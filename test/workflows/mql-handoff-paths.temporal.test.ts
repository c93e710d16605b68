/**
 * The handoff's paths at their real durations (30 min, 2 h, 4 h, 24 h, 90 days) on the Java time-skipping server,
 * with the real workflows and activities over in-memory CRM/chat ports and the sample org.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { REJECTION_REASONS, type RejectionReason } from '../../src/domain/vocabulary';
import {
  acceptUpdate,
  reassignUpdate,
  rejectUpdate,
  repActivitySignal,
  statusQuery,
  type CurrentRung,
  type HandoffStatus,
  type TimelineKind,
} from '../../src/workflows/definitions';
import { timeSkippingEnv } from '../harness/temporal';
import { eventually } from '../support/eventually';
import { recordHistoryIfAsked } from '../support/histories';
import { cleanUpHandoffs, handoffFixture, sampleOrg, type HandoffFixture } from '../support/handoff-fixture';
import { demoRequestLead, studentLead } from '../support/leads';
import { entriesOf, firstOf, hasEntry, rungsFired } from '../support/timeline';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterEach(cleanUpHandoffs);
afterAll(async () => {
  await env?.teardown();
});

/** A fresh worker, task queue and team rosters per test: who gets the lead is then predictable. */
async function fixture(): Promise<HandoffFixture> {
  return handoffFixture(env);
}

/** Minutes after the MQL at which each firing of `rung` happened. */
function minutesAfterMql(status: HandoffStatus, rung: CurrentRung): number[] {
  const mql = Date.parse(status.mqlAt!);
  return entriesOf(status, 'sla_rung')
    .filter((e) => e.rung === rung)
    .map((e) => Math.round((Date.parse(e.at) - mql) / MIN));
}

test('a demo request is accepted after first touch at minute 5', async () => {
  const fx = await fixture();
  await fx.worker.runUntil(async () => {
    const lead = demoRequestLead();
    const handle = await fx.start(lead);
    await env.sleep(5 * MIN);
    const before = await handle.query(statusQuery);
    expect(before).toMatchObject({ stage: 'awaiting_first_touch', owner: { repId: 'rep-ana' }, team: 'sdr-inbound' });
    expect(fx.world.briefsTo('rep-ana')).toHaveLength(1);
    expect(fx.world.tasks.size).toBe(1);
    expect(fx.world.deals.size).toBe(1); // a demo request is a high-intent action: a deal at stage MQL
    expect(fx.world.lifecycleOf(lead.contactId)).toBe('marketingqualifiedlead');

    await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot', externalId: 'call-1' });
    const decided = await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana' }] });
    expect(decided.stage).toBe('accepted');

    const result = await handle.result();
    expect(result.outcome).toBe('accepted');
    expect(result.status.speedToContactMs).toBeGreaterThan(4.9 * MIN);
    expect(result.status.speedToContactMs).toBeLessThan(6 * MIN);
    expect(fx.world.lifecycleOf(lead.contactId)).toBe('salesqualifiedlead');
    expect([...fx.world.tasks.values()][0]!.status).toBe('COMPLETED');
    expect(fx.world.chatUpdates.map((u) => u.state.kind)).toEqual(['reached_out', 'accepted']);
    expect(fx.world.chat.filter((m) => m.kind === 'notice')).toHaveLength(0);
    await recordHistoryIfAsked(handle, 'accepted-after-first-touch');
  });
});

describe('activity just before a rung stops the ladder there', () => {
  test.each([
    { before: 'reminder', at: 29 * MIN, fired: [] },
    { before: 'manager_escalation', at: 119 * MIN, fired: ['reminder'] },
    { before: 'reassignment', at: 239 * MIN, fired: ['reminder', 'manager_escalation'] },
  ])('activity at $at ms, just before the $before rung', async ({ at, fired }) => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      await env.sleep(at);
      await handle.signal(repActivitySignal, { type: 'email', source: 'hubspot' });
      // Long after every rung would have fired: nothing more happens before the decision.
      const status = await waitForStage(handle, 'awaiting_decision');
      await env.sleep(20 * HOUR);
      const later = await handle.query(statusQuery);
      expect(status.owner?.repId).toBe('rep-ana');
      expect(later.owner?.repId).toBe('rep-ana');
      const rungs = rungsFired(later);
      expect(rungs).toEqual(fired);
      expect(later.reassignments).toBe(0);
      await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana' }] });
      expect((await handle.result()).outcome).toBe('accepted');
    });
  });

  test('activity just before the 24 h VP review (after the 4 h reassignment)', async () => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      await env.sleep(23 * HOUR + 59 * MIN);
      await handle.signal(repActivitySignal, { type: 'meeting', source: 'salesforce' });
      await waitForStage(handle, 'awaiting_decision');
      await env.sleep(2 * HOUR);
      const status = await handle.query(statusQuery);
      expect(status.owner?.repId).toBe('rep-ben');
      expect(rungsFired(status)).not.toContain('vp_review');
      expect(fx.world.noticesOf('vp_review')).toHaveLength(0);
      await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ben' }] });
      await handle.result();
    });
  });
});

test('no activity at all: every rung fires in order, the next rep gets the lead and their ladder runs', async () => {
  const fx = await fixture();
  await fx.worker.runUntil(async () => {
    const lead = demoRequestLead();
    const handle = await fx.start(lead);
    await env.sleep(25 * HOUR);
    const s = await handle.query(statusQuery);

    expect(minutesAfterMql(s, 'reminder')).toEqual([30, 270]);
    expect(minutesAfterMql(s, 'manager_escalation')).toEqual([120, 360]);
    expect(minutesAfterMql(s, 'reassignment')).toEqual([240]);
    expect(minutesAfterMql(s, 'vp_review')).toEqual([1440]);
    expect(s.owner?.repId).toBe('rep-ben');
    expect(s.reassignments).toBe(1);
    expect(s.rung).toBe('vp_review');
    expect(s.flags).toContain('vp_review');

    const w = fx.world;
    expect(w.noticesOf('reminder').map((m) => m.to)).toEqual(['rep-ana', 'rep-ben']);
    expect(w.noticesOf('manager_escalation').map((m) => m.to)).toEqual(['mgr-sdr', 'mgr-sdr']);
    expect(w.noticesOf('reassigned_away').map((m) => m.to)).toEqual(['rep-ana']);
    expect(w.noticesOf('reassignment_manager_notice').map((m) => m.to)).toEqual(['mgr-sdr']);
    expect(w.noticesOf('vp_review').map((m) => m.to)).toEqual(['C0REVOPS01']);
    expect(w.briefsTo('rep-ben')).toHaveLength(1);
    const tasks = [...w.tasks.values()];
    expect(tasks.map((t) => [t.ownerId, t.status])).toEqual([
      ['71000001', 'CLOSED_REASSIGNED'],
      ['71000002', 'NOT_STARTED'],
    ]);
    expect(w.chatUpdates.map((u) => u.state.kind)).toEqual(['reassigned']);
    expect(w.deals.size).toBe(1); // the deal is not recreated for the new rep
    await recordHistoryIfAsked(handle, 'no-activity-full-ladder', { terminate: true });
  });
});

describe('rejection', () => {
  test.each(REJECTION_REASONS.filter((r) => r !== 'timing_not_right'))('reason %s', async (reason: RejectionReason) => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const lead = demoRequestLead();
      const handle = await fx.start(lead);
      await env.sleep(10 * MIN);
      await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot' });
      const r = await handle.executeUpdate(rejectUpdate, { args: [{ repId: 'rep-ana', reason, note: 'checked' }] });
      expect(r.stage).toBe('rejected');
      const result = await handle.result();
      const track = fx.config.rejection.reasons.find((x) => x.reason === reason)!;
      expect(result.outcome).toBe('rejected');
      expect(result.status.rejectReason).toBe(reason);
      expect(fx.world.lifecycleOf(lead.contactId)).toBe('lead');
      expect(fx.world.lists.get(track.nurtureListId)?.has(lead.contactId)).toBe(true);
      const write = fx.world.contactWrites.find((x) => x.update.salesRejectedReason === reason);
      expect(write?.update).toMatchObject({ hubspotOwnerId: null, leadStatus: track.leadStatus });
      expect(fx.world.noticesOf('lead_rejected')).toHaveLength(1);
      if (reason === 'wrong_title') await recordHistoryIfAsked(handle, 'rejected-wrong-title');
    });
  });

  test('timing not right: 90 days of re-nurture, still qualified, a fresh handoff', async () => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const lead = demoRequestLead();
      const handle = await fx.start(lead);
      await env.sleep(MIN);
      await handle.executeUpdate(rejectUpdate, { args: [{ repId: 'rep-ana', reason: 'timing_not_right' }] });
      const nurturing = await handle.query(statusQuery);
      expect(nurturing.stage).toBe('renurturing');
      expect(fx.world.lists.get('105')?.has(lead.contactId)).toBe(true);

      await env.sleep(89 * DAY);
      expect((await handle.query(statusQuery)).stage).toBe('renurturing');
      await env.sleep(1 * DAY + HOUR);
      const again = await handle.query(statusQuery); // the handle follows the continued run
      expect(again.cycle).toBe(1);
      expect(again.stage).toBe('awaiting_first_touch');
      expect(hasEntry(again, 're_evaluated')).toBe(true);
      expect(fx.world.lifecycleOf(lead.contactId)).toBe('marketingqualifiedlead');
      await handle.executeUpdate(acceptUpdate, { args: [{ repId: again.owner!.repId }] });
      const result = await handle.result();
      expect(result.outcome).toBe('accepted');
      expect(result.status.cycle).toBe(1);
    });
  });

  test('timing not right: after 90 days no longer qualified → recycled', async () => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const lead = demoRequestLead();
      const handle = await fx.start(lead);
      await env.sleep(MIN);
      await handle.executeUpdate(rejectUpdate, { args: [{ repId: 'rep-ana', reason: 'timing_not_right' }] });
      // Meanwhile the scores decayed and the demo request aged out of the CRM's recent engagement.
      const stored = fx.world.contacts.get(lead.contactId)!;
      stored.fitScore = 40;
      stored.engagementScore = 20;
      stored.events = [];
      const result = await handle.result();
      expect(result.outcome).toBe('recycled');
      expect(result.status.cycle).toBe(0);
      const renurtured = Date.parse(firstOf(result.status, 'renurture_scheduled')!.at);
      const recycled = Date.parse(firstOf(result.status, 'recycled')!.at);
      expect(Math.round((recycled - renurtured) / DAY)).toBe(90);
      await recordHistoryIfAsked(handle, 'timing-not-right-recycled');
    });
  });
});

test('sales sits on a touched lead: the manager hears after 2 business days, the VP after 5', async () => {
  const fx = await fixture();
  await fx.worker.runUntil(async () => {
    const handle = await fx.start(demoRequestLead());
    await env.sleep(10 * MIN);
    await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot' });
    const touched = await waitForStage(handle, 'awaiting_decision');
    const { planDecisionLadder } = await import('../../src/domain/sla');
    const { calendarOf } = await import('../../src/domain/org');
    const plan = planDecisionLadder({
      decision: fx.config.sla.decision,
      firstTouchAt: new Date(touched.firstTouchAt!),
      calendar: calendarOf(fx.config, 'sdr-inbound'),
    });
    expect(touched.nextDeadline).toEqual({ what: 'decision_escalation', at: plan[0]!.at });

    await env.sleep(Date.parse(plan[1]!.at) - Date.parse(touched.firstTouchAt!) + HOUR);
    const s = await handle.query(statusQuery);
    const at = (rung: CurrentRung) => entriesOf(s, 'decision_rung').find((e) => e.rung === rung)?.at;
    // Each rung fires when its timer does (a few ms after the planned instant).
    expect(Date.parse(at('decision_escalation')!) - Date.parse(plan[0]!.at)).toBeLessThan(MIN);
    expect(Date.parse(at('decision_review')!) - Date.parse(plan[1]!.at)).toBeLessThan(MIN);
    expect(Date.parse(at('decision_escalation')!)).toBeGreaterThanOrEqual(Date.parse(plan[0]!.at));
    expect(fx.world.noticesOf('decision_overdue').map((m) => m.to)).toEqual(['mgr-sdr']);
    expect(fx.world.noticesOf('decision_review').map((m) => m.to)).toEqual(['C0REVOPS01']);
    expect(s).toMatchObject({ stage: 'awaiting_decision', rung: 'decision_review' });
    expect(s.flags).toContain('decision_review');

    await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana' }] });
    expect((await handle.result()).outcome).toBe('accepted');
  });
});

test('a lead that fails the ICP is disqualified with its reasons and nothing is routed', async () => {
  const fx = await fixture();
  await fx.worker.runUntil(async () => {
    const lead = studentLead();
    const result = await (await fx.start(lead)).result();
    expect(result.outcome).toBe('disqualified');
    expect(result.status.disqualificationReasons.join(' | ')).toMatch(/gmail\.com/);
    expect(result.status.disqualificationReasons.join(' | ')).toMatch(/company/);
    expect(fx.world.chat).toHaveLength(0);
    expect(fx.world.tasks.size).toBe(0);
    expect(fx.world.contactWrites[0]?.update.disqualificationReasons).toContain('gmail.com');
  });
});

test('a second start of the same open MQL attaches to the running execution', async () => {
  const fx = await fixture();
  await fx.worker.runUntil(async () => {
    const lead = demoRequestLead();
    const first = await fx.start(lead);
    const second = await fx.start(lead);
    expect(first.firstExecutionRunId).toEqual(expect.any(String));
    expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
    await env.sleep(MIN);
    expect(fx.world.briefsTo('rep-ana')).toHaveLength(1);
    await first.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana' }] });
    await first.result();
    // Closed: the same lead coming back starts anew.
    const third = await fx.start(lead);
    expect(third.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    // Terminate only at rest: an activity cut off mid-flight would hold the test server's clock.
    await waitForStage(third, 'awaiting_first_touch', 'rep_notified');
    await third.terminate('test over');
  });
});

describe('ops steering', () => {
  test('reassign to a named rep: old task closed, new task and DM, both told', async () => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      await env.sleep(10 * MIN);
      const r = await handle.executeUpdate(reassignUpdate, {
        args: [{ toRepId: 'rep-dev', reason: 'Dev speaks Japanese', requestedBy: 'ops@acme' }],
      });
      expect(r).toMatchObject({ fromRepId: 'rep-ana', toRepId: 'rep-dev' });
      const s = await handle.query(statusQuery);
      expect(s.owner?.repId).toBe('rep-dev');
      expect(s.reassignments).toBe(1);
      expect(fx.world.briefsTo('rep-dev')).toHaveLength(1);
      expect(fx.world.noticesOf('reassigned_away').map((m) => m.to)).toEqual(['rep-ana']);
      expect([...fx.world.tasks.values()].map((t) => t.status)).toEqual(['CLOSED_REASSIGNED', 'NOT_STARTED']);
      // The ladder restarted for Dev: a reminder 30 min after the reassignment.
      await env.sleep(31 * MIN);
      expect(fx.world.noticesOf('reminder').map((m) => m.to)).toEqual(['rep-dev']);
      await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-dev' }] });
      await handle.result();
      await recordHistoryIfAsked(handle, 'ops-reassign-then-accept');
    });
  });

  test('reassign to the next available rep when none is named', async () => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      await env.sleep(MIN);
      const r = await handle.executeUpdate(reassignUpdate, {
        args: [{ reason: 'Ana is overloaded', requestedBy: 'ops' }],
      });
      expect(r.fromRepId).toBe('rep-ana');
      expect(r.toRepId).toBe('rep-ben');
      await handle.terminate('test over');
    });
  });

  test('invalid updates are refused with a clear message and the workflow is unchanged', async () => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      await env.sleep(MIN);
      const before = await handle.query(statusQuery);
      const refusals: [Promise<unknown>, RegExp][] = [
        [handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ben' }] }), /not the owner.*rep-ana/],
        [
          handle.executeUpdate(rejectUpdate, { args: [{ repId: 'rep-ana', reason: 'too_expensive' }] }),
          /too_expensive.*timing_not_right/s,
        ],
        [
          handle.executeUpdate(reassignUpdate, { args: [{ toRepId: 'rep-nobody', reason: 'x', requestedBy: 'ops' }] }),
          /unknown rep "rep-nobody"/,
        ],
        [
          handle.executeUpdate(reassignUpdate, { args: [{ toRepId: 'rep-ana', reason: 'x', requestedBy: 'ops' }] }),
          /already owns/,
        ],
        [
          handle.executeUpdate(reassignUpdate, { args: [{ toRepId: 'rep-ben', reason: ' ', requestedBy: 'ops' }] }),
          /reason/,
        ],
      ];
      for (const [attempt, message] of refusals) {
        await expect(attempt).rejects.toMatchObject({ cause: { message: expect.stringMatching(message) } });
      }
      const after = await handle.query(statusQuery);
      expect(after).toEqual(before);

      await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana' }] });
      await handle.result();
    });
  });
});

describe('routing through the workflow', () => {
  test.each([
    {
      rule: 'named account',
      lead: {
        email: 'dana.ito@globex.example',
        company: {
          id: 'c',
          name: 'Globex',
          domain: 'globex.example',
          employees: 1200,
          industry: 'Software',
          country: 'US',
        },
      },
      owner: 'rep-hugo',
      team: 'ae-enterprise',
    },
    {
      rule: 'territory',
      lead: {
        email: 'lena@brightwave.example',
        company: {
          id: 'c',
          name: 'Brightwave',
          domain: 'brightwave.example',
          employees: 300,
          industry: 'Software',
          country: 'DE',
        },
      },
      owner: 'rep-jonas',
      team: 'ae-enterprise',
    },
    {
      rule: 'size band',
      lead: {
        email: 'sam@northwind.example',
        company: {
          id: 'c',
          name: 'Northwind',
          domain: 'northwind.example',
          employees: 450,
          industry: 'Retail',
          country: 'US',
        },
      },
      owner: 'rep-elena',
      team: 'ae-midmarket',
    },
    {
      rule: 'industry',
      lead: {
        email: 'omar@medcore.example',
        company: {
          id: 'c',
          name: 'MedCore',
          domain: 'medcore.example',
          employees: 150,
          industry: 'Healthcare',
          country: 'US',
        },
      },
      owner: 'rep-grace',
      team: 'ae-midmarket',
    },
  ])('$rule → $owner', async ({ lead, owner, team }) => {
    const fx = await fixture();
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead(lead));
      await env.sleep(MIN);
      const s = await handle.query(statusQuery);
      expect(s.owner?.repId).toBe(owner);
      expect(s.team).toBe(team);
      await handle.terminate('test over');
    });
  });

  test('an open deal on the account goes to its owner and no second deal is created', async () => {
    const fx = await fixture();
    fx.world.openDeals.set('initrode.example', { id: 'deal-77', name: 'Initrode renewal', ownerId: '71000006' });
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(
        demoRequestLead({
          company: {
            id: 'c',
            name: 'Initrode',
            domain: 'initrode.example',
            employees: 800,
            industry: 'Software',
            country: 'US',
          },
        }),
      );
      await env.sleep(MIN);
      const s = await handle.query(statusQuery);
      expect(s.owner?.repId).toBe('rep-farid');
      expect(fx.world.deals.size).toBe(0);
      await handle.terminate('test over');
    });
  });
});

test("business-hours deadline: the first-touch SLA counts only the team calendar's working hours", async () => {
  // One working hour a day (08:00–09:00 New York, every day): 4 business hours take at least three calendar days,
  // so a deadline counted on the wall clock (4 h after assignment) cannot pass for it.
  const config = sampleOrg();
  config.calendars = config.calendars.map((c) =>
    c.id === 'us-east'
      ? {
          ...c,
          workingDays: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
          hours: { start: '08:00', end: '09:00' },
          holidays: [],
        }
      : c,
  );
  const fx = await handoffFixture(env, { config });
  await fx.worker.runUntil(async () => {
    const handle = await fx.start(demoRequestLead());
    await env.sleep(MIN);
    const s = await handle.query(statusQuery);
    const assignedAt = Date.parse(firstOf(s, 'assigned')!.at);
    const due = new Date(s.slaDueAt!);
    expect(due.getTime() - assignedAt).toBeGreaterThan(3 * DAY);
    expect(due.getTime() - assignedAt).toBeLessThanOrEqual(4 * DAY + HOUR);
    const localTime = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(due);
    expect(localTime >= '08:00' && localTime <= '09:00').toBe(true);
    expect([...fx.world.tasks.values()][0]!.dueAt).toBe(s.slaDueAt);
    await handle.terminate('test over');
  });
});

async function waitForStage(
  handle: { query: (q: typeof statusQuery) => Promise<HandoffStatus> },
  stage: HandoffStatus['stage'],
  after?: TimelineKind,
): Promise<HandoffStatus> {
  return eventually(
    () => handle.query(statusQuery),
    (s) => s.stage === stage && (!after || hasEntry(s, after)),
    `stage ${stage}${after ? ` after "${after}"` : ''}`,
  );
}
