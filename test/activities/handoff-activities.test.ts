/**
 * The activity layer on its own: every activity from createHandoffActivities runs in a real activity Context
 * (MockActivityEnvironment from @temporalio/testing, no server) over the in-memory ports, which keep every call
 * and honour idempotency keys the way the real adapters must. The tests assert what reaches the ports and how an
 * adapter's error is classified for Temporal's retry policy (the workflow retries everything except
 * `ServiceRejected` / `ConfigurationError`).
 *
 * claimRep / releaseRep go through a Temporal client to the team roster workflows. Temporal is never mocked, so
 * they are left to the workflow tests on real servers (test/workflows/*.temporal.test.ts, via handoff-fixture).
 * The client given to the factory here is a tripwire that throws when touched: none of the activities tested here
 * may reach Temporal.
 *
 * No activity heartbeats or reads the cancellation signal (each is a few port calls under a 60 s
 * start-to-close timeout), so there is nothing heartbeat- or cancellation-specific to test.
 */
import type { Info } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, ensureApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createHandoffActivities } from '../../src/activities/handoff-activities';
import type { Assignee } from '../../src/domain/assignee';
import type { HandoffActivities } from '../../src/workflows/activity-contracts';
import type { Recipient } from '../../src/activities/ports';
import { ServiceError } from '../../src/activities/service-error';
import type { LeadSummariser } from '../../src/activities/summariser';
import { buildHandoffBrief, type HandoffBrief, type Notice } from '../../src/domain/brief';
import type { EngagementEvent, LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';
import { lead, sampleConfig } from '../domain/fixtures';
import { createInMemoryPorts, InMemoryWorld } from '../support/in-memory-ports';

const WORKFLOW_ID = 'mql-handoff/hubspot/51';
const MQL_AT = '2026-11-24T14:05:00.000Z';

/** Ana Ruiz (sdr-inbound) as the sample config lists her; HubSpot is the sales CRM. */
const ana: Assignee = {
  kind: 'rep',
  id: 'rep-ana',
  name: 'Ana Ruiz',
  email: 'ana.ruiz@acme-analytics.example',
  slackUserId: 'U0REPANA1',
  teamId: 'sdr-inbound',
  salesOwnerId: '71000001',
  hubspotOwnerId: '71000001',
  salesforceUserId: '0055g00000AnaRuAAA',
  timeZone: 'America/New_York',
};
/** The same rep when Salesforce is the sales CRM: the sales-side owner is her Salesforce user. */
const anaOnSalesforce: Assignee = { ...ana, salesOwnerId: '0055g00000AnaRuAAA' };

const reviewer: Recipient = {
  id: 'vp-sales',
  name: 'Marcus Lind',
  email: 'marcus.lind@acme-analytics.example',
  slackUserId: 'U0VPSALES',
};

/** Not a Temporal mock: a client that fails the test if any activity here touches it. */
const noTemporal = new Proxy(
  {},
  {
    get(_target, prop) {
      throw new Error(`this unit test does not use Temporal (client.${String(prop)} was read)`);
    },
  },
) as unknown as Client;

/** A summariser that records what it was asked, so prepareBrief's use of it is visible. */
function recordingSummariser(sentence: string): LeadSummariser & {
  calls: { events: EngagementEvent[]; now: Date }[];
} {
  const calls: { events: EngagementEvent[]; now: Date }[] = [];
  return {
    calls,
    summarise: async (input) => {
      calls.push(input);
      return sentence;
    },
  };
}

interface Setup {
  world: InMemoryWorld;
  acts: HandoffActivities;
  env: MockActivityEnvironment;
  summariser: ReturnType<typeof recordingSummariser>;
}

function setup(
  opts: { salesCrm?: 'hubspot' | 'salesforce'; withPush?: boolean; config?: () => OrgConfig } = {},
): Setup {
  const world = new InMemoryWorld();
  const ports = createInMemoryPorts(world, { salesCrm: opts.salesCrm });
  const summariser = recordingSummariser('Requested a demo today.');
  const config = sampleConfig();
  const acts = createHandoffActivities({
    config: opts.config ?? (() => config),
    marketing: ports.marketing,
    sales: ports.sales,
    chat: ports.chat,
    email: ports.email,
    push: opts.withPush === false ? undefined : ports.push,
    summariser,
    temporal: noTemporal,
  });
  return { world, acts, env: newEnv(), summariser };
}

/** A fresh activity Context; failing activities are logged at WARN by the SDK, so only errors are printed. */
function newEnv(info: Partial<Info> = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

/** Dana Ito at Northwind Traders, contact 51, stored in the in-memory HubSpot. */
function storedLead(world: InMemoryWorld, overrides: Partial<LeadSnapshot> = {}): LeadSnapshot {
  const l = lead(overrides);
  world.contacts.set(l.contactId, structuredClone(l));
  return l;
}

function brief(overrides: Partial<HandoffBrief> = {}): HandoffBrief {
  return {
    ...buildHandoffBrief({
      workflowId: WORKFLOW_ID,
      lead: lead(),
      leadType: 'demo_request',
      priority: 'high',
      whyThisLead: 'Requested a demo today.',
      reasonForHandoff: 'Demo request',
      routedBecause: 'Round-robin in SDR Inbound',
      slaDueAt: '2026-11-24T17:00:00.000Z',
      timeZone: 'America/New_York',
      rep: { id: 'rep-ana', name: 'Ana Ruiz' },
      links: [],
      rejectReasons: [],
    }),
    ...overrides,
  };
}

function notice(kind: Notice['kind'] = 'reminder'): Notice {
  return { kind, title: 'Reminder: Dana Ito is waiting for first touch', text: 'SLA due 12:00 EST.', brief: brief() };
}

/** `env.run(fn, input)`, typed by the activity's own signature (so literal inputs keep their literal types). */
function run<A, R>(env: MockActivityEnvironment, fn: (input: A) => Promise<R>, input: NoInfer<A>): Promise<R> {
  return env.run(fn, input);
}

/** The error a run rejected with (fails the test when it resolved). */
async function failureOf(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    (value) => {
      throw new Error(`expected the activity to fail, it returned ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
}

const rejected = (status: number, field?: string) =>
  new ServiceError(
    `hubspot: update contact for contact 51 failed (${status})${field ? `: field ${field} = "NEWW"` : ''}`,
    { service: 'hubspot', operation: 'update contact', object: 'contact 51', status, field, value: 'NEWW' },
  );

// ---------------------------------------------------------------------------------------------------------------

describe('error classification (what Temporal will do with an adapter failure)', () => {
  test('a permanent rejection (400 naming a field) is a non-retryable ServiceRejected naming service and field', async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    world.failNext('updateContact', 1, () => rejected(400, 'hs_lead_status'));

    const err = await failureOf(
      run(env, acts.assignInCrm, { lead: l, assignee: ana, workflowId: WORKFLOW_ID, mqlAt: MQL_AT }),
    );

    expect(err).toBeInstanceOf(ApplicationFailure);
    const f = err as ApplicationFailure;
    expect(f.type).toBe('ServiceRejected');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('hubspot');
    expect(f.message).toContain('hs_lead_status');
    expect(f.details?.[0]).toMatchObject({ service: 'hubspot', field: 'hs_lead_status', status: 400 });
  });

  test.each([401, 403, 404, 409, 422])('HTTP %i from an adapter is a non-retryable ServiceRejected', async (status) => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    world.failNext('createDeal', 1, () => rejected(status));

    const f = await failureOf(run(env, acts.createDeal, { lead: l, assignee: ana, name: 'Northwind', key: 'k1' }));

    expect(f).toMatchObject({ type: 'ServiceRejected', nonRetryable: true });
  });

  test('a contact that is gone (404 from the in-memory HubSpot itself) is rejected, not retried', async () => {
    const { acts, env } = setup();
    const f = await failureOf(
      run(env, acts.recordDisqualification, { contactId: '999', reasons: ['competitor'], workflowId: WORKFLOW_ID }),
    );
    expect(f).toMatchObject({ type: 'ServiceRejected', nonRetryable: true });
  });

  test.each([
    ['500', { status: 500 }],
    ['502', { status: 502 }],
    ['503', { status: 503 }],
    ['408 request timeout', { status: 408 }],
    ['a socket timeout (no response)', { transport: true }],
  ])('%s stays retryable as ServiceUnavailable', async (_label, extra) => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    world.failNext(
      'findOpenDeal',
      1,
      () =>
        new ServiceError('salesforce: query opportunities failed', {
          service: 'salesforce',
          operation: 'query opportunities',
          ...extra,
        }),
    );

    const f = await failureOf(run(env, acts.findOpenDeal, { lead: l }));

    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f).toMatchObject({ type: 'ServiceUnavailable', nonRetryable: false });
  });

  test("a 429 stays retryable and carries the service's Retry-After as the next retry delay", async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    world.failNext(
      'assignOwner',
      1,
      () =>
        new ServiceError('hubspot: assign owner failed (429 RATE_LIMITS)', {
          service: 'hubspot',
          operation: 'assign owner',
          status: 429,
          retryAfterSeconds: 30,
        }),
    );

    const f = await failureOf(
      run(env, acts.assignInCrm, { lead: l, assignee: ana, workflowId: WORKFLOW_ID, mqlAt: MQL_AT }),
    );

    expect(f).toMatchObject({ type: 'RateLimited', nonRetryable: false, nextRetryDelay: '30s' });
  });

  test('a 429 without Retry-After waits one second', async () => {
    const { world, acts, env } = setup();
    world.failNext(
      'getLead',
      1,
      () =>
        new ServiceError('hubspot: read contact failed (429)', {
          service: 'hubspot',
          operation: 'read contact',
          status: 429,
        }),
    );
    const f = await failureOf(run(env, acts.loadLead, { contactId: '51' }));
    expect(f).toMatchObject({ type: 'RateLimited', nonRetryable: false, nextRetryDelay: '1s' });
  });

  test('a plain Error is passed through, and Temporal treats it as retryable', async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    const boom = new Error('socket hang up');
    world.failNext('enrollInList', 1, () => boom);

    const f = await failureOf(
      run(env, acts.markRejected, {
        lead: l,
        reason: 'wrong_title',
        reasonLabel: 'Wrong title / persona',
        leadStatus: 'UNQUALIFIED',
        nurtureListId: '102',
        workflowId: WORKFLOW_ID,
      }),
    );

    expect(f).toBe(boom);
    expect(f).not.toBeInstanceOf(ApplicationFailure);
    // What the worker reports to the server for a non-ApplicationFailure:
    expect(ensureApplicationFailure(f)).toMatchObject({ type: 'Error', nonRetryable: false });
  });

  test("an adapter's own ApplicationFailure is kept as it is", async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    const misconfigured = ApplicationFailure.nonRetryable('no pipeline "default" in HubSpot', 'ConfigurationError');
    world.failNext('createTask', 1, () => misconfigured);

    const f = await failureOf(
      run(env, acts.createFollowUpTask, {
        lead: l,
        assignee: ana,
        subject: 'First touch',
        body: '',
        dueAt: '2026-11-24T17:00:00.000Z',
        key: 'k',
      }),
    );

    expect(f).toBe(misconfigured);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('assignInCrm', () => {
  test('HubSpot as sales CRM: owner on the contact, lifecycle MQL, status NEW, MQL date, rejection cleared', async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world, { lifecycleStage: 'lead', leadStatus: 'UNQUALIFIED', hubspotOwnerId: null });

    const ref = await run(env, acts.assignInCrm, { lead: l, assignee: ana, workflowId: WORKFLOW_ID, mqlAt: MQL_AT });

    expect(ref).toMatchObject({ system: 'hubspot', objectType: 'contact', id: '51' });
    expect(world.owners.get('51')).toBe('71000001');
    expect(world.contactWrites).toEqual([
      {
        contactId: '51',
        update: {
          lifecycle: { to: 'marketingqualifiedlead' },
          leadStatus: 'NEW',
          mqlDate: '2026-11-24T14:05:00.000Z',
          salesRejectedReason: null,
          disqualificationReasons: null,
          handoffWorkflowId: 'mql-handoff/hubspot/51',
        },
      },
    ]);
    const contact = world.contacts.get('51')!;
    expect(contact.lifecycleStage).toBe('marketingqualifiedlead');
    expect(contact.leadStatus).toBe('NEW');
    expect(contact.hubspotOwnerId).toBe('71000001');
  });

  test('lifecycle only moves forward: a contact already at opportunity stays there', async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world, { lifecycleStage: 'opportunity' });

    await run(env, acts.assignInCrm, { lead: l, assignee: ana, workflowId: WORKFLOW_ID, mqlAt: MQL_AT });

    expect(world.contactWrites[0]!.update.lifecycle).toEqual({ to: 'marketingqualifiedlead' });
    expect(world.contacts.get('51')!.lifecycleStage).toBe('opportunity');
  });

  test('Salesforce as sales CRM: owner on the Salesforce Lead, and the HubSpot owner written on the contact', async () => {
    const { world, acts, env } = setup({ salesCrm: 'salesforce' });
    const l = storedLead(world, { lifecycleStage: 'lead' });

    const ref = await run(env, acts.assignInCrm, {
      lead: l,
      assignee: anaOnSalesforce,
      workflowId: WORKFLOW_ID,
      mqlAt: MQL_AT,
    });

    expect(ref).toMatchObject({ system: 'salesforce', objectType: 'Lead' });
    expect(world.owners.get('51')).toBe('0055g00000AnaRuAAA');
    expect(world.contactWrites).toHaveLength(1);
    expect(world.contactWrites[0]!.update).toMatchObject({
      hubspotOwnerId: '71000001',
      lifecycle: { to: 'marketingqualifiedlead' },
      leadStatus: 'NEW',
      mqlDate: '2026-11-24T14:05:00.000Z',
      salesRejectedReason: null,
    });
    expect(world.contacts.get('51')!.hubspotOwnerId).toBe('71000001');
  });

  test('Salesforce as sales CRM, assignee without a HubSpot owner: the contact owner is cleared, not left stale', async () => {
    const { world, acts, env } = setup({ salesCrm: 'salesforce' });
    const l = storedLead(world, { hubspotOwnerId: '71000009' });
    const { hubspotOwnerId: _omit, ...noHubspot } = anaOnSalesforce;

    await run(env, acts.assignInCrm, { lead: l, assignee: noHubspot, workflowId: WORKFLOW_ID, mqlAt: MQL_AT });

    expect(world.contactWrites[0]!.update.hubspotOwnerId).toBeNull();
    expect(world.contacts.get('51')!.hubspotOwnerId).toBeNull();
  });

  test('a retry after a failed contact update ends with one owner and one Salesforce record', async () => {
    const { world, acts, env } = setup({ salesCrm: 'salesforce' });
    const l = storedLead(world, { lifecycleStage: 'lead' });
    world.failNext('updateContact', 1, () => rejected(503));
    const input = { lead: l, assignee: anaOnSalesforce, workflowId: WORKFLOW_ID, mqlAt: MQL_AT };

    const first = await failureOf(run(env, acts.assignInCrm, input));
    expect(first).toMatchObject({ type: 'ServiceUnavailable', nonRetryable: false });
    const ref = await run(newEnv({ attempt: 2 }), acts.assignInCrm, input);

    expect(world.salesRecords.size).toBe(1);
    expect(ref.id).toBe(world.salesRecords.get('51'));
    expect(world.owners.get('51')).toBe('0055g00000AnaRuAAA');
    expect(world.contacts.get('51')!.lifecycleStage).toBe('marketingqualifiedlead');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('notifyAssignee', () => {
  const KEY = 'mql-handoff/hubspot/51/c1/a1/brief';

  test('Slack DM and, with email backup on, the email too', async () => {
    const { world, acts, env } = setup();

    const out = await run(env, acts.notifyAssignee, {
      assignee: ana,
      brief: brief(),
      key: KEY,
      emailBackup: true,
      push: null,
    });

    expect(out).toEqual({
      chat: { channel: 'D-rep-ana', ts: expect.any(String) },
      emailed: true,
      pushed: false,
      failures: [],
    });
    expect(world.chat.map((m) => [m.kind, m.to, m.key])).toEqual([['brief', 'rep-ana', `${KEY}:slack`]]);
    expect(world.emails).toEqual([
      {
        to: 'rep-ana',
        key: `${KEY}:email`,
        subject: 'Demo request: Dana Ito, VP Operations at Northwind Traders (120 employees)',
      },
    ]);
    expect(world.pushes).toEqual([]);
  });

  test('email backup off and Slack delivered: no email', async () => {
    const { world, acts, env } = setup();
    const out = await run(env, acts.notifyAssignee, {
      assignee: ana,
      brief: brief(),
      key: KEY,
      emailBackup: false,
      push: null,
    });
    expect(out.emailed).toBe(false);
    expect(world.emails).toEqual([]);
    expect(world.chat).toHaveLength(1);
  });

  test('Slack failing: the email is still sent (even with backup off) and the Slack failure is listed', async () => {
    const { world, acts, env } = setup();
    world.failNext(
      'slack',
      1,
      () =>
        new ServiceError('slack: open DM failed (user_not_found)', {
          service: 'slack',
          operation: 'open DM',
          code: 'user_not_found',
          status: 200,
        }),
    );

    const out = await run(env, acts.notifyAssignee, {
      assignee: ana,
      brief: brief(),
      key: KEY,
      emailBackup: false,
      push: null,
    });

    expect(out).toEqual({
      chat: null,
      emailed: true,
      pushed: false,
      failures: ['slack: slack: open DM failed (user_not_found)'],
    });
    expect(world.chat).toEqual([]);
    expect(world.emails.map((e) => e.key)).toEqual([`${KEY}:email`]);
  });

  test('Slack and email both failing: throws, retryable, even when each failure alone was permanent', async () => {
    const { world, acts, env } = setup();
    world.failNext(
      'slack',
      1,
      () =>
        new ServiceError('slack: open DM failed (user_not_found)', {
          service: 'slack',
          operation: 'open DM',
          status: 404,
        }),
    );
    world.failNext(
      'email',
      1,
      () => new ServiceError('email: send failed (550)', { service: 'email', operation: 'send', status: 550 }),
    );

    const f = await failureOf(
      run(env, acts.notifyAssignee, { assignee: ana, brief: brief(), key: KEY, emailBackup: true, push: null }),
    );

    expect(f).toBeInstanceOf(Error);
    expect(f).not.toMatchObject({ nonRetryable: true });
    expect(ensureApplicationFailure(f).nonRetryable).toBe(false);
    expect((f as Error).message).toContain('rep-ana');
    expect((f as Error).message).toContain('slack');
    expect((f as Error).message).toContain('email');
    expect(world.chat).toEqual([]);
    expect(world.emails).toEqual([]);
  });

  test('push for a push request when the rep has a Salesforce user id', async () => {
    const { world, acts, env } = setup();
    const out = await run(env, acts.notifyAssignee, {
      assignee: ana,
      brief: brief(),
      key: KEY,
      emailBackup: true,
      push: { targetId: '00Q5g00000DanItAAA' },
    });
    expect(out.pushed).toBe(true);
    expect(world.pushes).toEqual([
      { to: '0055g00000AnaRuAAA', key: `${KEY}:push`, title: 'New high-priority MQL', targetId: '00Q5g00000DanItAAA' },
    ]);
  });

  test('no push without a push request, without a Salesforce user id, or without a push port', async () => {
    const { salesforceUserId: _omit, ...noSalesforce } = ana;
    const cases: { assignee: Assignee; push: { targetId?: string } | null; withPush: boolean }[] = [
      { assignee: ana, push: null, withPush: true },
      { assignee: noSalesforce, push: {}, withPush: true },
      { assignee: ana, push: {}, withPush: false },
    ];
    for (const c of cases) {
      const { world, acts, env } = setup({ withPush: c.withPush });
      const out = await run(env, acts.notifyAssignee, {
        assignee: c.assignee,
        brief: brief(),
        key: KEY,
        emailBackup: true,
        push: c.push,
      });
      expect(out.pushed).toBe(false);
      expect(world.pushes).toEqual([]);
    }
  });

  test('a push failure is listed and does not stop the DM or the email', async () => {
    const { world, acts, env } = setup();
    world.failNext(
      'push',
      1,
      () =>
        new ServiceError('salesforce: custom notification failed (503)', {
          service: 'push',
          operation: 'custom notification',
          status: 503,
        }),
    );
    const out = await run(env, acts.notifyAssignee, {
      assignee: ana,
      brief: brief(),
      key: KEY,
      emailBackup: true,
      push: {},
    });
    expect(out).toMatchObject({
      emailed: true,
      pushed: false,
      failures: ['push: salesforce: custom notification failed (503)'],
    });
    expect(out.chat).not.toBeNull();
  });

  test('the same key twice (a retried activity): no second DM, email or push, the same message ref', async () => {
    const { world, acts, env } = setup();
    const input = { assignee: ana, brief: brief(), key: KEY, emailBackup: true, push: {} };

    const first = await run(env, acts.notifyAssignee, input);
    const second = await run(newEnv({ attempt: 2 }), acts.notifyAssignee, input);

    expect(second.chat).toEqual(first.chat);
    expect(world.chat).toHaveLength(1);
    expect(world.emails).toHaveLength(1);
    expect(world.pushes).toHaveLength(1);
  });

  test('a different key (the next assignment) is a new DM', async () => {
    const { world, acts, env } = setup();
    await run(env, acts.notifyAssignee, { assignee: ana, brief: brief(), key: KEY, emailBackup: false, push: null });
    await run(env, acts.notifyAssignee, {
      assignee: ana,
      brief: brief(),
      key: 'mql-handoff/hubspot/51/c1/a2/brief',
      emailBackup: false,
      push: null,
    });
    expect(world.chat.map((m) => m.key)).toEqual([
      'mql-handoff/hubspot/51/c1/a1/brief:slack',
      'mql-handoff/hubspot/51/c1/a2/brief:slack',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('sendNotice', () => {
  const KEY = 'mql-handoff/hubspot/51/c1/a1/reminder';

  test('to a person: Slack only, unless alsoEmail', async () => {
    const { world, acts, env } = setup();
    const slackOnly = await run(env, acts.sendNotice, { to: ana, notice: notice(), key: KEY, alsoEmail: false });
    expect(slackOnly).toEqual({ chat: { channel: 'D-rep-ana', ts: expect.any(String) }, emailed: false, failures: [] });
    expect(world.emails).toEqual([]);

    const both = await run(env, acts.sendNotice, { to: ana, notice: notice(), key: `${KEY}-2`, alsoEmail: true });
    expect(both.emailed).toBe(true);
    expect(world.emails).toEqual([
      { to: 'rep-ana', key: `${KEY}-2:email`, subject: 'Reminder: Dana Ito is waiting for first touch' },
    ]);
    expect(world.noticesOf('reminder').map((m) => m.key)).toEqual([`${KEY}:slack`, `${KEY}-2:slack`]);
  });

  test('Slack failing: emailed anyway, failure listed', async () => {
    const { world, acts, env } = setup();
    world.failNext('slack', 1, () => new Error('ECONNRESET'));
    const out = await run(env, acts.sendNotice, { to: ana, notice: notice(), key: KEY, alsoEmail: false });
    expect(out).toEqual({ chat: null, emailed: true, failures: ['slack: ECONNRESET'] });
    expect(world.emails.map((e) => e.key)).toEqual([`${KEY}:email`]);
  });

  test('a channel target never gets an email, even with alsoEmail', async () => {
    const { world, acts, env } = setup();
    const out = await run(env, acts.sendNotice, {
      to: { channel: 'C0REVOPS01' },
      notice: notice('vp_review'),
      key: KEY,
      alsoEmail: true,
    });
    expect(out).toEqual({ chat: { channel: 'C0REVOPS01', ts: expect.any(String) }, emailed: false, failures: [] });
    expect(world.noticesOf('vp_review').map((m) => m.to)).toEqual(['C0REVOPS01']);
    expect(world.emails).toEqual([]);
  });

  test('a channel target with Slack down reached nobody: throws, retryable', async () => {
    const { world, acts, env } = setup();
    world.failNext(
      'slack',
      1,
      () => new ServiceError('slack: post failed (503)', { service: 'slack', operation: 'post', status: 503 }),
    );
    const f = await failureOf(
      run(env, acts.sendNotice, {
        to: { channel: 'C0REVOPS01' },
        notice: notice('vp_review'),
        key: KEY,
        alsoEmail: true,
      }),
    );
    expect(f).toBeInstanceOf(Error);
    expect(ensureApplicationFailure(f).nonRetryable).toBe(false);
    expect((f as Error).message).toContain('vp_review');
    expect(world.emails).toEqual([]);
  });

  test('a person with Slack and email both failing: throws', async () => {
    const { world, acts, env } = setup();
    world.failNext('slack', 1, () => new Error('ECONNRESET'));
    world.failNext('email', 1, () => new Error('ETIMEDOUT'));
    const f = await failureOf(
      run(env, acts.sendNotice, { to: reviewer, notice: notice('decision_review'), key: KEY, alsoEmail: true }),
    );
    expect((f as Error).message).toContain('slack: ECONNRESET');
    expect((f as Error).message).toContain('email: ETIMEDOUT');
  });

  test('the same key twice: one DM, one email', async () => {
    const { world, acts, env } = setup();
    const input = { to: reviewer, notice: notice('decision_review'), key: KEY, alsoEmail: true };
    const first = await run(env, acts.sendNotice, input);
    const second = await run(env, acts.sendNotice, input);
    expect(second.chat).toEqual(first.chat);
    expect(world.chat).toHaveLength(1);
    expect(world.emails).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('accept / reject / disqualify', () => {
  test('markAccepted: lifecycle SQL, status CONNECTED, SQL date', async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world, { lifecycleStage: 'marketingqualifiedlead' });

    await run(env, acts.markAccepted, { lead: l, at: '2026-11-24T15:30:00.000Z', workflowId: WORKFLOW_ID });

    expect(world.contactWrites).toEqual([
      {
        contactId: '51',
        update: {
          lifecycle: { to: 'salesqualifiedlead' },
          leadStatus: 'CONNECTED',
          sqlDate: '2026-11-24T15:30:00.000Z',
          handoffWorkflowId: 'mql-handoff/hubspot/51',
        },
      },
    ]);
    expect(world.contacts.get('51')!.lifecycleStage).toBe('salesqualifiedlead');
  });

  test('markRejected (HubSpot): back to Lead, reason and status from the picklist, owner removed, in the nurture list', async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world, { lifecycleStage: 'marketingqualifiedlead', hubspotOwnerId: '71000001' });
    // HubSpot is both sides: the contact update removes the owner; the sales port's removeOwner is not called
    // (if it were, this would fail the activity).
    world.failNext('removeOwner', 1, () => new Error('removeOwner must not be called when HubSpot is the sales CRM'));
    // The wrong_title entry of the sample config's rejection picklist, as the workflow passes it.
    const wrongTitle = sampleConfig().rejection.reasons.find((r) => r.reason === 'wrong_title')!;

    await run(env, acts.markRejected, {
      lead: l,
      reason: wrongTitle.reason,
      reasonLabel: wrongTitle.label,
      leadStatus: wrongTitle.leadStatus,
      nurtureListId: wrongTitle.nurtureListId,
      workflowId: WORKFLOW_ID,
    });

    expect(world.contactWrites).toEqual([
      {
        contactId: '51',
        update: {
          lifecycle: { to: 'lead', allowBackward: true },
          leadStatus: 'UNQUALIFIED',
          salesRejectedReason: 'wrong_title',
          hubspotOwnerId: null,
          handoffWorkflowId: 'mql-handoff/hubspot/51',
        },
      },
    ]);
    const contact = world.contacts.get('51')!;
    expect(contact.lifecycleStage).toBe('lead');
    expect(contact.hubspotOwnerId).toBeNull();
    expect([...(world.lists.get('102') ?? [])]).toEqual(['51']);
  });

  test('markRejected (Salesforce): the sales side hears the rejection and the rep no longer owns the record', async () => {
    const { world, acts, env } = setup({ salesCrm: 'salesforce' });
    const l = storedLead(world, { hubspotOwnerId: '71000001' });
    world.owners.set('51', '0055g00000AnaRuAAA');

    await run(env, acts.markRejected, {
      lead: l,
      reason: 'timing_not_right',
      reasonLabel: 'Timing not right',
      leadStatus: 'BAD_TIMING',
      nurtureListId: '105',
      workflowId: WORKFLOW_ID,
    });

    expect(world.owners.get('51')).toBeNull();
    expect(world.contacts.get('51')).toMatchObject({
      hubspotOwnerId: null,
      lifecycleStage: 'lead',
      leadStatus: 'BAD_TIMING',
    });
    expect([...(world.lists.get('105') ?? [])]).toEqual(['51']);
  });

  test('markRejected retried: the contact is in the nurture list once', async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    const input = {
      lead: l,
      reason: 'wrong_title',
      reasonLabel: 'Wrong title / persona',
      leadStatus: 'UNQUALIFIED' as const,
      nurtureListId: '102',
      workflowId: WORKFLOW_ID,
    };
    await run(env, acts.markRejected, input);
    await run(env, acts.markRejected, input);
    expect([...(world.lists.get('102') ?? [])]).toEqual(['51']);
  });

  test('recordDisqualification: the reasons, "; "-joined, and the handoff id on the contact', async () => {
    const { world, acts, env } = setup();
    storedLead(world);

    await run(env, acts.recordDisqualification, {
      contactId: '51',
      reasons: ['job title contains "student"', 'competitor domain'],
      workflowId: WORKFLOW_ID,
    });

    expect(world.contactWrites).toEqual([
      {
        contactId: '51',
        update: {
          disqualificationReasons: 'job title contains "student"; competitor domain',
          handoffWorkflowId: 'mql-handoff/hubspot/51',
        },
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('sales records: deals and follow-up tasks', () => {
  test("findOpenDeal: the open deal on the lead's company, null when there is none", async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    expect(await run(env, acts.findOpenDeal, { lead: l })).toBeNull();

    world.openDeals.set('northwind.example', { id: '8801', name: 'Northwind renewal', ownerId: '71000005' });
    expect(await run(env, acts.findOpenDeal, { lead: l })).toEqual({
      id: '8801',
      name: 'Northwind renewal',
      ownerId: '71000005',
    });
  });

  test("createDeal: owned by the assignee's sales owner; the same key returns the first deal, a new key a new one", async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    const input = {
      lead: l,
      assignee: ana,
      name: 'Northwind Traders - new business',
      key: 'mql-handoff/hubspot/51/c1/deal',
    };

    const first = await run(env, acts.createDeal, input);
    const again = await run(env, acts.createDeal, input);
    expect(again).toEqual(first);
    expect(world.deals.size).toBe(1);
    expect([...world.deals.values()][0]).toMatchObject({
      ownerId: '71000001',
      name: 'Northwind Traders - new business',
      contactId: '51',
    });

    const next = await run(env, acts.createDeal, { ...input, key: 'mql-handoff/hubspot/51/c2/deal' });
    expect(next.id).not.toBe(first.id);
    expect(world.deals.size).toBe(2);
  });

  test('createFollowUpTask: due at the SLA deadline, owned by the assignee, once per key', async () => {
    const { world, acts, env } = setup({ salesCrm: 'salesforce' });
    const l = storedLead(world);
    const input = {
      lead: l,
      assignee: anaOnSalesforce,
      subject: 'First touch: Dana Ito (Northwind Traders)',
      body: 'Requested a demo today.',
      dueAt: '2026-11-24T17:00:00.000Z',
      key: 'mql-handoff/hubspot/51/c1/a1/task',
    };

    const ref = await run(env, acts.createFollowUpTask, input);
    const again = await run(env, acts.createFollowUpTask, input);

    expect(ref).toMatchObject({ system: 'salesforce', objectType: 'Task' });
    expect(again).toEqual(ref);
    expect([...world.tasks.values()]).toEqual([
      {
        id: ref.id,
        key: 'mql-handoff/hubspot/51/c1/a1/task',
        ownerId: '0055g00000AnaRuAAA',
        subject: 'First touch: Dana Ito (Northwind Traders)',
        dueAt: '2026-11-24T17:00:00.000Z',
        status: 'NOT_STARTED',
      },
    ]);
  });

  test('closeFollowUpTask: completed or reassigned; closing twice is a no-op', async () => {
    const { world, acts, env } = setup();
    const l = storedLead(world);
    const base = { lead: l, assignee: ana, body: '', dueAt: '2026-11-24T17:00:00.000Z' };
    const done = await run(env, acts.createFollowUpTask, { ...base, subject: 'a', key: 't1' });
    const moved = await run(env, acts.createFollowUpTask, { ...base, subject: 'b', key: 't2' });

    await run(env, acts.closeFollowUpTask, { taskId: done.id, outcome: 'completed' });
    await run(env, acts.closeFollowUpTask, { taskId: done.id, outcome: 'completed' });
    await run(env, acts.closeFollowUpTask, { taskId: moved.id, outcome: 'reassigned' });

    expect(world.tasks.get(done.id)!.status).toBe('COMPLETED');
    expect(world.tasks.get(moved.id)!.status).toBe('CLOSED_REASSIGNED');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('reading and preparing', () => {
  test('loadLead: the stored snapshot, and null for a contact that does not exist', async () => {
    const { world, acts, env } = setup();
    storedLead(world);
    expect(await run(env, acts.loadLead, { contactId: '51' })).toMatchObject({
      contactId: '51',
      email: 'dana.ito@northwind.example',
      company: { domain: 'northwind.example' },
    });
    expect(await run(env, acts.loadLead, { contactId: '404404' })).toBeNull();
  });

  test('loadHandoffPolicy: the configuration as it is now (a reload is picked up)', async () => {
    let current = sampleConfig();
    const { acts, env } = setup({ config: () => current });
    expect(await env.run(acts.loadHandoffPolicy)).toMatchObject({
      organization: 'Acme Analytics',
      salesCrm: 'hubspot',
    });
    current = { ...current, salesCrm: 'salesforce' };
    expect(await env.run(acts.loadHandoffPolicy)).toMatchObject({ salesCrm: 'salesforce' });
  });

  test("prepareBrief: the summariser's sentence as 'why this lead', given the lead's events and the workflow's now", async () => {
    const { acts, env, summariser } = setup();
    const events: EngagementEvent[] = [
      { type: 'demo_request', occurredAt: '2026-11-24T13:50:00.000Z', title: 'Book a demo' },
      { type: 'page_view', occurredAt: '2026-11-23T10:00:00.000Z', url: 'https://acme-analytics.example/pricing' },
    ];

    const out = await run(env, acts.prepareBrief, {
      workflowId: WORKFLOW_ID,
      lead: lead({ events }),
      leadType: 'demo_request',
      priority: 'high',
      reasonForHandoff: 'Demo request',
      routedBecause: 'Round-robin in SDR Inbound',
      slaDueAt: '2026-11-24T17:00:00.000Z',
      timeZone: 'America/New_York',
      rep: { id: 'rep-ana', name: 'Ana Ruiz' },
      links: [{ label: 'HubSpot contact', url: 'https://app.hubspot.com/contacts/4410001/record/0-1/51' }],
      rejectReasons: [{ value: 'wrong_title', label: 'Wrong title / persona' }],
      now: '2026-11-24T14:05:00.000Z',
    });

    expect(summariser.calls).toEqual([{ events, now: new Date('2026-11-24T14:05:00.000Z') }]);
    expect(out).toMatchObject({
      workflowId: 'mql-handoff/hubspot/51',
      contactId: '51',
      whyThisLead: 'Requested a demo today.',
      headline: 'Demo request: Dana Ito, VP Operations at Northwind Traders (120 employees)',
      priority: 'high',
      slaDueAt: '2026-11-24T17:00:00.000Z',
      slaDueLocal: 'Tue 24 Nov, 12:00 EST',
      rep: { id: 'rep-ana', name: 'Ana Ruiz' },
    });
  });

  test('updateHandoffMessage: the new state reaches chat, the ref comes back; a Slack outage stays retryable', async () => {
    const { world, acts, env } = setup();
    const ref = { channel: 'D-rep-ana', ts: '1764000000.000100' };
    const state = { kind: 'accepted' as const, at: '2026-11-24T15:30:00.000Z', by: 'Ana Ruiz' };

    expect(await run(env, acts.updateHandoffMessage, { ref, brief: brief(), state })).toEqual(ref);
    expect(world.chatUpdates).toEqual([{ ref, state }]);

    world.failNext(
      'slackUpdate',
      1,
      () =>
        new ServiceError('slack: chat.update failed (500)', {
          service: 'slack',
          operation: 'chat.update',
          status: 500,
        }),
    );
    const f = await failureOf(run(env, acts.updateHandoffMessage, { ref, brief: brief(), state }));
    expect(f).toMatchObject({ type: 'ServiceUnavailable', nonRetryable: false });
  });
});
