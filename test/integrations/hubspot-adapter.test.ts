/**
 * The HubSpot adapters through the official client against the sandbox emulator: every MarketingCrm and SalesCrm
 * method, the forward-only lifecycle and the rejection's backward move.
 */
import { createHubSpotAdapters } from '../../src/activities/hubspot';
import type { MarketingCrm, SalesCrm } from '../../src/activities/ports';
import type { LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../src/sandbox/hubspot/emulator';
import { DEMO_COMPANIES, DEMO_CONTACTS, DEMO_DEALS } from '../../src/sandbox/hubspot/seed';
import { config, demoLead, serviceErrorOf } from './crm-fixture';

const DAY = 86_400_000;

let emulator: HubSpotEmulator;
let marketing: MarketingCrm;
let sales: SalesCrm;

beforeEach(async () => {
  emulator = await startHubSpotEmulator({ config });
  ({ marketing, sales } = createHubSpotAdapters({ accessToken: emulator.accessToken, baseUrl: emulator.url, config }));
});
afterEach(() => emulator.close());

const contact = (id: string) => emulator.store.get('contacts', id)!.properties;
const requestsTo = (method: string, path: string) =>
  emulator.requests.filter((r) => r.method === method && r.path === path).length;

const lead = (id: string): Promise<LeadSnapshot> => demoLead(marketing, id);

describe('getLead', () => {
  it('reads the demo-request contact with its company, engagement and marketing notes', async () => {
    const l = await lead('1001');
    expect(l).toMatchObject({
      contactId: '1001',
      email: 'dana.ito@globex.example',
      firstName: 'Dana',
      lastName: 'Ito',
      jobTitle: 'VP Operations',
      country: 'US',
      region: 'NY',
      lifecycleStage: 'lead',
      leadStatus: null,
      hubspotOwnerId: null,
      fitScore: 82,
      engagementScore: 74,
      sourcedBy: 'inbound',
      company: {
        id: DEMO_COMPANIES.globex,
        name: 'Globex',
        domain: 'globex.example',
        employees: 1200,
        industry: 'Computer Software',
        country: 'US',
      },
      marketingNotes: ['Met Dana at the Boston roadshow; asked about SSO and audit logs.'],
      hubspotUrl: 'https://app.hubspot.com/contacts/4410001/record/0-1/1001',
    });
    const types = l.events.map((e) => e.type);
    expect(types.filter((t) => t === 'demo_request')).toHaveLength(1);
    expect(types).toContain('content_download');
    const pricingViews = l.events.filter((e) => e.type === 'page_view' && e.url?.endsWith('/pricing'));
    expect(pricingViews).toHaveLength(3);
    const times = l.events.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it.each([
    ['1002', ['webinar_attended', 'email_click', 'email_open', 'page_view'], 'Retail'],
    ['1004', ['free_trial_start', 'page_view'], 'Information Technology and Services'],
    ['1005', ['content_download', 'email_click'], 'Hospital & Health Care'],
  ])('maps contact %s engagement to %j and the industry to its label', async (id, expected, industry) => {
    const l = await lead(id);
    for (const type of expected) expect(l.events.map((e) => e.type)).toContain(type);
    expect(l.company?.industry).toBe(industry);
  });

  it('names the marketing email a click came from', async () => {
    const click = (await lead('1002')).events.find((e) => e.type === 'email_click');
    expect(click?.title).toBe('March product newsletter');
  });

  it('gives a contact without a company company = null', async () => {
    const l = await lead('1003');
    expect(l.company).toBeNull();
    expect(l).toMatchObject({ jobTitle: 'Student', fitScore: 20, engagementScore: 88 });
  });

  it('leaves notes written by sales reps out of the marketing notes', async () => {
    expect((await lead('1006')).marketingNotes).toEqual([]);
  });

  it.each([
    ['lead source Outbound', { lead_source: 'Outbound' }, 'outbound'],
    [
      'lead source Website, made in the CRM',
      { lead_source: 'Website', hs_analytics_source: 'OFFLINE', hs_analytics_source_data_1: 'CRM_UI' },
      'inbound',
    ],
    [
      'no lead source, made by hand in the CRM',
      { hs_analytics_source: 'OFFLINE', hs_analytics_source_data_1: 'CRM_UI' },
      'outbound',
    ],
    ['no lead source, imported', { hs_analytics_source: 'OFFLINE', hs_analytics_source_data_1: 'IMPORT' }, 'inbound'],
    ['no lead source, organic search', { hs_analytics_source: 'ORGANIC_SEARCH' }, 'inbound'],
  ])('tells who sourced the contact: %s', async (_what, properties, expected) => {
    const c = emulator.store.create('contacts', { email: 'pat@prospect.example', ...properties }, [], { system: true });
    expect((await lead(c.id)).sourcedBy).toBe(expected);
  });

  it('ignores web events older than the 30-day lookback', async () => {
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    emulator.store.addWebEvent({
      objectId: '1007',
      eventType: 'e_visited_page',
      occurredAt: old,
      properties: { hs_url: 'https://www.acme-analytics.example/old-page' },
    });
    const urls = (await lead('1007')).events.map((e) => e.url);
    expect(urls).not.toContain('https://www.acme-analytics.example/old-page');
    expect(urls).toContain('https://www.acme-analytics.example/pricing');
  });

  it('still finds the demo request when the portal has no events API (non-Enterprise)', async () => {
    await emulator.close();
    emulator = await startHubSpotEmulator({ config, eventsApi: false });
    ({ marketing } = createHubSpotAdapters({ accessToken: emulator.accessToken, baseUrl: emulator.url, config }));
    const l = await lead('1001');
    expect(l.events.map((e) => e.type)).toContain('demo_request');
    expect(l.events.some((e) => e.type === 'page_view')).toBe(false);
  });

  it('returns null for a contact that does not exist', async () => {
    await expect(marketing.getLead('999999')).resolves.toBeNull();
  });

  it('refuses a malformed contact id without calling HubSpot', async () => {
    const e = await serviceErrorOf(marketing.getLead('12ab'));
    expect(e.retryable).toBe(false);
    expect(e.details).toMatchObject({ field: 'contactId', value: '12ab', code: 'INVALID_INPUT' });
    expect(e.message).toBe(
      'hubspot: read lead failed (400 INVALID_INPUT): field contactId = "12ab": rejected before sending: expected a HubSpot contact id (digits)',
    );
    expect(emulator.requests).toHaveLength(0);
  });

  it('names the field but withholds an email address passed as the contact id', async () => {
    const e = await serviceErrorOf(marketing.getLead('dana@globex.example'));
    expect(e.details).toMatchObject({ field: 'contactId', code: 'INVALID_INPUT' });
    expect(e.details.value).toBeUndefined();
    expect(e.message).toContain('expected a HubSpot contact id (digits) (value withheld: may contain personal data)');
    expect(e.message + JSON.stringify(e.details)).not.toContain('dana');
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('updateContact', () => {
  it('moves a lead forward to MQL with owner, lead status and the product properties', async () => {
    await marketing.updateContact('1001', {
      lifecycle: { to: 'marketingqualifiedlead' },
      hubspotOwnerId: '71000008',
      leadStatus: 'NEW',
      mqlDate: '2026-03-02T15:04:05.000Z',
      handoffWorkflowId: 'mql-handoff-1001-1',
      salesRejectedReason: null,
      disqualificationReasons: null,
    });
    expect(contact('1001')).toMatchObject({
      lifecyclestage: 'marketingqualifiedlead',
      hubspot_owner_id: '71000008',
      hs_lead_status: 'NEW',
      mql_handoff_mql_date: '2026-03-02T15:04:05.000Z',
      mql_handoff_workflow_id: 'mql-handoff-1001-1',
    });
    expect(contact('1001').hs_lifecyclestage_marketingqualifiedlead_date).toBeDefined();
    expect(contact('1001').mql_handoff_rejected_reason).toBeUndefined();
  });

  it('leaves the stage alone when the contact is already further along, and still writes the rest', async () => {
    emulator.store.update('contacts', '1002', { lifecyclestage: 'salesqualifiedlead' });
    await marketing.updateContact('1002', { lifecycle: { to: 'marketingqualifiedlead' }, leadStatus: 'OPEN' });
    expect(contact('1002')).toMatchObject({ lifecyclestage: 'salesqualifiedlead', hs_lead_status: 'OPEN' });
  });

  it('sends nothing when the stage is already the target and nothing else changes', async () => {
    emulator.store.update('contacts', '1002', { lifecyclestage: 'marketingqualifiedlead' });
    await marketing.updateContact('1002', { lifecycle: { to: 'marketingqualifiedlead' } });
    expect(requestsTo('PATCH', '/crm/v3/objects/contacts/1002')).toBe(0);
  });

  it('sends a rejected MQL back to Lead by clearing the stage first, with the reason and no owner', async () => {
    emulator.store.update('contacts', '1001', {
      lifecyclestage: 'marketingqualifiedlead',
      hubspot_owner_id: '71000008',
    });
    await marketing.updateContact('1001', {
      lifecycle: { to: 'lead', allowBackward: true },
      hubspotOwnerId: null,
      leadStatus: 'UNQUALIFIED',
      salesRejectedReason: 'wrong_title',
    });
    expect(contact('1001')).toMatchObject({
      lifecyclestage: 'lead',
      hs_lead_status: 'UNQUALIFIED',
      mql_handoff_rejected_reason: 'wrong_title',
    });
    expect(contact('1001').hubspot_owner_id).toBeUndefined();
    expect(requestsTo('PATCH', '/crm/v3/objects/contacts/1001')).toBe(2);
  });

  it('does not move backwards without allowBackward', async () => {
    emulator.store.update('contacts', '1001', { lifecyclestage: 'marketingqualifiedlead' });
    await marketing.updateContact('1001', { lifecycle: { to: 'lead' } });
    expect(contact('1001').lifecyclestage).toBe('marketingqualifiedlead');
  });

  it('treats an unknown current stage (other) as not behind: moves only with allowBackward', async () => {
    emulator.store.update('contacts', '1007', { lifecyclestage: 'other' });
    await marketing.updateContact('1007', { lifecycle: { to: 'marketingqualifiedlead' } });
    expect(contact('1007').lifecyclestage).toBe('other');
    await marketing.updateContact('1007', { lifecycle: { to: 'marketingqualifiedlead', allowBackward: true } });
    expect(contact('1007').lifecyclestage).toBe('marketingqualifiedlead');
  });

  it('fails retryable when someone moves the stage further while we write, and the retry leaves it', async () => {
    emulator.faults.inject({ kind: 'slow', delayMs: 1000, method: 'PATCH', path: '/crm/v3/objects/contacts/1002' });
    const pending = marketing.updateContact('1002', { lifecycle: { to: 'marketingqualifiedlead' } });
    while (!emulator.requests.some((r) => r.method === 'PATCH' && r.fault === 'slow')) {
      await new Promise((r) => setImmediate(r));
    }
    emulator.store.update('contacts', '1002', { lifecyclestage: 'customer' });
    const e = await serviceErrorOf(pending);
    expect(e.details).toMatchObject({ code: 'LIFECYCLE_NOT_APPLIED', field: 'lifecyclestage' });
    expect(e.retryable).toBe(true);
    await marketing.updateContact('1002', { lifecycle: { to: 'marketingqualifiedlead' } });
    expect(contact('1002').lifecyclestage).toBe('customer');
  });

  it('records the SQL date and moves to SQL on acceptance', async () => {
    emulator.store.update('contacts', '1001', { lifecyclestage: 'marketingqualifiedlead' });
    await marketing.updateContact('1001', {
      lifecycle: { to: 'salesqualifiedlead' },
      sqlDate: '2026-03-03T09:00:00Z',
    });
    expect(contact('1001')).toMatchObject({
      lifecyclestage: 'salesqualifiedlead',
      mql_handoff_sql_date: '2026-03-03T09:00:00.000Z',
    });
  });

  it.each([
    ['lifecycle.to', { lifecycle: { to: 'prospect' } }],
    ['leadStatus', { leadStatus: 'HOT' }],
    ['mqlDate', { mqlDate: 'yesterday' }],
    ['salesRejectedReason', { salesRejectedReason: 'too_expensive' }],
    ['hubspotOwnerId', { hubspotOwnerId: 'hugo' }],
  ])('refuses a bad %s before sending anything', async (field, update) => {
    const e = await serviceErrorOf(marketing.updateContact('1001', update as never));
    expect(e.retryable).toBe(false);
    expect(e.details.field).toBe(field);
    expect(e.message).toContain(field);
    expect(requestsTo('PATCH', '/crm/v3/objects/contacts/1001')).toBe(0);
  });

  it('reports HubSpot refusing an unknown owner, naming the property and value', async () => {
    const e = await serviceErrorOf(marketing.updateContact('1001', { hubspotOwnerId: '71009999' }));
    expect(e.retryable).toBe(false);
    expect(e.details).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      field: 'hubspot_owner_id',
      value: '71009999',
      object: 'contact 1001',
    });
  });
});

describe('enrollInList', () => {
  it('adds the contact to the re-nurture list once, however often it is called', async () => {
    await marketing.enrollInList('1001', '105');
    await marketing.enrollInList('1001', '105');
    expect(emulator.store.listMembers('105')).toEqual(['1001']);
  });

  it.each([
    ['an unknown list', '1001', '999', 'list 999'],
    ['an unknown contact', '888888', '101', 'contact 888888'],
  ])('fails, not retryable, for %s', async (_what, contactId, listId, named) => {
    const e = await serviceErrorOf(marketing.enrollInList(contactId, listId));
    expect(e.retryable).toBe(false);
    expect(e.details.status).toBe(404);
    expect(e.message).toContain(named);
  });
});

describe('findOpenDeal', () => {
  it("finds the open deal on the lead's company and its owner", async () => {
    await expect(sales.findOpenDeal(await lead('1006'))).resolves.toEqual({
      id: DEMO_DEALS.initrodeOpen,
      name: 'Initrode - platform expansion',
      ownerId: '71000006',
      url: `https://app.hubspot.com/contacts/4410001/record/0-3/${DEMO_DEALS.initrodeOpen}`,
    });
  });

  it.each([
    ['only a closed deal', '1001'],
    ['no deals', '1002'],
    ['no company', '1003'],
  ])('returns null when the company has %s', async (_what, id) => {
    await expect(sales.findOpenDeal(await lead(id))).resolves.toBeNull();
  });
});

describe('owner', () => {
  it('assigns the contact owner with the workflow id and links the contact', async () => {
    const ref = await sales.assignOwner({
      lead: await lead('1002'),
      ownerId: '71000005',
      handoffWorkflowId: 'wf-1002',
    });
    expect(ref).toEqual({
      system: 'hubspot',
      objectType: 'contact',
      id: '1002',
      url: 'https://app.hubspot.com/contacts/4410001/record/0-1/1002',
    });
    expect(contact('1002')).toMatchObject({ hubspot_owner_id: '71000005', mql_handoff_workflow_id: 'wf-1002' });
  });

  it('removes the owner', async () => {
    emulator.store.update('contacts', '1002', { hubspot_owner_id: '71000005' });
    await sales.removeOwner({ lead: await lead('1002') });
    expect(contact('1002').hubspot_owner_id).toBeUndefined();
  });
});

describe('createDeal', () => {
  it('creates the deal in the configured pipeline at the MQL stage, associated with contact and company', async () => {
    const ref = await sales.createDeal({
      lead: await lead('1001'),
      ownerId: '71000008',
      name: 'Globex - MQL',
      key: 'wf-1001:c1:deal',
    });
    expect(ref).toMatchObject({ system: 'hubspot', objectType: 'deal' });
    expect(ref.url).toBe(`https://app.hubspot.com/contacts/4410001/record/0-3/${ref.id}`);
    expect(emulator.store.get('deals', ref.id)!.properties).toMatchObject({
      dealname: 'Globex - MQL',
      pipeline: 'default',
      dealstage: 'appointmentscheduled',
      hubspot_owner_id: '71000008',
      mql_handoff_key: 'wf-1001:c1:deal',
      hs_is_closed: 'false',
    });
    expect(emulator.store.associations('deals', ref.id, 'contacts').map((a) => a.toObjectId)).toEqual(['1001']);
    expect(emulator.store.associations('deals', ref.id, 'companies').map((a) => a.toObjectId)).toEqual([
      DEMO_COMPANIES.globex,
    ]);
  });

  it('returns the same deal when called again with the same key', async () => {
    const input = { lead: await lead('1004'), ownerId: '71000010', name: 'Brightwave - trial', key: 'wf-1004:c1:deal' };
    const first = await sales.createDeal(input);
    const second = await sales.createDeal(input);
    expect(second.id).toBe(first.id);
    expect(emulator.store.all('deals').filter((d) => d.properties.mql_handoff_key === input.key)).toHaveLength(1);
  });

  it('associates only the contact when the lead has no company', async () => {
    const ref = await sales.createDeal({
      lead: await lead('1003'),
      ownerId: '71000001',
      name: 'Student',
      key: 'k-1003',
    });
    expect(emulator.store.associations('deals', ref.id, 'contacts')).toHaveLength(1);
    expect(emulator.store.associations('deals', ref.id, 'companies')).toHaveLength(0);
  });
});

describe('createTask / closeTask', () => {
  const taskInput = async (key: string) => ({
    lead: await lead('1001'),
    ownerId: '71000008',
    subject: 'First touch: Dana Ito (Globex)',
    body: 'Demo request today.\n\nPricing page 3x this week <b>& datasheet</b>.',
    dueAt: '2026-03-02T19:00:00Z',
    key,
  });

  it('creates the rep task due at the SLA deadline, associated with the contact', async () => {
    const ref = await sales.createTask(await taskInput('wf-1001:c1:task:rep-hugo'));
    expect(ref).toMatchObject({ system: 'hubspot', objectType: 'task' });
    expect(emulator.store.get('tasks', ref.id)!.properties).toMatchObject({
      hs_task_subject: 'First touch: Dana Ito (Globex)',
      hs_task_body: '<p>Demo request today.</p><p>Pricing page 3x this week &lt;b&gt;&amp; datasheet&lt;/b&gt;.</p>',
      hs_timestamp: '2026-03-02T19:00:00.000Z',
      hubspot_owner_id: '71000008',
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'HIGH',
      mql_handoff_key: 'wf-1001:c1:task:rep-hugo',
    });
    expect(emulator.store.associations('tasks', ref.id, 'contacts').map((a) => a.toObjectId)).toEqual(['1001']);
  });

  it('returns the same task for the same key and a new one for another key', async () => {
    const a = await sales.createTask(await taskInput('key-a'));
    const again = await sales.createTask(await taskInput('key-a'));
    const b = await sales.createTask(await taskInput('key-b'));
    expect(again.id).toBe(a.id);
    expect(b.id).not.toBe(a.id);
    expect(emulator.store.all('tasks')).toHaveLength(2);
  });

  it.each([
    ['completed', undefined],
    ['reassigned', 'reassigned to another rep'],
    ['cancelled', 'the handoff ended'],
  ] as const)('closes a task as %s', async (outcome, note) => {
    const ref = await sales.createTask(await taskInput(`close-${outcome}`));
    await sales.closeTask({ taskId: ref.id, outcome });
    const p = emulator.store.get('tasks', ref.id)!.properties;
    expect(p.hs_task_status).toBe('COMPLETED');
    expect(p.hs_task_completion_date).toBeDefined();
    if (note) expect(p.hs_task_body).toContain(note);
    else expect(p.hs_task_body).not.toContain('Closed by the MQL handoff');
  });

  it('closing twice changes nothing the second time', async () => {
    const ref = await sales.createTask(await taskInput('close-twice'));
    await sales.closeTask({ taskId: ref.id, outcome: 'reassigned' });
    await sales.closeTask({ taskId: ref.id, outcome: 'reassigned' });
    expect(requestsTo('PATCH', `/crm/v3/objects/tasks/${ref.id}`)).toBe(1);
    expect(emulator.store.get('tasks', ref.id)!.properties.hs_task_body!.match(/Closed by/g)).toHaveLength(1);
  });

  it('treats a task that no longer exists as closed', async () => {
    await expect(sales.closeTask({ taskId: '777777', outcome: 'cancelled' })).resolves.toBeUndefined();
  });
});

describe("the handoff's deal", () => {
  const salesWith = (hubspot: Partial<OrgConfig['hubspot']>): SalesCrm =>
    createHubSpotAdapters({
      accessToken: emulator.accessToken,
      baseUrl: emulator.url,
      config: { ...config, hubspot: { ...config.hubspot, ...hubspot } },
    }).sales;
  const deal = (id: string) => emulator.store.get('deals', id)!.properties;
  const dealWrites = (id: string) => requestsTo('PATCH', `/crm/v3/objects/deals/${id}`);

  async function handoffDeal(): Promise<string> {
    const ref = await sales.createDeal({
      lead: await lead('1001'),
      ownerId: '71000008',
      name: 'Globex - MQL',
      key: 'k',
    });
    return ref.id;
  }

  it('moves to the new owner on reassignment; to the owner it has: nothing sent', async () => {
    const id = await handoffDeal();
    await sales.reassignDeal({ dealId: id, ownerId: '71000009' });
    expect(deal(id).hubspot_owner_id).toBe('71000009');
    await sales.reassignDeal({ dealId: id, ownerId: '71000009' });
    expect(dealWrites(id)).toBe(1);
  });

  it('closes lost on rejection with the reason in closed_lost_reason; closing again sends nothing', async () => {
    const id = await handoffDeal();
    const before = Date.now();
    await sales.closeDealLost({ dealId: id, reason: 'no_budget_signal', reasonLabel: 'No budget signal' });
    expect(deal(id)).toMatchObject({
      dealstage: 'closedlost',
      pipeline: 'default',
      hs_is_closed: 'true',
      hs_is_closed_won: 'false',
      closed_lost_reason: 'No budget signal',
      hubspot_owner_id: '71000008',
    });
    expect(Date.parse(deal(id).closedate!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    await sales.closeDealLost({ dealId: id, reason: 'no_budget_signal', reasonLabel: 'No budget signal' });
    expect(dealWrites(id)).toBe(1);
  });

  it('leaves a deal a rep already won alone', async () => {
    const id = await handoffDeal();
    emulator.store.update('deals', id, { dealstage: 'closedwon' });
    await sales.closeDealLost({ dealId: id, reason: 'wrong_title', reasonLabel: 'Wrong title / persona' });
    await salesWith({ acceptedDealStageId: 'qualifiedtobuy' }).moveDealToAcceptedStage({ dealId: id });
    expect(deal(id)).toMatchObject({ dealstage: 'closedwon', hs_is_closed_won: 'true' });
    expect(deal(id).closed_lost_reason).toBeUndefined();
    expect(dealWrites(id)).toBe(0);
  });

  it("closes a deal sales moved to another pipeline at that pipeline's closed-lost stage", async () => {
    const at = new Date().toISOString();
    const stage = (id: string, closed: boolean, probability: string, displayOrder: number) => ({
      id,
      label: id,
      displayOrder,
      metadata: { isClosed: String(closed) as 'true' | 'false', probability },
      createdAt: at,
      updatedAt: at,
      archived: false,
    });
    emulator.store.pipelines.set('7101', {
      id: '7101',
      label: 'Renewals',
      displayOrder: 1,
      createdAt: at,
      updatedAt: at,
      archived: false,
      stages: [stage('7201', false, '0.5', 0), stage('7202', true, '1.0', 1), stage('7203', true, '0.0', 2)],
    });
    const id = await handoffDeal();
    emulator.store.update('deals', id, { pipeline: '7101', dealstage: '7201' });
    await sales.closeDealLost({ dealId: id, reason: 'wrong_title', reasonLabel: 'Wrong title / persona' });
    expect(deal(id)).toMatchObject({ pipeline: '7101', dealstage: '7203', hs_is_closed: 'true' });
  });

  it('moves to the accepted stage when one is configured, only from the MQL stage it was created at', async () => {
    const accepting = salesWith({ acceptedDealStageId: 'qualifiedtobuy' });
    const id = await handoffDeal();
    await accepting.moveDealToAcceptedStage({ dealId: id });
    expect(deal(id).dealstage).toBe('qualifiedtobuy');
    await accepting.moveDealToAcceptedStage({ dealId: id });
    expect(dealWrites(id)).toBe(1);

    const movedOn = await sales.createDeal({ lead: await lead('1001'), ownerId: '71000008', name: 'x', key: 'k2' });
    emulator.store.update('deals', movedOn.id, { dealstage: 'contractsent' });
    await accepting.moveDealToAcceptedStage({ dealId: movedOn.id });
    expect(deal(movedOn.id).dealstage).toBe('contractsent');
  });

  it('stays at its stage on acceptance when no accepted stage is configured, without a request', async () => {
    const id = await handoffDeal();
    const before = emulator.requests.length;
    await sales.moveDealToAcceptedStage({ dealId: id });
    expect(emulator.requests).toHaveLength(before);
    expect(deal(id).dealstage).toBe('appointmentscheduled');
  });

  it('treats a deal that no longer exists as nothing to do', async () => {
    await expect(sales.reassignDeal({ dealId: '777777', ownerId: '71000009' })).resolves.toBeUndefined();
    await expect(
      sales.closeDealLost({ dealId: '777777', reason: 'wrong_title', reasonLabel: 'Wrong title / persona' }),
    ).resolves.toBeUndefined();
  });

  it('reports a closed-lost stage the pipeline lacks, naming dealstage, not retryable', async () => {
    const id = await handoffDeal();
    const err = await serviceErrorOf(
      salesWith({ closedLostDealStageId: 'lost' }).closeDealLost({
        dealId: id,
        reason: 'wrong_title',
        reasonLabel: 'x',
      }),
    );
    expect(err.details).toMatchObject({ status: 400, field: 'dealstage', value: 'lost', operation: 'close deal lost' });
    expect(err.retryable).toBe(false);
    expect(deal(id).hs_is_closed).toBe('false');
  });

  it('writes nothing for the outcome on the contact: the marketing side owns that record', async () => {
    const l = await lead('1002');
    const before = emulator.requests.length;
    await sales.markFirstTouch({ lead: l, at: '2026-03-02T15:04:05Z' });
    await sales.markAccepted({ lead: l, at: '2026-03-02T15:04:05Z', dealId: null });
    await sales.markRejected({ lead: l, reason: 'wrong_title', reasonLabel: 'Wrong title / persona' });
    expect(emulator.requests).toHaveLength(before);
  });
});

it('covers every demo scenario the webhook simulator uses', async () => {
  for (const { id } of DEMO_CONTACTS) await expect(marketing.getLead(id)).resolves.not.toBeNull();
});
