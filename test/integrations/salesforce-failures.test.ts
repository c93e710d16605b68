/**
 * How the Salesforce adapters fail and recover, through jsforce against the emulator: session expiry, each class
 * of failure (rate limit, daily limit, 5xx, 4xx with field, dropped/refused/slow connections), crash-after-write
 * idempotency, PII kept out of messages, and bad options stopping start-up.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { OrgConfig } from '../../src/domain/org-config';
import {
  createSalesforceAdapters,
  salesforceOptionsFromEnv,
  SalesforceConfigError,
  type SalesforceAdapterOptions,
} from '../../src/activities/salesforce';
import { toActivityFailure } from '../../src/activities/service-error';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import { SANDBOX_INACTIVE_USER_ID, SANDBOX_NURTURE_QUEUE_ID } from '../../src/sandbox/salesforce/seed';
import {
  ANA,
  config,
  FARID,
  lead,
  OAUTH_FLOWS,
  passwordOptions,
  refreshTokenOptions,
  serviceErrorOf,
} from './crm-fixture';
import { eventually } from '../support/eventually';

const taskInput = (key = 'mql-hubspot-5001:0:task') => ({
  lead: lead(),
  ownerId: ANA,
  subject: 'First touch: Dana Ito',
  body: 'Call Dana.',
  dueAt: '2026-03-02T20:00:00Z',
  key,
});

const pushInput = (key = 'mql-hubspot-5001:0:push') => ({
  salesforceUserId: ANA,
  title: 'Demo request: Dana Ito',
  body: 'VP Operations at Initrode.',
  key,
});

let emu: SalesforceEmulator;
afterEach(async () => {
  // Some tests close it themselves (refused connection); closing twice is harmless here.
  await emu?.close().catch(() => undefined);
  emu = undefined as unknown as SalesforceEmulator;
});

const adapters = (extra: Partial<SalesforceAdapterOptions> = {}) =>
  createSalesforceAdapters(refreshTokenOptions(emu, extra));

describe.each(OAUTH_FLOWS)('session expiry, %s', (_flow, options) => {
  it('renews the expired session once and replays the call', async () => {
    emu = await startSalesforceEmulator({ config });
    const { sales } = createSalesforceAdapters(options(emu));
    await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
    expect(emu.tokenGrants).toHaveLength(1);

    emu.expireSessions();
    const deal = await sales.findOpenDeal(lead());
    expect(deal?.name).toBe('Initrode — Analytics Platform');
    expect(emu.tokenGrants).toHaveLength(2);
    expect(emu.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it('renews once for concurrent calls that all found the session expired', async () => {
    emu = await startSalesforceEmulator({ config });
    const { sales } = createSalesforceAdapters(options(emu));
    await sales.findOpenDeal(lead());
    emu.expireSessions();
    const deals = await Promise.all([1, 2, 3].map(() => sales.findOpenDeal(lead())));
    expect(deals.map((d) => d?.ownerId)).toEqual(Array(3).fill(FARID));
    expect(emu.tokenGrants).toHaveLength(2);
  });

  it('fails with 401 INVALID_SESSION_ID, without looping, when the renewed session is refused too', async () => {
    emu = await startSalesforceEmulator({ config, sessionTtlMs: 0 });
    const err = await serviceErrorOf(createSalesforceAdapters(options(emu)).sales.findOpenDeal(lead()));
    expect(err.details).toMatchObject({ status: 401, code: 'INVALID_SESSION_ID', operation: 'find open opportunity' });
    expect(err.retryable).toBe(false);
    expect(emu.tokenGrants).toHaveLength(2);
  });
});

describe('a session handed in as accessToken + instanceUrl', () => {
  it('is used without logging in, and its expiry is a non-retryable 401 when nothing can renew it', async () => {
    emu = await startSalesforceEmulator({ config });
    const token = await fetch(`${emu.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: emu.credentials.clientId,
        client_secret: emu.credentials.clientSecret,
        refresh_token: emu.credentials.refreshToken,
      }),
    });
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const { sales } = createSalesforceAdapters({
      loginUrl: emu.url,
      instanceUrl: emu.url,
      accessToken,
      nurtureOwnerId: SANDBOX_NURTURE_QUEUE_ID,
      config,
    });
    expect((await sales.findOpenDeal(lead()))?.ownerId).toBe(FARID);
    expect(emu.tokenGrants).toHaveLength(1); // the test's own grant

    emu.expireSessions();
    const err = await serviceErrorOf(sales.findOpenDeal(lead()));
    expect(err.details).toMatchObject({ status: 401, code: 'INVALID_SESSION_ID', operation: 'find open opportunity' });
    expect(err.retryable).toBe(false);
    expect(emu.tokenGrants).toHaveLength(1);
  });
});

describe('credentials Salesforce refuses', () => {
  it('names invalid_grant, not retryable, when the refresh token was revoked', async () => {
    emu = await startSalesforceEmulator({ config });
    const { sales } = adapters();
    await sales.findOpenDeal(lead());
    emu.revokeRefreshTokens();
    emu.expireSessions();
    const err = await serviceErrorOf(sales.findOpenDeal(lead()));
    expect(err.details).toMatchObject({
      service: 'salesforce',
      operation: 'find open opportunity (session refresh)',
      status: 400,
      code: 'invalid_grant',
    });
    expect(err.message).toContain('expired access/refresh token');
    expect(err.retryable).toBe(false);
  });

  it('names the failure and never echoes the password on a bad login', async () => {
    emu = await startSalesforceEmulator({ config });
    const { sales } = createSalesforceAdapters(passwordOptions(emu, { password: 'hunter2-wrong' }));
    const err = await serviceErrorOf(sales.findOpenDeal(lead()));
    expect(err.details).toMatchObject({
      status: 400,
      code: 'invalid_grant',
      operation: 'find open opportunity (login)',
    });
    expect(err.message).toContain('authentication failure');
    expect(err.retryable).toBe(false);
    expect(JSON.stringify(err.details) + err.message).not.toContain('hunter2');
  });
});

describe('failure classes', () => {
  beforeEach(async () => {
    emu = await startSalesforceEmulator({ config });
  });

  it('429 with Retry-After → retry after that many seconds', async () => {
    emu.faults.inject({ kind: 'rate_limit', path: '/query', retryAfterSeconds: 7 });
    const err = await serviceErrorOf(adapters().sales.findOpenDeal(lead()));
    expect(err.details).toMatchObject({ status: 429, code: 'REQUEST_LIMIT_EXCEEDED', retryAfterSeconds: 7 });
    const failure = toActivityFailure(err) as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'RateLimited', nonRetryable: false, nextRetryDelay: '7s' });
  });

  it('403 REQUEST_LIMIT_EXCEEDED (daily API limit) → retry after the configured wait', async () => {
    emu.store.apiUsage = emu.store.apiLimit;
    const { sales } = adapters({ requestLimitRetryAfterSeconds: 900 });
    const err = await serviceErrorOf(sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' }));
    expect(err.details).toMatchObject({ status: 403, code: 'REQUEST_LIMIT_EXCEEDED', retryAfterSeconds: 900 });
    expect(err.message).toContain('TotalRequests Limit exceeded.');
    expect(toActivityFailure(err)).toMatchObject({ type: 'RateLimited', nonRetryable: false, nextRetryDelay: '900s' });
  });

  it.each([
    [500, 'UNKNOWN_EXCEPTION'],
    [503, 'SERVER_UNAVAILABLE'],
  ])('%i → retryable', async (status, code) => {
    emu.faults.inject({ kind: 'server_error', path: '/sobjects/Task', status });
    const { sales } = adapters();
    await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
    const err = await serviceErrorOf(sales.createTask(taskInput()));
    expect(err.details).toMatchObject({ status, code, operation: 'create task' });
    expect(err.retryable).toBe(true);
    expect(toActivityFailure(err)).toMatchObject({ type: 'ServiceUnavailable', nonRetryable: false });
    // Nothing was written, so the retry creates the task.
    await sales.createTask(taskInput());
    expect(emu.store.records('Task')).toHaveLength(1);
  });

  it('400 on a restricted picklist → not retryable, naming object, field and value', async () => {
    const err = await serviceErrorOf(
      adapters({ opportunityStage: 'MQL' }).sales.createDeal({
        lead: lead(),
        ownerId: ANA,
        name: 'Initrode — MQL',
        key: 'k1',
      }),
    );
    expect(err.details).toMatchObject({
      status: 400,
      code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      object: 'Opportunity Handoff_Key__c=k1',
      field: 'StageName',
      value: 'MQL',
    });
    expect(err.message).toBe(
      'salesforce: create opportunity for Opportunity Handoff_Key__c=k1 failed (400 INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST): field StageName = "MQL": Stage: bad value for restricted picklist field: MQL',
    );
    expect(toActivityFailure(err)).toMatchObject({ type: 'ServiceRejected', nonRetryable: true });
  });

  it('400 INVALID_FIELD from SOQL → not retryable, naming the field, without echoing the query', async () => {
    const err = await serviceErrorOf(adapters({ taskKeyField: 'Handoff_Ref__c' }).sales.createTask(taskInput()));
    expect(err.details).toMatchObject({ status: 400, code: 'INVALID_FIELD', field: 'Handoff_Ref__c' });
    expect(err.message).toMatch(/No such column 'Handoff_Ref__c' on entity 'Task'/);
    expect(err.message).not.toMatch(/SELECT|ERROR at Row/);
    expect(err.retryable).toBe(false);
  });

  it('404 NOT_FOUND when the task is for a lead never assigned in Salesforce → not retryable', async () => {
    const err = await serviceErrorOf(adapters().sales.createTask(taskInput()));
    expect(err.details).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      object: 'Task Handoff_Key__c=mql-hubspot-5001:0:task',
    });
    expect(err.retryable).toBe(false);
    expect(emu.store.records('Task')).toHaveLength(0);
  });

  it('400 INACTIVE_OWNER_OR_USER when the owner left the company → not retryable', async () => {
    const err = await serviceErrorOf(
      adapters().sales.assignOwner({ lead: lead(), ownerId: SANDBOX_INACTIVE_USER_ID, handoffWorkflowId: 'w' }),
    );
    expect(err.details).toMatchObject({ status: 400, code: 'INACTIVE_OWNER_OR_USER' });
    expect(err.retryable).toBe(false);
  });

  it('300 when duplicate Contacts share the HubSpot id → not retryable, naming the record', async () => {
    for (const name of ['Ito', 'Ito (duplicate)'])
      emu.store.seed('Contact', { LastName: name, HubSpot_Contact_Id__c: '5001' });
    const contacts: OrgConfig = { ...config, salesforce: { ...config.salesforce, recordType: 'Contact' } };
    const { sales } = adapters({ config: contacts, nurtureOwnerId: ANA });
    const err = await serviceErrorOf(sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' }));
    expect(err.details).toMatchObject({
      status: 300,
      code: 'MULTIPLE_CHOICES',
      object: 'Contact HubSpot_Contact_Id__c=5001',
    });
    expect(err.message).toContain('2 records match the external id');
    expect(err.retryable).toBe(false);
  });

  it('keeps lead PII out of the message when Salesforce echoes a rejected value', async () => {
    const err = await serviceErrorOf(
      adapters().sales.assignOwner({
        lead: lead({ email: 'dana.ito@@initrode' }),
        ownerId: ANA,
        handoffWorkflowId: 'w',
      }),
    );
    expect(err.details).toMatchObject({
      status: 400,
      code: 'INVALID_EMAIL_ADDRESS',
      field: 'Email',
      value: '[redacted]',
    });
    expect(err.message).toContain('Email: invalid email address: [redacted]');
    expect(err.message + JSON.stringify(err.details)).not.toContain('dana.ito');
  });

  it('a dropped connection → transport failure, retryable', async () => {
    emu.faults.inject({ kind: 'drop_after_write', path: '/query' });
    const err = await serviceErrorOf(adapters().sales.findOpenDeal(lead()));
    expect(err.details).toMatchObject({ transport: true, code: 'ECONNRESET' });
    expect(err.retryable).toBe(true);
  });

  it('a refused connection → transport failure, retryable', async () => {
    const { sales } = adapters();
    await emu.close();
    const err = await serviceErrorOf(sales.findOpenDeal(lead()));
    expect(err.details).toMatchObject({ transport: true, code: 'ECONNREFUSED' });
    expect(err.retryable).toBe(true);
  });

  it('no answer within the request timeout → transport failure, retryable', async () => {
    const { sales } = adapters({ requestTimeoutMs: 100 });
    await sales.findOpenDeal(lead());
    emu.faults.inject({ kind: 'slow', path: '/query', delayMs: 300 });
    const err = await serviceErrorOf(sales.findOpenDeal(lead()));
    expect(err.details).toMatchObject({ transport: true, code: 'TIMEOUT' });
    expect(err.retryable).toBe(true);
  });

  it('does not retry behind Temporal’s back: one request per failed call', async () => {
    emu.faults.inject({ kind: 'server_error', path: '/query', times: 3 });
    await serviceErrorOf(adapters().sales.findOpenDeal(lead()));
    expect(emu.requests.filter((r) => r.path.endsWith('/query'))).toHaveLength(1);
  });
});

describe('closing the loop: the outcome and the Opportunity', () => {
  const converting = (statuses: Partial<OrgConfig['salesforce']['leadStatuses']> = {}): OrgConfig => ({
    ...config,
    salesforce: {
      ...config.salesforce,
      convertOnAccept: true,
      leadStatuses: { ...config.salesforce.leadStatuses, ...statuses },
    },
  });
  const soap = '/services/Soap/u/62.0';

  beforeEach(async () => {
    emu = await startSalesforceEmulator({ config });
  });

  async function assigned(orgConfig: OrgConfig = config) {
    const { sales } = adapters({ config: orgConfig });
    await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
    return sales;
  }

  it('a rejection reason the org picklist lacks → 400, not retryable, naming the field and value', async () => {
    const sales = await assigned();
    const err = await serviceErrorOf(sales.markRejected({ lead: lead(), reason: 'too_expensive', reasonLabel: 'x' }));
    expect(err.details).toMatchObject({
      status: 400,
      code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      field: 'Handoff_Rejection_Reason__c',
      value: 'too_expensive',
      operation: 'mark rejected',
      object: 'Lead HubSpot_Contact_Id__c=5001',
    });
    expect(err.retryable).toBe(false);
    // Nothing half-written: the Lead keeps its rep.
    expect(emu.store.records('Lead')[0]).toMatchObject({ OwnerId: ANA, Status: 'Open - Not Contacted' });
  });

  it('an org without the SQL date field → 400 INVALID_FIELD naming the configured field', async () => {
    const renamed: OrgConfig = {
      ...config,
      salesforce: { ...config.salesforce, fields: { ...config.salesforce.fields, sqlDate: 'Date_Qualified__c' } },
    };
    const sales = await assigned(renamed);
    const err = await serviceErrorOf(sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' }));
    expect(err.details).toMatchObject({ status: 400, code: 'INVALID_FIELD', field: 'Date_Qualified__c' });
    expect(err.retryable).toBe(false);
  });

  it('a loss reason on a closed-lost stage the org lacks → 400 naming StageName', async () => {
    const { sales } = adapters({
      config: {
        ...config,
        salesforce: {
          ...config.salesforce,
          opportunityStages: { ...config.salesforce.opportunityStages, closedLost: 'Lost' },
        },
      },
    });
    const deal = await sales.createDeal({ lead: lead(), ownerId: ANA, name: 'Initrode — MQL', key: 'k' });
    const err = await serviceErrorOf(sales.closeDealLost({ dealId: deal.id, reason: 'wrong_title', reasonLabel: 'x' }));
    expect(err.details).toMatchObject({ status: 400, field: 'StageName', value: 'Lost' });
    expect(emu.store.get('Opportunity', deal.id)).toMatchObject({ StageName: 'Qualification', IsClosed: false });
  });

  it('convertLead with a status that is not a converted one → 400 INVALID_STATUS, not retryable', async () => {
    const sales = await assigned(converting({ converted: 'Working - Contacted' }));
    const err = await serviceErrorOf(sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' }));
    expect(err.details).toMatchObject({
      status: 400,
      code: 'INVALID_STATUS',
      operation: 'convert lead',
      field: 'convertedStatus',
      value: 'Working - Contacted',
    });
    expect(err.message).toContain('invalid convertedStatus: Working - Contacted');
    expect(toActivityFailure(err)).toMatchObject({ type: 'ServiceRejected', nonRetryable: true });
    expect(emu.store.records('Lead')[0]!.IsConverted).toBe(false);
    expect(emu.store.records('Contact')).toHaveLength(0);
  });

  it.each(OAUTH_FLOWS)(
    'convertLead with an expired session (a SOAP fault, not a 401) renews it once and replays, %s',
    async (_flow, options) => {
      const { sales } = createSalesforceAdapters(options(emu, { config: converting() }));
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      const grants = emu.tokenGrants.length;
      // The session dies while the SOAP call is on its way (held at the door), after the REST calls before it.
      emu.faults.inject({ kind: 'slow', path: soap, delayMs: 1000 });
      const accepting = sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' });
      await eventually(
        () => emu.requests.some((r) => r.path === soap),
        (seen) => seen,
        'the SOAP call',
      );
      emu.expireSessions();
      await accepting;
      expect(emu.requests.filter((r) => r.path === soap).map((r) => r.status)).toEqual([500, 200]);
      expect(emu.store.records('Lead')[0]).toMatchObject({ IsConverted: true, Status: 'Closed - Converted' });
      expect(emu.tokenGrants).toHaveLength(grants + 1);
    },
  );

  it('convertLead: the daily API limit (a SOAP fault) → retry after the configured wait', async () => {
    const sales = await assigned(converting());
    emu.faults.inject({ kind: 'rate_limit', path: soap });
    const err = await serviceErrorOf(sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' }));
    expect(err.details).toMatchObject({ status: 403, code: 'REQUEST_LIMIT_EXCEEDED', retryAfterSeconds: 300 });
    expect(toActivityFailure(err)).toMatchObject({ type: 'RateLimited', nextRetryDelay: '300s' });
  });

  it('convertLead: a platform error (SOAP fault) → retryable; the retry converts once', async () => {
    const sales = await assigned(converting());
    emu.faults.inject({ kind: 'server_error', path: soap });
    const err = await serviceErrorOf(sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' }));
    expect(err.details).toMatchObject({ status: 500, code: 'UNKNOWN_EXCEPTION', operation: 'convert lead' });
    expect(err.retryable).toBe(true);
    await sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' });
    expect(emu.store.records('Contact')).toHaveLength(1);
  });

  it('convertLead: the answer lost after the conversion → the retry converts nothing twice and links the deal', async () => {
    const sales = await assigned(converting());
    // An Opportunity made before any account matched: it has no AccountId yet.
    const deal = await sales.createDeal({
      lead: lead({ company: null, email: 'dana@gmail.com' }),
      ownerId: ANA,
      name: 'Dana — MQL',
      key: 'k-dana',
    });
    emu.faults.inject({ kind: 'drop_after_write', path: soap });
    const input = { lead: lead(), at: '2026-03-02T15:04:05Z', dealId: deal.id };
    const err = await serviceErrorOf(sales.markAccepted(input));
    expect(err.retryable).toBe(true);
    await sales.markAccepted(input);
    expect(emu.requests.filter((r) => r.path === soap)).toHaveLength(1);
    const initrode = emu.store.records('Account').find((a) => a.Name === 'Initrode')!;
    expect(emu.store.records('Lead')[0]).toMatchObject({ IsConverted: true, ConvertedAccountId: initrode.Id });
    expect(emu.store.get('Opportunity', deal.id)!.AccountId).toBe(initrode.Id);
    expect(emu.store.records('Contact')).toHaveLength(1);
  });
});

describe('crash after write: a retry with the same key finds the first write', () => {
  beforeEach(async () => {
    emu = await startSalesforceEmulator({ config });
  });

  it('createTask', async () => {
    const { sales } = adapters();
    await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
    emu.faults.inject({ kind: 'drop_after_write', method: 'POST', path: '/sobjects/Task' });
    const err = await serviceErrorOf(sales.createTask(taskInput()));
    expect(err.details.transport).toBe(true);
    expect(emu.store.records('Task')).toHaveLength(1);

    const ref = await sales.createTask(taskInput());
    expect(emu.store.records('Task')).toEqual([expect.objectContaining({ Id: ref.id })]);
  });

  it('createDeal', async () => {
    const { sales } = adapters();
    const input = { lead: lead(), ownerId: ANA, name: 'Initrode — MQL', key: 'mql-hubspot-5001:0:deal' };
    emu.faults.inject({ kind: 'drop_after_write', method: 'PATCH', path: '/sobjects/Opportunity/' });
    expect((await serviceErrorOf(sales.createDeal(input))).details.transport).toBe(true);

    const ref = await sales.createDeal(input);
    const keyed = emu.store.records('Opportunity').filter((o) => o.Handoff_Key__c === input.key);
    expect(keyed).toEqual([expect.objectContaining({ Id: ref.id })]);
  });

  it('assignOwner', async () => {
    const { sales } = adapters();
    emu.faults.inject({ kind: 'drop_after_write', method: 'PATCH', path: '/sobjects/Lead/' });
    await serviceErrorOf(sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' }));
    const ref = await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
    expect(emu.store.records('Lead')).toEqual([expect.objectContaining({ Id: ref.id, OwnerId: ANA })]);
  });

  it('push: the notification went out, the retry does not send it again', async () => {
    const { push } = adapters();
    emu.faults.inject({ kind: 'drop_after_write', method: 'POST', path: '/customNotificationAction' });
    expect((await serviceErrorOf(push.notifyRep(pushInput()))).details.transport).toBe(true);
    expect(emu.store.notifications).toHaveLength(1);

    const ref = await push.notifyRep(pushInput());
    expect(emu.store.notifications).toHaveLength(1);
    expect(emu.store.records('Task')).toEqual([expect.objectContaining({ Id: ref.id })]);
  });

  it('push: Salesforce refused it, so the retry sends it (once)', async () => {
    const { push } = adapters();
    emu.faults.inject({ kind: 'server_error', method: 'POST', path: '/customNotificationAction' });
    expect((await serviceErrorOf(push.notifyRep(pushInput()))).retryable).toBe(true);
    expect(emu.store.notifications).toHaveLength(0);
    expect(emu.store.records('Task')).toHaveLength(0);

    await push.notifyRep(pushInput());
    await push.notifyRep(pushInput());
    expect(emu.store.notifications).toHaveLength(1);
    expect(emu.store.records('Task')).toHaveLength(1);
  });

  it('push: an unknown notification type is rejected per input → not retryable, field named', async () => {
    const otherType: OrgConfig = {
      ...config,
      salesforce: { ...config.salesforce, notificationTypeId: '0MLxx0000009ZZZZZZ' },
    };
    const err = await serviceErrorOf(adapters({ config: otherType }).push.notifyRep(pushInput()));
    expect(err.details).toMatchObject({ status: 400, code: 'INVALID_CROSS_REFERENCE_KEY', field: 'customNotifTypeId' });
    expect(err.retryable).toBe(false);
    expect(emu.store.records('Task')).toHaveLength(0);
  });
});

describe('bad input is rejected before any request', () => {
  beforeEach(async () => {
    emu = await startSalesforceEmulator({ config });
  });

  it.each([
    [
      'assignOwner, owner not a user or queue',
      () => adapters().sales.assignOwner({ lead: lead(), ownerId: '0015g0000000001AAA', handoffWorkflowId: 'w' }),
      'ownerId',
    ],
    [
      'assignOwner, contact id with a slash',
      () => adapters().sales.assignOwner({ lead: lead({ contactId: '1/../2' }), ownerId: ANA, handoffWorkflowId: 'w' }),
      'lead.contactId',
    ],
    [
      'createTask, due date not ISO-8601',
      () => adapters().sales.createTask({ ...taskInput(), dueAt: 'tomorrow 5pm' }),
      'dueAt',
    ],
    ['createTask, empty key', () => adapters().sales.createTask({ ...taskInput(), key: ' ' }), 'key'],
    [
      'createDeal, queue as owner',
      () => adapters().sales.createDeal({ lead: lead(), ownerId: SANDBOX_NURTURE_QUEUE_ID, name: 'x', key: 'k' }),
      'ownerId',
    ],
    [
      'closeTask, not a task id',
      () => adapters().sales.closeTask({ taskId: '00Q5g0000000001AAA', outcome: 'completed' }),
      'taskId',
    ],
    [
      'notifyRep, not a user id',
      () => adapters().push.notifyRep({ ...pushInput(), salesforceUserId: 'U0REPANA1' }),
      'salesforceUserId',
    ],
    ['markAccepted, date not ISO-8601', () => adapters().sales.markAccepted({ lead: lead(), at: 'yesterday' }), 'at'],
    [
      'markAccepted, a deal id that is not an opportunity',
      () => adapters().sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z', dealId: '00Q5g0000000001AAA' }),
      'dealId',
    ],
    [
      'markRejected, empty reason',
      () => adapters().sales.markRejected({ lead: lead(), reason: ' ', reasonLabel: 'x' }),
      'reason',
    ],
    [
      'reassignDeal, a queue as owner',
      () => adapters().sales.reassignDeal({ dealId: '0065g0000000001AAA', ownerId: SANDBOX_NURTURE_QUEUE_ID }),
      'ownerId',
    ],
    [
      'closeDealLost, not an opportunity id',
      () => adapters().sales.closeDealLost({ dealId: '12345', reason: 'wrong_title', reasonLabel: 'x' }),
      'dealId',
    ],
  ])('%s', async (_case, call, field) => {
    const err = await serviceErrorOf(call());
    expect(err.details).toMatchObject({ status: 400, code: 'INVALID_INPUT', field });
    expect(err.message).toContain('rejected before sending: expected');
    expect(err.retryable).toBe(false);
    expect(emu.requests).toHaveLength(0);
  });

  it('names the field but withholds an email address passed as the HubSpot contact id', async () => {
    const call = adapters().sales.assignOwner({
      lead: lead({ contactId: 'dana.ito@initrode.example' }),
      ownerId: ANA,
      handoffWorkflowId: 'w',
    });
    const err = await serviceErrorOf(call);
    expect(err.details).toMatchObject({ status: 400, code: 'INVALID_INPUT', field: 'lead.contactId' });
    expect(err.details.value).toBeUndefined();
    expect(err.message).toContain('(value withheld: may contain personal data)');
    expect(err.message + JSON.stringify(err.details)).not.toContain('dana');
    expect(emu.requests).toHaveLength(0);
  });
});

describe('options are checked when the adapters are built', () => {
  const base: SalesforceAdapterOptions = {
    loginUrl: 'https://login.salesforce.com',
    clientId: 'key',
    clientSecret: 'secret',
    refreshToken: 'token',
    nurtureOwnerId: SANDBOX_NURTURE_QUEUE_ID,
    config,
  };

  it.each([
    [
      'no nurture owner',
      { nurtureOwnerId: undefined },
      /nurtureOwnerId \(env SALESFORCE_NURTURE_QUEUE_ID\) = undefined: expected a queue id/,
    ],
    [
      'a queue as nurture owner of Contacts',
      { config: { ...config, salesforce: { ...config.salesforce, recordType: 'Contact' as const } } },
      /Contacts cannot be owned by queues/,
    ],
    [
      'no credentials',
      { refreshToken: undefined },
      /no credentials: set refreshToken \(env SALESFORCE_REFRESH_TOKEN\)/,
    ],
    ['username without password', { refreshToken: undefined, username: 'u@x.example' }, /SALESFORCE_PASSWORD/],
    [
      'password flow without secret',
      { refreshToken: undefined, clientSecret: undefined, username: 'u', password: 'p' },
      /clientSecret \(env SALESFORCE_CLIENT_SECRET\)/,
    ],
    ['refresh token without client id', { clientId: undefined }, /clientId \(env SALESFORCE_CLIENT_ID\)/],
    [
      'login URL not a URL',
      { loginUrl: 'login.salesforce.com' },
      /loginUrl \(env SALESFORCE_LOGIN_URL\) = "login.salesforce.com"/,
    ],
    [
      'API version too old for custom notifications',
      { apiVersion: '45.0' },
      /apiVersion = "45.0": expected .*\(46.0 or later\)/,
    ],
    [
      'a key field that is not an API name',
      { taskKeyField: "Key__c' OR Id != '" },
      /taskKeyField = .*expected a field API name/,
    ],
    [
      'a custom field name that is not an API name',
      {
        config: {
          ...config,
          salesforce: { ...config.salesforce, fields: { ...config.salesforce.fields, lossReason: 'Loss Reason' } },
        },
      },
      /config\.salesforce\.fields\.lossReason = "Loss Reason": expected a field API name/,
    ],
    [
      'convert on accept with Contacts',
      {
        nurtureOwnerId: ANA,
        config: {
          ...config,
          salesforce: { ...config.salesforce, recordType: 'Contact' as const, convertOnAccept: true },
        },
      },
      /convertOnAccept is on but config\.salesforce\.recordType is "Contact"/,
    ],
    [
      'mobile push on without a notification type',
      { config: { ...config, salesforce: { ...config.salesforce, notificationTypeId: undefined } } },
      /notificationTypeId = undefined: expected a CustomNotificationType id/,
    ],
  ])('%s', (_case, change, message) => {
    expect(() => createSalesforceAdapters({ ...base, ...change })).toThrow(SalesforceConfigError);
    expect(() => createSalesforceAdapters({ ...base, ...change })).toThrow(message);
  });

  it('accepts a starting access token with its instance URL and no other credentials', () => {
    expect(() =>
      createSalesforceAdapters({
        ...base,
        refreshToken: undefined,
        accessToken: '00D!x',
        instanceUrl: 'https://acme.my.salesforce.com',
      }),
    ).not.toThrow();
  });

  it('reads the SALESFORCE_* environment variables, empty ones as absent', () => {
    const options = salesforceOptionsFromEnv(
      {
        SALESFORCE_CLIENT_ID: 'key',
        SALESFORCE_CLIENT_SECRET: 'secret',
        SALESFORCE_REFRESH_TOKEN: 'token',
        SALESFORCE_USERNAME: '',
        SALESFORCE_NURTURE_QUEUE_ID: SANDBOX_NURTURE_QUEUE_ID,
        SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
      },
      config,
    );
    expect(options).toEqual({
      loginUrl: 'https://login.salesforce.com',
      instanceUrl: 'https://acme.my.salesforce.com',
      clientId: 'key',
      clientSecret: 'secret',
      refreshToken: 'token',
      username: undefined,
      password: undefined,
      apiVersion: undefined,
      nurtureOwnerId: SANDBOX_NURTURE_QUEUE_ID,
      config,
    });
    expect(() => createSalesforceAdapters(options)).not.toThrow();
  });
});
