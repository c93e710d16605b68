/**
 * What the handoff does when a channel or the lead's story does not go to plan (issue 9): a DM that fails is retried
 * until the first rung, email is the fallback, a rep nobody could reach is flagged and their manager told; a
 * prospect who comes back during re-nurture is re-qualified at once; a rejected lead shows no owner; a DM Slack no
 * longer has (a sandbox restarted without its state) is posted again and kept current from then on. On the
 * time-skipping server, the sample org with its ladders on the wall clock (reminder 30 min after assignment).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ServiceError } from '../../src/activities/service-error';
import { createSlackChat } from '../../src/activities/slack/slack-chat';
import { startSlackEmulator } from '../../src/sandbox/slack/slack-emulator';
import { startHandoff } from '../../src/client/handoff-commands';
import {
  acceptUpdate,
  reassignUpdate,
  rejectUpdate,
  repActivitySignal,
  statusQuery,
  type HandoffStatus,
} from '../../src/workflows/definitions';
import { timeSkippingEnv } from '../harness/temporal';
import { recordHistoryIfAsked } from '../support/histories';
import { cleanUpHandoffs, handoffFixture, wallClockOrg, type HandoffFixture } from '../support/handoff-fixture';
import { demoRequestLead } from '../support/leads';
import { entriesOf, firstOf, hasEntry } from '../support/timeline';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterEach(cleanUpHandoffs);
afterAll(async () => {
  await env?.teardown();
});

const unavailable = () =>
  new ServiceError('slack: post message failed (503)', { service: 'slack', operation: 'post message', status: 503 });
const emailDown = () =>
  new ServiceError('email: send failed (421)', { service: 'email', operation: 'send', transport: true });
const userNotFound = () =>
  new ServiceError('slack: open DM failed (user_not_found)', {
    service: 'slack',
    operation: 'open DM',
    status: 404,
    code: 'user_not_found',
  });

async function statusOnceNotified(
  fx: HandoffFixture,
  handle: { query: (q: typeof statusQuery) => Promise<HandoffStatus> },
): Promise<HandoffStatus> {
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(statusQuery);
    if (hasEntry(s, 'rep_notified')) return s;
    await env.sleep(MIN);
  }
  throw new Error(`no notification recorded; world has ${fx.world.chat.length} messages`);
}

describe('notifying the rep', () => {
  test('a DM that fails three times with 503 is retried until it lands: one DM, one backup email', async () => {
    const fx = await handoffFixture(env);
    fx.world.failNext('slack', 3, unavailable);
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      const s = await statusOnceNotified(fx, handle);
      expect(fx.world.briefsTo('rep-ana')).toHaveLength(1);
      expect(fx.world.emails.filter((e) => e.to === 'rep-ana')).toHaveLength(1);
      expect(firstOf(s, 'rep_notified')!.detail).toMatch(/^Slack DM, email/);
      expect(s.flags).not.toContain('notify_failed');
      expect((await handle.describe()).searchAttributes.NotifyFailed).toEqual([false]);
      await handle.terminate('test over');
    });
  });

  test('a DM refused for good (user_not_found) falls back to email at once, even without email backup', async () => {
    const config = wallClockOrg();
    config.notifications.emailBackup = false;
    const fx = await handoffFixture(env, { config });
    fx.world.unreachable.set('slack:rep-ana', userNotFound);
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      const s = await statusOnceNotified(fx, handle);
      expect(fx.world.unreachableAttempts.get('slack:rep-ana')).toBe(1); // not retried: the request itself is wrong
      expect(fx.world.emails.filter((e) => e.to === 'rep-ana')).toHaveLength(1);
      expect(firstOf(s, 'rep_notified')!.detail).toBe(
        'email, mobile push; failed: slack: open DM failed (user_not_found)',
      );
      expect(s.flags).not.toContain('notify_failed');
      await handle.terminate('test over');
    });
  });

  test('nobody reached: retried until the first rung, then flagged NotifyFailed and the manager told', async () => {
    const fx = await handoffFixture(env);
    fx.world.unreachable.set('slack:rep-ana', unavailable);
    fx.world.unreachable.set('email:rep-ana', emailDown);
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      const s = await statusOnceNotified(fx, handle);
      const assigned = Date.parse(firstOf(s, 'assigned')!.at);
      const failedAt = Date.parse(firstOf(s, 'notify_failed')!.at);
      // The sample ladder's first rung (reminder) is 30 minutes after assignment: retries stop there, not before.
      expect(failedAt - assigned).toBeGreaterThanOrEqual(29 * MIN);
      expect(failedAt - assigned).toBeLessThan(32 * MIN);
      expect(fx.world.unreachableAttempts.get('slack:rep-ana')).toBeGreaterThan(3);
      expect(s.flags).toContain('notify_failed');
      expect((await handle.describe()).searchAttributes.NotifyFailed).toEqual([true]);
      expect(fx.world.noticesOf('assignee_unreachable').map((m) => m.to)).toEqual(['mgr-sdr']);
      expect(fx.world.briefsTo('rep-ana')).toHaveLength(0);
      await recordHistoryIfAsked(handle, 'notify-failed-manager-told', { terminate: true });
    });
  });
});

describe('a prospect who comes back during re-nurture', () => {
  async function renurturing(fx: HandoffFixture) {
    const lead = demoRequestLead();
    const handle = await fx.start(lead);
    await env.sleep(MIN);
    const rejected = await handle.executeUpdate(rejectUpdate, {
      args: [{ repId: 'rep-ana', reason: 'timing_not_right' }],
    });
    expect(rejected.stage).toBe('renurturing');
    return { lead, handle, rejectedAt: Date.parse(rejected.at) };
  }

  test('a new MQL event wakes it: re-qualified now, a fresh handoff, logged "returned during re-nurture"', async () => {
    const fx = await handoffFixture(env);
    await fx.worker.runUntil(async () => {
      const { lead, handle, rejectedAt } = await renurturing(fx);
      await env.sleep(30 * DAY);
      const at = new Date(await env.currentTimeMs()).toISOString();
      // As the bridge does for a new MQL webhook.
      const r = await startHandoff(
        env.client,
        fx.taskQueue,
        {
          source: 'hubspot',
          contactId: lead.contactId,
          trigger: { kind: 'form_submission', at, detail: 'Contact sales' },
        },
        Date.parse(at),
      );
      expect(r.outcome).toBe('attached');
      let s = await handle.query(statusQuery);
      for (let i = 0; i < 50 && s.cycle === 0; i++) {
        await env.sleep(1000);
        s = await handle.query(statusQuery);
      }
      expect(s.cycle).toBe(1);
      expect(['routing', 'awaiting_first_touch']).toContain(s.stage);
      const returned = firstOf(s, 'returned_during_renurture')!;
      expect(Date.parse(returned.at) - rejectedAt).toBeLessThan(31 * DAY); // not the 90-day re-evaluation
      expect(entriesOf(s, 'mql_trigger').map((e) => e.event)).toEqual([
        'MQL trigger: property_change',
        'MQL trigger: form_submission',
      ]);
      // The first run holds the wake-up; the handle follows the continued run.
      await recordHistoryIfAsked(
        env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId),
        'returned-during-renurture',
      );
      await handle.terminate('test over');
    });
  });

  test('the old MQL event delivered again does not wake it', async () => {
    const fx = await handoffFixture(env);
    await fx.worker.runUntil(async () => {
      const { lead, handle, rejectedAt } = await renurturing(fx);
      await env.sleep(DAY);
      const before = new Date(rejectedAt - 2 * MIN).toISOString();
      const r = await startHandoff(
        env.client,
        fx.taskQueue,
        {
          source: 'hubspot',
          contactId: lead.contactId,
          trigger: { kind: 'property_change', at: before, detail: 'lifecyclestage' },
        },
        Date.parse(before),
      );
      expect(r.outcome).toBe('attached');
      await env.sleep(DAY);
      const s = await handle.query(statusQuery);
      expect(s.stage).toBe('renurturing');
      expect(s.cycle).toBe(0);
      expect(hasEntry(s, 'returned_during_renurture')).toBe(false);
      await handle.terminate('test over');
    });
  });

  test('a rejected lead in re-nurture has no owner in its status', async () => {
    const fx = await handoffFixture(env);
    await fx.worker.runUntil(async () => {
      const { handle } = await renurturing(fx);
      const s = await handle.query(statusQuery);
      expect(s.owner).toBeNull();
      expect(entriesOf(s, 'rejected')[0]!.detail).toMatch(/by Ana Ruiz/);
      await handle.terminate('test over');
    });
  });
});

describe('the CRM hears the outcome, and the deal follows the lead', () => {
  test('first touch is written; the handoff’s deal moves with a reassignment and closes lost on rejection', async () => {
    const fx = await handoffFixture(env);
    await fx.worker.runUntil(async () => {
      const lead = demoRequestLead(); // high intent: the handoff creates a deal for Ana
      const handle = await fx.start(lead);
      await env.sleep(10 * MIN);
      const [deal] = [...fx.world.deals.values()];
      expect(deal).toMatchObject({ ownerId: '71000001', stage: 'open' });
      await handle.executeUpdate(reassignUpdate, {
        args: [{ toRepId: 'rep-dev', reason: 'Dev covers this account', requestedBy: 'ops@acme' }],
      });
      expect(fx.world.deals.get(deal!.id)?.ownerId).toBe('71000004'); // Dev's HubSpot owner id
      await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot' });
      let s = await handle.query(statusQuery);
      for (let i = 0; i < 20 && s.stage !== 'awaiting_decision'; i++) {
        await env.sleep(1000);
        s = await handle.query(statusQuery);
      }
      expect(fx.world.salesOutcomes.map((o) => o.kind)).toEqual(['first_touch']);
      await handle.executeUpdate(rejectUpdate, { args: [{ repId: 'rep-dev', reason: 'no_budget_signal' }] });
      expect(fx.world.deals.get(deal!.id)).toMatchObject({
        stage: 'closed_lost',
        closedLostReason: 'No budget signal',
      });
      expect(fx.world.salesOutcomes.map((o) => o.kind)).toEqual(['first_touch', 'rejected']);
      await handle.result();
    });
  });

  test('a lead routed to an open deal’s owner never closes that deal', async () => {
    const fx = await handoffFixture(env);
    await fx.worker.runUntil(async () => {
      const lead = demoRequestLead();
      fx.world.openDeals.set(lead.company!.domain!, {
        id: 'deal-existing',
        name: 'Smallco renewal',
        ownerId: '71000002',
      });
      fx.world.deals.set('deal-existing', {
        id: 'deal-existing',
        key: 'elsewhere',
        ownerId: '71000002',
        name: 'Smallco renewal',
        contactId: lead.contactId,
        stage: 'open',
      });
      const handle = await fx.start(lead);
      await env.sleep(MIN);
      expect((await handle.query(statusQuery)).owner?.repId).toBe('rep-ben');
      await handle.executeUpdate(rejectUpdate, { args: [{ repId: 'rep-ben', reason: 'wrong_title' }] });
      expect(fx.world.deals.get('deal-existing')).toMatchObject({ stage: 'open', ownerId: '71000002' });
      await handle.result();
    });
  });
});

describe('the DM gone from Slack mid-handoff (issue 9.8: a sandbox restarted without its state)', () => {
  test('the next update posts it again, the handoff keeps the new message, and accept updates that one', async () => {
    const slack = await startSlackEmulator({ config: wallClockOrg() });
    try {
      const fx = await handoffFixture(env, { chat: createSlackChat({ token: slack.token, apiUrl: slack.apiUrl }) });
      await fx.worker.runUntil(async () => {
        const handle = await fx.start(demoRequestLead());
        await statusOnceNotified(fx, handle);
        const [brief, ...others] = slack.dmsTo('U0REPANA1');
        expect(others).toEqual([]);
        slack.forgetConversation(brief!.channel);

        // Outreach logged: the DM it would update is gone, so it is posted again in its new state.
        await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot' });
        let s = await handle.query(statusQuery);
        for (let i = 0; i < 20 && !hasEntry(s, 'dm_reposted'); i++) {
          await env.sleep(1000);
          s = await handle.query(statusQuery);
        }
        expect(s.stage).toBe('awaiting_decision');
        expect(firstOf(s, 'dm_reposted')!.detail).toBe(
          'the message was gone from Slack; reached_out shown on the new one',
        );
        const [reposted, ...more] = slack.dmsTo('U0REPANA1');
        expect(more).toEqual([]);
        expect(reposted!.ts).not.toBe(brief!.ts);
        expect(reposted!.text).toMatch(/outreach logged/);

        // Accept goes straight to the new message: one chat.update, nothing looked up or posted.
        const from = slack.requests.length;
        await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana' }] });
        expect(slack.requests.slice(from).map((r) => r.path)).toEqual(['/api/chat.update']);
        expect(slack.dmsTo('U0REPANA1')).toEqual([
          expect.objectContaining({ ts: reposted!.ts, text: expect.stringMatching(/^MQL accepted: /) }),
        ]);
        s = await handle.query(statusQuery);
        expect(s.flags.filter((f) => f.includes('Slack'))).toEqual([]);
        expect(s.outcome).toBe('accepted');
      });
    } finally {
      await slack.close();
    }
  });
});
