/**
 * Every Salesforce adapter method through jsforce against the emulator, once per OAuth flow.
 */
import type { LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';
import { createSalesforceAdapters, type SalesforceAdapterOptions } from '../../src/activities/salesforce';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import { SANDBOX_INTEGRATION_USER_ID, SANDBOX_NURTURE_QUEUE_ID } from '../../src/sandbox/salesforce/seed';
import { ANA, BEN, config, FARID, GRACE, lead, OAUTH_FLOWS } from './crm-fixture';

const newCo = (contactId: string, name: string, domain: string): LeadSnapshot =>
  lead({
    contactId,
    email: `sam@${domain}`,
    firstName: 'Sam',
    lastName: 'Lee',
    company: { id: null, name, domain, employees: 50, industry: null, country: 'US' },
  });

describe.each(OAUTH_FLOWS)('Salesforce adapters, %s', (_flow, options) => {
  let emu: SalesforceEmulator;

  beforeEach(async () => {
    emu = await startSalesforceEmulator({ config });
  });
  afterEach(async () => {
    await emu.close();
  });

  const adapters = (orgConfig: OrgConfig = config, extra: Partial<SalesforceAdapterOptions> = {}) =>
    createSalesforceAdapters(options(emu, { config: orgConfig, ...extra }));

  describe('findOpenDeal', () => {
    it('finds the open opportunity on the account whose website matches the company domain', async () => {
      const deal = await adapters().sales.findOpenDeal(lead());
      const [opp] = emu.store.records('Opportunity').filter((o) => o.Name === 'Initrode — Analytics Platform');
      expect(deal).toEqual({
        id: opp!.Id,
        name: 'Initrode — Analytics Platform',
        ownerId: FARID,
        url: `${emu.url}/lightning/r/Opportunity/${opp!.Id}/view`,
      });
    });

    it.each([
      [
        'company name only, other case',
        lead({ email: null, company: { ...lead().company!, domain: null, name: 'INITRODE' } }),
      ],
      ['domain from the work email', lead({ company: { ...lead().company!, domain: null, name: null } })],
      ['domain written as a URL', lead({ company: { ...lead().company!, domain: 'https://www.Initrode.example/' } })],
    ])('matches the account by %s', async (_case, l) => {
      expect((await adapters().sales.findOpenDeal(l))?.ownerId).toBe(FARID);
    });

    it.each([
      ['the account has only closed opportunities', newCo('5002', 'Globex', 'globex.example')],
      ['no account matches', newCo('5003', 'Hooli', 'hooli.example')],
      ['the lead has a free-mail address and no company', lead({ email: 'dana@gmail.com', company: null })],
      ['the lead has neither company nor email', lead({ email: null, company: null })],
    ])('answers null when %s', async (_case, l) => {
      expect(await adapters().sales.findOpenDeal(l)).toBeNull();
    });

    it('takes the newest open opportunity when the account has several', async () => {
      const initrode = emu.store.records('Account').find((a) => a.Name === 'Initrode')!;
      // CreatedDate has millisecond precision: make sure the second opportunity is created strictly later.
      const seeded = Date.now();
      while (Date.now() === seeded);
      emu.store.seed('Opportunity', {
        Name: 'Initrode — Expansion',
        StageName: 'Prospecting',
        CloseDate: '2030-01-01',
        AccountId: initrode.Id,
        OwnerId: BEN,
      });
      expect(await adapters().sales.findOpenDeal(lead())).toMatchObject({ name: 'Initrode — Expansion', ownerId: BEN });
    });

    it('matches a website stored in other case (LIKE is case-insensitive)', async () => {
      const account = emu.store.seed('Account', {
        Name: 'Vandelay Industries',
        Website: 'https://www.Vandelay.EXAMPLE',
      });
      emu.store.seed('Opportunity', {
        Name: 'Vandelay — Imports',
        StageName: 'Prospecting',
        CloseDate: '2030-01-01',
        AccountId: account,
        OwnerId: BEN,
      });
      const l = newCo('5004', 'Vandelay', 'vandelay.example');
      expect(await adapters().sales.findOpenDeal(l)).toMatchObject({ name: 'Vandelay — Imports', ownerId: BEN });
    });

    it('does not take a website that merely contains the domain', async () => {
      emu.store.seed('Account', { Name: 'Not Initrode', Website: 'https://notinitrode.example' });
      const other = emu.store.records('Account').find((a) => a.Name === 'Not Initrode')!;
      emu.store.seed('Opportunity', {
        Name: 'Decoy',
        StageName: 'Prospecting',
        CloseDate: '2030-01-01',
        AccountId: other.Id,
        OwnerId: BEN,
      });
      expect(await adapters().sales.findOpenDeal(lead({ company: { ...lead().company!, name: null } }))).toMatchObject({
        ownerId: FARID,
      });
    });
  });

  describe('assignOwner', () => {
    it('upserts the Lead by the HubSpot contact id with owner and contact fields', async () => {
      const ref = await adapters().sales.assignOwner({
        lead: lead(),
        ownerId: ANA,
        handoffWorkflowId: 'mql-hubspot-5001',
      });
      const [record] = emu.store.records('Lead');
      expect(ref).toEqual({
        system: 'salesforce',
        objectType: 'Lead',
        id: record!.Id,
        url: `${emu.url}/lightning/r/Lead/${record!.Id}/view`,
      });
      expect(record).toMatchObject({
        HubSpot_Contact_Id__c: '5001',
        OwnerId: ANA,
        FirstName: 'Dana',
        LastName: 'Ito',
        Email: 'dana.ito@initrode.example',
        Company: 'Initrode',
        Title: 'VP Operations',
        Phone: '+1 555 0100',
        Country: 'US',
        LeadSource: 'Web',
        Status: 'Open - Not Contacted',
        CreatedById: SANDBOX_INTEGRATION_USER_ID,
      });
    });

    it('moves the same Lead to a new owner on reassignment, without a second record', async () => {
      const { sales } = adapters();
      const first = await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'mql-hubspot-5001' });
      const second = await sales.assignOwner({ lead: lead(), ownerId: BEN, handoffWorkflowId: 'mql-hubspot-5001' });
      expect(second.id).toBe(first.id);
      expect(emu.store.records('Lead')).toHaveLength(1);
      expect(emu.store.records('Lead')[0]!.OwnerId).toBe(BEN);
    });

    it('fills required fields HubSpot lacks on create, and never overwrites them later', async () => {
      const { sales } = adapters();
      const bare = lead({ lastName: null, company: null });
      await sales.assignOwner({ lead: bare, ownerId: ANA, handoffWorkflowId: 'w' });
      expect(emu.store.records('Lead')[0]).toMatchObject({ LastName: '[not provided]', Company: '[not provided]' });

      const id = emu.store.records('Lead')[0]!.Id;
      emu.store.update('Lead', id, { LastName: 'Ito-Sales', Company: 'Initrode Inc' }, FARID);
      await sales.assignOwner({ lead: bare, ownerId: BEN, handoffWorkflowId: 'w' });
      expect(emu.store.records('Lead')[0]).toMatchObject({
        LastName: 'Ito-Sales',
        Company: 'Initrode Inc',
        OwnerId: BEN,
      });
    });

    it('upserts a Contact (MailingCountry, no Company/Status) when the org hands off Contacts', async () => {
      const contactConfig: OrgConfig = { ...config, salesforce: { ...config.salesforce, recordType: 'Contact' } };
      const ref = await adapters(contactConfig, { nurtureOwnerId: FARID }).sales.assignOwner({
        lead: lead(),
        ownerId: ANA,
        handoffWorkflowId: 'w',
      });
      expect(ref.objectType).toBe('Contact');
      const [contact] = emu.store.records('Contact');
      expect(contact).toMatchObject({ Id: ref.id, OwnerId: ANA, MailingCountry: 'US', LastName: 'Ito' });
      expect(emu.store.records('Lead')).toHaveLength(0);
    });
  });

  describe('removeOwner', () => {
    it('hands the Lead to the nurture queue', async () => {
      const { sales } = adapters();
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      await sales.removeOwner({ lead: lead() });
      expect(emu.store.records('Lead')[0]!.OwnerId).toBe(SANDBOX_NURTURE_QUEUE_ID);
    });

    it('does nothing (and creates nothing) for a lead never handed to Salesforce', async () => {
      await adapters().sales.removeOwner({ lead: lead({ contactId: '7777' }) });
      expect(emu.store.records('Lead')).toHaveLength(0);
    });
  });

  describe('createDeal', () => {
    it('creates an Opportunity on the matched account, owned by the rep, keyed for retries', async () => {
      const ref = await adapters().sales.createDeal({
        lead: lead(),
        ownerId: ANA,
        name: 'Initrode — MQL',
        key: 'mql-hubspot-5001:0:deal',
      });
      const opp = emu.store.get('Opportunity', ref.id)!;
      const initrode = emu.store.records('Account').find((a) => a.Name === 'Initrode')!;
      expect(ref).toMatchObject({
        system: 'salesforce',
        objectType: 'Opportunity',
        url: `${emu.url}/lightning/r/Opportunity/${ref.id}/view`,
      });
      expect(opp).toMatchObject({
        Name: 'Initrode — MQL',
        StageName: 'Qualification',
        AccountId: initrode.Id,
        OwnerId: ANA,
        LeadSource: 'Web',
        Handoff_Key__c: 'mql-hubspot-5001:0:deal',
        IsClosed: false,
      });
      // CloseDate is a date (UTC) 30 days after creation; compare dates, not a rounded day count that depends on the hour.
      const expected = (offsetDays: number) =>
        new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
      expect([expected(30), expected(30 - 1 / 1440)]).toContain(opp.CloseDate);
    });

    it('creates it without an account when none matches, at the configured stage', async () => {
      const ref = await adapters(config, { opportunityStage: 'Prospecting' }).sales.createDeal({
        lead: newCo('5004', 'Hooli', 'hooli.example'),
        ownerId: BEN,
        name: 'Hooli — MQL',
        key: 'k-hooli',
      });
      const opp = emu.store.get('Opportunity', ref.id)!;
      expect(opp.AccountId).toBeUndefined();
      expect(opp.StageName).toBe('Prospecting');
    });

    it('returns the first Opportunity when called again with the same key', async () => {
      const { sales } = adapters();
      const input = { lead: lead(), ownerId: ANA, name: 'Initrode — MQL', key: 'mql-hubspot-5001:0:deal' };
      const first = await sales.createDeal(input);
      const again = await sales.createDeal(input);
      expect(again).toEqual(first);
      expect(emu.store.records('Opportunity').filter((o) => o.Handoff_Key__c === input.key)).toHaveLength(1);
    });

    it('stores keys that are unsafe in a URL as a digest, still one record per key', async () => {
      const { sales } = adapters();
      const input = { lead: lead(), ownerId: ANA, name: 'Initrode — MQL', key: 'mql-hubspot-5001/cycle.0/deal' };
      const first = await sales.createDeal(input);
      expect(await sales.createDeal(input)).toEqual(first);
      expect(emu.store.get('Opportunity', first.id)!.Handoff_Key__c).toMatch(/^sha256-[0-9a-f]{64}$/);
    });
  });

  describe('createTask', () => {
    const taskInput = (key = 'mql-hubspot-5001:0:task:rep-ana') => ({
      lead: lead(),
      ownerId: ANA,
      subject: 'First touch: Dana Ito (Initrode)',
      body: 'Demo request. SLA due 15:00 EST.',
      dueAt: '2026-03-03T03:30:00.000Z',
      key,
    });

    it('creates the follow-up Task on the Lead, due and reminding at the SLA deadline', async () => {
      const { sales } = adapters();
      const leadRef = await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      const ref = await sales.createTask(taskInput());
      expect(ref).toMatchObject({ system: 'salesforce', objectType: 'Task' });
      expect(emu.store.get('Task', ref.id)).toMatchObject({
        Subject: 'First touch: Dana Ito (Initrode)',
        Description: 'Demo request. SLA due 15:00 EST.',
        OwnerId: ANA,
        WhoId: leadRef.id,
        // 03:30 UTC on the 3rd is still the 2nd in New York, Ana's team calendar.
        ActivityDate: '2026-03-02',
        IsReminderSet: true,
        ReminderDateTime: '2026-03-03T03:30:00.000+0000',
        Status: 'Not Started',
        Priority: 'Normal',
        IsClosed: false,
        Handoff_Key__c: 'mql-hubspot-5001:0:task:rep-ana',
      });
    });

    it("dates the task in the rep's own time zone", async () => {
      const { sales } = adapters();
      await sales.assignOwner({ lead: lead(), ownerId: GRACE, handoffWorkflowId: 'w' });
      const ref = await sales.createTask({ ...taskInput('k-grace'), ownerId: GRACE });
      expect(emu.store.get('Task', ref.id)!.ActivityDate).toBe('2026-03-03');
    });

    it('returns the first Task when called again with the same key', async () => {
      const { sales } = adapters();
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      const first = await sales.createTask(taskInput());
      expect(await sales.createTask(taskInput())).toEqual(first);
      expect(emu.store.records('Task')).toHaveLength(1);
    });
  });

  describe('closeTask', () => {
    async function openTask() {
      const { sales } = adapters();
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      const ref = await sales.createTask({
        lead: lead(),
        ownerId: ANA,
        subject: 'First touch',
        body: 'Call Dana.',
        dueAt: '2026-03-02T20:00:00Z',
        key: 'k-close',
      });
      return { sales, taskId: ref.id };
    }

    it.each([
      ['completed', 'Call Dana.'],
      ['reassigned', 'Call Dana.\n\nClosed by the MQL handoff: the lead was reassigned to another rep.'],
      ['cancelled', 'Call Dana.\n\nClosed by the MQL handoff: the handoff ended before first touch.'],
    ] as const)('closes the task as %s', async (outcome, description) => {
      const { sales, taskId } = await openTask();
      await sales.closeTask({ taskId, outcome });
      expect(emu.store.get('Task', taskId)).toMatchObject({
        Status: 'Completed',
        IsClosed: true,
        Description: description,
      });
    });

    it('leaves an already closed task alone', async () => {
      const { sales, taskId } = await openTask();
      await sales.closeTask({ taskId, outcome: 'reassigned' });
      const writes = () => emu.requests.filter((r) => r.method === 'PATCH' && r.path.includes(taskId)).length;
      expect(writes()).toBe(1);
      await sales.closeTask({ taskId, outcome: 'reassigned' });
      expect(writes()).toBe(1);
      expect((emu.store.get('Task', taskId)!.Description as string).match(/reassigned/g)).toHaveLength(1);
    });

    it('treats a task deleted in Salesforce as closed', async () => {
      const { sales, taskId } = await openTask();
      emu.store.delete('Task', taskId);
      await expect(sales.closeTask({ taskId, outcome: 'completed' })).resolves.toBeUndefined();
    });
  });

  describe('the outcome on the Lead', () => {
    const converting: OrgConfig = { ...config, salesforce: { ...config.salesforce, convertOnAccept: true } };
    const contacts: OrgConfig = { ...config, salesforce: { ...config.salesforce, recordType: 'Contact' } };
    const writes = () => emu.requests.filter((r) => r.method === 'PATCH' || r.method === 'POST').length;
    const soapCalls = () => emu.requests.filter((r) => r.path === '/services/Soap/u/62.0').length;

    it('first touch: Status "Working - Contacted"', async () => {
      const { sales } = adapters();
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      await sales.markFirstTouch({ lead: lead(), at: '2026-03-02T15:04:05Z' });
      expect(emu.store.records('Lead')[0]).toMatchObject({ Status: 'Working - Contacted', OwnerId: ANA });
    });

    it('acceptance: the accepted Status and the SQL date, the Lead staying open and unconverted', async () => {
      const { sales } = adapters();
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      await sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' });
      expect(emu.store.records('Lead')[0]).toMatchObject({
        Status: 'Working - Contacted',
        SQL_Date__c: '2026-03-02T15:04:05.000+0000',
        IsConverted: false,
        OwnerId: ANA,
      });
    });

    it('rejection: the reason id, Status "Closed - Not Converted" and the nurture queue as owner', async () => {
      const { sales } = adapters();
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      await sales.markRejected({ lead: lead(), reason: 'wrong_title', reasonLabel: 'Wrong title / persona' });
      expect(emu.store.records('Lead')[0]).toMatchObject({
        Status: 'Closed - Not Converted',
        Handoff_Rejection_Reason__c: 'wrong_title',
        OwnerId: SANDBOX_NURTURE_QUEUE_ID,
      });
    });

    it('a later handoff of the same lead starts from "Open - Not Contacted" again', async () => {
      const { sales } = adapters();
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      await sales.markRejected({ lead: lead(), reason: 'timing_not_right', reasonLabel: 'Timing not right' });
      await sales.assignOwner({ lead: lead(), ownerId: BEN, handoffWorkflowId: 'w2' });
      expect(emu.store.records('Lead')[0]).toMatchObject({ Status: 'Open - Not Contacted', OwnerId: BEN });
    });

    it('writes nothing, and creates nothing, for a lead never handed to Salesforce', async () => {
      const { sales } = adapters();
      const stranger = lead({ contactId: '7777' });
      await sales.markFirstTouch({ lead: stranger, at: '2026-03-02T15:04:05Z' });
      await sales.markAccepted({ lead: stranger, at: '2026-03-02T15:04:05Z' });
      await sales.markRejected({ lead: stranger, reason: 'wrong_title', reasonLabel: 'Wrong title / persona' });
      expect(emu.store.records('Lead')).toHaveLength(0);
      expect(writes()).toBe(1); // the login
    });

    it('on Contacts: SQL date, reason and nurture owner, no Status (Contacts have none)', async () => {
      const { sales } = adapters(contacts, { nurtureOwnerId: FARID });
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      const before = writes();
      await sales.markFirstTouch({ lead: lead(), at: '2026-03-02T15:04:05Z' });
      expect(writes()).toBe(before);
      await sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' });
      await sales.markRejected({ lead: lead(), reason: 'no_budget_signal', reasonLabel: 'No budget signal' });
      expect(emu.store.records('Contact')[0]).toMatchObject({
        SQL_Date__c: '2026-03-02T15:04:05.000+0000',
        Handoff_Rejection_Reason__c: 'no_budget_signal',
        OwnerId: FARID,
      });
    });

    it('convertOnAccept: converts the Lead into a Contact on the matching Account, without a new Opportunity', async () => {
      const { sales } = adapters(converting);
      const leadRef = await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      const opportunities = emu.store.records('Opportunity').length;
      await sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' });

      const initrode = emu.store.records('Account').filter((a) => a.Name === 'Initrode');
      expect(initrode).toHaveLength(1);
      const converted = emu.store.get('Lead', leadRef.id)!;
      expect(converted).toMatchObject({
        IsConverted: true,
        Status: 'Closed - Converted',
        SQL_Date__c: '2026-03-02T15:04:05.000+0000',
        ConvertedAccountId: initrode[0]!.Id,
        ConvertedOpportunityId: null,
      });
      expect(emu.store.get('Contact', converted.ConvertedContactId as string)).toMatchObject({
        AccountId: initrode[0]!.Id,
        OwnerId: ANA,
        LastName: 'Ito',
        Email: 'dana.ito@initrode.example',
      });
      expect(emu.store.records('Opportunity')).toHaveLength(opportunities);
    });

    it("convertOnAccept: a new Account when none matches, and the handoff's Opportunity linked to it", async () => {
      const { sales } = adapters(converting);
      const hooli = newCo('5004', 'Hooli', 'hooli.example');
      await sales.assignOwner({ lead: hooli, ownerId: BEN, handoffWorkflowId: 'w' });
      const deal = await sales.createDeal({ lead: hooli, ownerId: BEN, name: 'Hooli — MQL', key: 'k-hooli' });
      expect(emu.store.get('Opportunity', deal.id)!.AccountId).toBeUndefined();

      await sales.markAccepted({ lead: hooli, at: '2026-03-02T15:04:05Z', dealId: deal.id });
      const [account] = emu.store.records('Account').filter((a) => a.Name === 'Hooli');
      expect(account).toMatchObject({ OwnerId: BEN });
      expect(emu.store.get('Opportunity', deal.id)!.AccountId).toBe(account!.Id);
    });

    it('convertOnAccept: a converted Lead is not converted again, nor written', async () => {
      const { sales } = adapters(converting);
      await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      await sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' });
      expect(soapCalls()).toBe(1);
      const before = writes();
      await sales.markAccepted({ lead: lead(), at: '2026-03-02T15:04:05Z' });
      await sales.markRejected({ lead: lead(), reason: 'wrong_title', reasonLabel: 'Wrong title / persona' });
      expect(soapCalls()).toBe(1);
      expect(writes()).toBe(before);
      expect(emu.store.records('Contact')).toHaveLength(1);
    });
  });

  describe("the handoff's Opportunity", () => {
    const accepting = (stage: string): OrgConfig => ({
      ...config,
      salesforce: {
        ...config.salesforce,
        opportunityStages: { ...config.salesforce.opportunityStages, accepted: stage },
      },
    });
    const oppWrites = (id: string) => emu.requests.filter((r) => r.method === 'PATCH' && r.path.includes(id)).length;
    const today = () => new Date().toISOString().slice(0, 10);

    async function handoffDeal(orgConfig: OrgConfig = config) {
      const { sales } = adapters(orgConfig);
      const ref = await sales.createDeal({ lead: lead(), ownerId: ANA, name: 'Initrode — MQL', key: 'k-deal' });
      return { sales, dealId: ref.id };
    }

    it('moves to the new owner on reassignment; to the owner it has: nothing sent', async () => {
      const { sales, dealId } = await handoffDeal();
      await sales.reassignDeal({ dealId, ownerId: BEN });
      expect(emu.store.get('Opportunity', dealId)!.OwnerId).toBe(BEN);
      expect(oppWrites(dealId)).toBe(1);
      await sales.reassignDeal({ dealId, ownerId: BEN });
      expect(oppWrites(dealId)).toBe(1);
    });

    it('closes lost on rejection with the loss reason, closed today; closing again sends nothing', async () => {
      const { sales, dealId } = await handoffDeal();
      await sales.closeDealLost({ dealId, reason: 'no_budget_signal', reasonLabel: 'No budget signal' });
      expect(emu.store.get('Opportunity', dealId)).toMatchObject({
        StageName: 'Closed Lost',
        IsClosed: true,
        IsWon: false,
        Loss_Reason__c: 'no_budget_signal',
        CloseDate: today(),
        OwnerId: ANA,
      });
      await sales.closeDealLost({ dealId, reason: 'no_budget_signal', reasonLabel: 'No budget signal' });
      expect(oppWrites(dealId)).toBe(1);
    });

    it('leaves an Opportunity a rep already won alone', async () => {
      const { sales, dealId } = await handoffDeal();
      emu.store.update('Opportunity', dealId, { StageName: 'Closed Won' }, ANA);
      await sales.closeDealLost({ dealId, reason: 'wrong_title', reasonLabel: 'Wrong title / persona' });
      await sales.moveDealToAcceptedStage({ dealId });
      expect(emu.store.get('Opportunity', dealId)).toMatchObject({ StageName: 'Closed Won', IsWon: true });
      expect(emu.store.get('Opportunity', dealId)!.Loss_Reason__c).toBeUndefined();
    });

    it('moves to the accepted stage when one is configured; moving again sends nothing', async () => {
      const { sales, dealId } = await handoffDeal(accepting('Needs Analysis'));
      await sales.moveDealToAcceptedStage({ dealId });
      expect(emu.store.get('Opportunity', dealId)!.StageName).toBe('Needs Analysis');
      await sales.moveDealToAcceptedStage({ dealId });
      expect(oppWrites(dealId)).toBe(1);
    });

    it('does not move an Opportunity sales already moved on back to the accepted stage', async () => {
      const { sales, dealId } = await handoffDeal(accepting('Needs Analysis'));
      emu.store.update('Opportunity', dealId, { StageName: 'Proposal/Price Quote' }, ANA);
      await sales.moveDealToAcceptedStage({ dealId });
      expect(emu.store.get('Opportunity', dealId)!.StageName).toBe('Proposal/Price Quote');
      expect(oppWrites(dealId)).toBe(0);
    });

    it('stays at its stage on acceptance when no accepted stage is configured, without a request', async () => {
      const { sales, dealId } = await handoffDeal();
      const before = emu.requests.length;
      await sales.moveDealToAcceptedStage({ dealId });
      expect(emu.requests).toHaveLength(before);
      expect(emu.store.get('Opportunity', dealId)!.StageName).toBe('Qualification');
    });

    it('treats a deleted Opportunity as nothing to do', async () => {
      const { sales, dealId } = await handoffDeal();
      emu.store.delete('Opportunity', dealId);
      await expect(sales.reassignDeal({ dealId, ownerId: BEN })).resolves.toBeUndefined();
      await expect(
        sales.closeDealLost({ dealId, reason: 'wrong_title', reasonLabel: 'Wrong title / persona' }),
      ).resolves.toBeUndefined();
    });
  });

  describe('push.notifyRep', () => {
    const push = (key = 'mql-hubspot-5001:0:push') => ({
      salesforceUserId: ANA,
      title: 'New demo request: Dana Ito, Initrode',
      body: 'VP Operations at Initrode (450 employees). SLA due 15:00 EST.',
      key,
    });

    it('sends the custom notification to the rep, opening the Lead, and keeps a receipt', async () => {
      const { sales, push: pushPort } = adapters();
      const leadRef = await sales.assignOwner({ lead: lead(), ownerId: ANA, handoffWorkflowId: 'w' });
      const ref = await pushPort.notifyRep({ ...push(), targetId: leadRef.id });
      expect(emu.store.notifications).toEqual([
        expect.objectContaining({
          customNotifTypeId: config.salesforce.notificationTypeId,
          recipientIds: [ANA],
          title: 'New demo request: Dana Ito, Initrode',
          body: 'VP Operations at Initrode (450 employees). SLA due 15:00 EST.',
          targetId: leadRef.id,
        }),
      ]);
      expect(ref).toMatchObject({ system: 'push', objectType: 'Task' });
      expect(emu.store.get('Task', ref.id)).toMatchObject({
        Status: 'Completed',
        WhoId: leadRef.id,
        OwnerId: SANDBOX_INTEGRATION_USER_ID,
        Handoff_Key__c: 'mql-hubspot-5001:0:push',
      });
    });

    it('opens the home page when there is no record to open', async () => {
      await adapters().push.notifyRep(push());
      expect(emu.store.notifications[0]).toMatchObject({
        targetId: null,
        targetPageRef: JSON.stringify({ type: 'standard__namedPage', attributes: { pageName: 'home' } }),
      });
    });

    it('sends once per key', async () => {
      const { push: pushPort } = adapters();
      const first = await pushPort.notifyRep(push());
      expect(await pushPort.notifyRep(push())).toEqual(first);
      expect(await pushPort.notifyRep(push('another-key'))).not.toEqual(first);
      expect(emu.store.notifications).toHaveLength(2);
    });
  });
});
