/**
 * How HubSpot failures reach Temporal (ServiceError → toActivityFailure), and that a retry after the worker lost
 * the answer to a write (drop_after_write) creates nothing twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createHubSpotAdapters } from '../../src/activities/hubspot';
import type { MarketingCrm, SalesCrm } from '../../src/activities/ports';
import { toActivityFailure } from '../../src/activities/service-error';
import type { LeadSnapshot } from '../../src/domain/lead';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../src/sandbox/hubspot/emulator';
import { config, demoLead, serviceErrorOf } from './crm-fixture';

let emulator: HubSpotEmulator;
let marketing: MarketingCrm;
let sales: SalesCrm;

function connect(accessToken = emulator.accessToken, orgConfig = config): void {
  ({ marketing, sales } = createHubSpotAdapters({ accessToken, baseUrl: emulator.url, config: orgConfig }));
}

beforeEach(async () => {
  emulator = await startHubSpotEmulator({ config });
  connect();
});
afterEach(() => emulator.close());

const lead = (id: string): Promise<LeadSnapshot> => demoLead(marketing, id);

describe('failure classes', () => {
  it('429 carries Retry-After into the activity failure, and the client does not retry on its own', async () => {
    emulator.faults.inject({ kind: 'rate_limit', path: '/crm/v3/objects/contacts/1001', retryAfterSeconds: 7 });
    const e = await serviceErrorOf(marketing.getLead('1001'));
    expect(e.details).toMatchObject({ status: 429, code: 'RATE_LIMIT', retryAfterSeconds: 7, object: 'contact 1001' });
    expect(e.retryable).toBe(true);
    const af = toActivityFailure(e) as ApplicationFailure;
    expect(af).toBeInstanceOf(ApplicationFailure);
    expect(af.nonRetryable).toBe(false);
    expect(af.nextRetryDelay).toBe('7s');
    expect(emulator.requests.filter((r) => r.path === '/crm/v3/objects/contacts/1001')).toHaveLength(1);
  });

  it.each([500, 502, 503])('%i is retryable with the activity backoff', async (status) => {
    emulator.faults.inject({ kind: 'server_error', status, path: '/crm/v3/objects/contacts/1002', method: 'PATCH' });
    const e = await serviceErrorOf(marketing.updateContact('1002', { leadStatus: 'NEW' }));
    expect(e.details.status).toBe(status);
    expect(e.retryable).toBe(true);
    const af = toActivityFailure(e) as ApplicationFailure;
    expect(af.nonRetryable).toBe(false);
    expect(af.type).toBe('ServiceUnavailable');
  });

  it('400 names the property and value HubSpot refused and is not retryable', async () => {
    connect(emulator.accessToken, { ...config, hubspot: { ...config.hubspot, mqlDealStageId: 'mql' } });
    const e = await serviceErrorOf(
      sales.createDeal({ lead: await lead('1001'), ownerId: '71000008', name: 'Globex', key: 'k-400' }),
    );
    expect(e.details).toMatchObject({ status: 400, code: 'VALIDATION_ERROR', field: 'dealstage', value: 'mql' });
    expect(e.message).toMatch(
      /create deal for deal with key k-400 failed \(400 VALIDATION_ERROR\): field dealstage = "mql"/,
    );
    const af = toActivityFailure(e) as ApplicationFailure;
    expect(af.nonRetryable).toBe(true);
    expect(af.type).toBe('ServiceRejected');
  });

  it('names a refused free-text property but withholds its value (it may hold personal data)', async () => {
    const body = `Call Dana Ito on +1 212 555 0101. ${'x'.repeat(70_000)}`;
    const e = await serviceErrorOf(
      sales.createTask({
        lead: await lead('1001'),
        ownerId: '71000008',
        subject: 'First touch',
        body,
        dueAt: '2026-03-02T19:00:00Z',
        key: 'k-long',
      }),
    );
    expect(e.details).toMatchObject({ status: 400, field: 'hs_task_body' });
    expect(e.details.value).toBeUndefined();
    expect(e.message).not.toContain('Dana');
    expect(e.retryable).toBe(false);
  });

  it('401 for a wrong token is not retryable and never echoes the token', async () => {
    connect('wrong-secret-token');
    const e = await serviceErrorOf(marketing.getLead('1001'));
    expect(e.details).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION' });
    expect(e.retryable).toBe(false);
    expect(e.message).not.toContain('wrong-secret-token');
    expect(JSON.stringify(e.details)).not.toContain('wrong-secret-token');
  });

  it('a dropped connection is a retryable transport error, though the write happened', async () => {
    emulator.faults.inject({ kind: 'drop_after_write', method: 'PATCH', path: '/crm/v3/objects/contacts/1002' });
    const e = await serviceErrorOf(marketing.updateContact('1002', { leadStatus: 'CONNECTED' }));
    expect(e.details.transport).toBe(true);
    expect(e.retryable).toBe(true);
    expect(emulator.store.get('contacts', '1002')!.properties.hs_lead_status).toBe('CONNECTED');
  });

  it('a refused connection is a retryable transport error', async () => {
    // Port 1 (tcpmux) has no listener on a test machine; a closed emulator's port could be reused by another test.
    ({ marketing } = createHubSpotAdapters({ accessToken: 'x', baseUrl: 'http://127.0.0.1:1', config }));
    const e = await serviceErrorOf(marketing.getLead('1001'));
    expect(e.details).toMatchObject({ transport: true, operation: 'read contact' });
    expect(e.retryable).toBe(true);
  });
});

describe('crash after write', () => {
  it('createDeal retried with the same key after the upsert answer was lost leaves exactly one deal', async () => {
    const input = { lead: await lead('1001'), ownerId: '71000008', name: 'Globex - MQL', key: 'wf-1001:c1:deal' };
    emulator.faults.inject({ kind: 'drop_after_write', method: 'POST', path: '/crm/v3/objects/deals/batch/upsert' });
    const lost = await serviceErrorOf(sales.createDeal(input));
    expect(lost.details.transport).toBe(true);

    const ref = await sales.createDeal(input);
    const deals = emulator.store.all('deals').filter((d) => d.properties.mql_handoff_key === input.key);
    expect(deals.map((d) => d.id)).toEqual([ref.id]);
    expect(emulator.store.associations('deals', ref.id, 'contacts')).toHaveLength(1);
    expect(emulator.store.associations('deals', ref.id, 'companies')).toHaveLength(1);
  });

  it('createDeal retried after the association answer was lost repairs the association', async () => {
    const input = { lead: await lead('1005'), ownerId: '71000007', name: 'MedCore - MQL', key: 'wf-1005:c1:deal' };
    emulator.faults.inject({ kind: 'drop_after_write', method: 'PUT', path: '/associations/default/companies/' });
    await serviceErrorOf(sales.createDeal(input));
    const ref = await sales.createDeal(input);
    expect(emulator.store.all('deals').filter((d) => d.properties.mql_handoff_key === input.key)).toHaveLength(1);
    expect(emulator.store.associations('deals', ref.id, 'companies')).toHaveLength(1);
  });

  it('createTask retried with the same key after the create answer was lost leaves exactly one task', async () => {
    const input = {
      lead: await lead('1002'),
      ownerId: '71000005',
      subject: 'First touch: Sam Rivera',
      body: 'Webinar + pricing',
      dueAt: '2026-03-03T17:00:00Z',
      key: 'wf-1002:c1:task:rep-elena',
    };
    emulator.faults.inject({ kind: 'drop_after_write', method: 'POST', path: '/crm/v3/objects/tasks' });
    const lost = await serviceErrorOf(sales.createTask(input));
    expect(lost.details.transport).toBe(true);
    expect(emulator.store.all('tasks')).toHaveLength(1);

    const ref = await sales.createTask(input);
    expect(emulator.store.all('tasks').map((t) => t.id)).toEqual([ref.id]);
  });
});
