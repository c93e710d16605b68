/**
 * The CRM loop at the activity level (issue 9): the sales CRM hears first touch, acceptance and rejection, and the
 * deal the handoff created moves with the lead and closes lost on rejection. First over the in-memory ports (which
 * call reaches the sales side, and in which order), then with the real adapters against the HubSpot and Salesforce
 * emulators, so the records end up as a rep would see them in Salesforce.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { createHandoffActivities } from '../../src/activities/handoff-activities';
import type { HandoffActivities } from '../../src/workflows/activity-contracts';
import { createHubSpotAdapters } from '../../src/activities/hubspot';
import type { MarketingCrm, SalesCrm } from '../../src/activities/ports';
import { createSalesforceAdapters } from '../../src/activities/salesforce';
import { ServiceError } from '../../src/activities/service-error';
import { deterministicSummariser } from '../../src/activities/summariser';
import { repAssignee } from '../../src/domain/assignee';
import type { LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../src/sandbox/hubspot/emulator';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import { SANDBOX_NURTURE_QUEUE_ID } from '../../src/sandbox/salesforce/seed';
import { config, refreshTokenOptions } from '../integrations/crm-fixture';
import { createInMemoryPorts, InMemoryWorld } from '../support/in-memory-ports';
import { demoRequestLead } from '../support/leads';

const env = new MockActivityEnvironment();
/** Runs one activity in the mock activity context, typed by the activity's own signature. */
const run = <I, O>(fn: (input: I) => Promise<O>, input: I): Promise<O> => env.run(fn, input) as Promise<O>;
const AT = '2026-03-02T15:04:05.000Z';
const WF = 'mql-hubspot-test';

/** The CRM activities never reach the roster; nothing else of Temporal's client is used here. */
const noRoster = {} as Client;

function activitiesOver(
  ports: { marketing: MarketingCrm; sales: SalesCrm },
  orgConfig: OrgConfig = config,
): HandoffActivities {
  const world = new InMemoryWorld();
  const { chat, email } = createInMemoryPorts(world);
  return createHandoffActivities({
    config: () => orgConfig,
    ...ports,
    chat,
    email,
    summariser: deterministicSummariser,
    temporal: noRoster,
  });
}

describe('over the in-memory ports (HubSpot as the sales CRM)', () => {
  let world: InMemoryWorld;
  let acts: HandoffActivities;
  let lead: LeadSnapshot;

  beforeEach(() => {
    world = new InMemoryWorld();
    lead = demoRequestLead();
    world.contacts.set(lead.contactId, structuredClone(lead));
    acts = activitiesOver(createInMemoryPorts(world));
  });

  async function handoffDeal(repId = 'rep-ana'): Promise<string> {
    const ref = await run(acts.createDeal, {
      lead,
      assignee: repAssignee(config, repId),
      name: 'Smallco',
      key: 'k',
    });
    return ref.id;
  }

  it('assignInCrm moves the handoff deal to the new owner with the lead', async () => {
    const dealId = await handoffDeal('rep-ana');
    await run(acts.assignInCrm, {
      lead,
      assignee: repAssignee(config, 'rep-ben'),
      workflowId: WF,
      mqlAt: AT,
      dealId,
    });
    expect(world.deals.get(dealId)).toMatchObject({ ownerId: '71000002', stage: 'open' });
    expect(world.owners.get(lead.contactId)).toBe('71000002');
  });

  it('assignInCrm without a dealId touches no deal (a pre-existing open deal is never the handoff’s)', async () => {
    const dealId = await handoffDeal('rep-ana');
    await run(acts.assignInCrm, { lead, assignee: repAssignee(config, 'rep-ben'), workflowId: WF, mqlAt: AT });
    expect(world.deals.get(dealId)!.ownerId).toBe('71000001');
  });

  it('recordFirstTouch tells the sales side, after the contact', async () => {
    await run(acts.recordFirstTouch, { lead, at: AT, workflowId: WF });
    expect(world.contacts.get(lead.contactId)!.leadStatus).toBe('IN_PROGRESS');
    expect(world.salesOutcomes).toEqual([{ kind: 'first_touch', contactId: lead.contactId, at: AT }]);
  });

  it('markAccepted marks the sales record and moves the handoff deal to the accepted stage', async () => {
    const dealId = await handoffDeal();
    await run(acts.markAccepted, { lead, at: AT, workflowId: WF, dealId });
    expect(world.lifecycleOf(lead.contactId)).toBe('salesqualifiedlead');
    expect(world.salesOutcomes).toEqual([{ kind: 'accepted', contactId: lead.contactId, at: AT, dealId }]);
    expect(world.deals.get(dealId)!.stage).toBe('accepted');
  });

  it('markRejected tells the sales side the reason and closes the handoff deal lost with it', async () => {
    const dealId = await handoffDeal();
    await run(acts.markRejected, {
      lead,
      reason: 'no_budget_signal',
      reasonLabel: 'No budget signal',
      leadStatus: 'UNQUALIFIED',
      nurtureListId: '103',
      workflowId: WF,
      dealId,
    });
    expect(world.deals.get(dealId)).toMatchObject({ stage: 'closed_lost', closedLostReason: 'No budget signal' });
    expect(world.salesOutcomes).toEqual([
      { kind: 'rejected', contactId: lead.contactId, reason: 'no_budget_signal', reasonLabel: 'No budget signal' },
    ]);
    expect(world.lists.get('103')).toEqual(new Set([lead.contactId]));
  });

  it('markRejected without a dealId leaves every deal open', async () => {
    const dealId = await handoffDeal();
    await run(acts.markRejected, {
      lead,
      reason: 'wrong_title',
      reasonLabel: 'Wrong title / persona',
      leadStatus: 'UNQUALIFIED',
      nurtureListId: '102',
      workflowId: WF,
    });
    expect(world.deals.get(dealId)!.stage).toBe('open');
  });

  it('a sales CRM refusing the rejection fails the activity, the contact already rejected and re-nurtured', async () => {
    world.failNext(
      'markRejected',
      1,
      () =>
        new ServiceError('salesforce: mark rejected failed (400)', {
          service: 'salesforce',
          operation: 'mark rejected',
          status: 400,
        }),
    );
    await expect(
      run(acts.markRejected, {
        lead,
        reason: 'wrong_title',
        reasonLabel: 'Wrong title / persona',
        leadStatus: 'UNQUALIFIED',
        nurtureListId: '102',
        workflowId: WF,
      }),
    ).rejects.toMatchObject({ type: 'ServiceRejected', nonRetryable: true });
    expect(world.lifecycleOf(lead.contactId)).toBe('lead');
    expect(world.lists.get('102')).toEqual(new Set([lead.contactId]));
  });
});

describe('with Salesforce as the sales CRM, against the emulators', () => {
  const sfConfig: OrgConfig = { ...config, salesCrm: 'salesforce' };
  let hubspot: HubSpotEmulator;
  let salesforce: SalesforceEmulator;
  let acts: HandoffActivities;
  let lead: LeadSnapshot;

  beforeEach(async () => {
    hubspot = await startHubSpotEmulator({ config: sfConfig });
    salesforce = await startSalesforceEmulator({ config: sfConfig });
    const { marketing } = createHubSpotAdapters({ accessToken: hubspot.accessToken, baseUrl: hubspot.url, config });
    const { sales } = createSalesforceAdapters(refreshTokenOptions(salesforce, { config: sfConfig }));
    acts = activitiesOver({ marketing, sales }, sfConfig);
    lead = (await marketing.getLead('1002'))!;
  });
  afterEach(async () => {
    await Promise.all([hubspot.close(), salesforce.close()]);
  });

  const theLead = () => salesforce.store.records('Lead').find((l) => l.HubSpot_Contact_Id__c === '1002')!;

  async function assignedWithDeal(): Promise<string> {
    const ana = repAssignee(sfConfig, 'rep-ana');
    await run(acts.assignInCrm, { lead, assignee: ana, workflowId: WF, mqlAt: AT });
    const deal = await run(acts.createDeal, { lead, assignee: ana, name: 'MQL', key: 'mql-hubspot-1002:0:deal' });
    return deal.id;
  }

  it('reassignment moves the Opportunity; first touch marks the Lead; rejection closes the loop', async () => {
    const dealId = await assignedWithDeal();
    const ben = repAssignee(sfConfig, 'rep-ben');
    await run(acts.assignInCrm, { lead, assignee: ben, workflowId: WF, mqlAt: AT, dealId });
    expect(salesforce.store.get('Opportunity', dealId)!.OwnerId).toBe('0055g00000BenCaAAA');
    expect(theLead().OwnerId).toBe('0055g00000BenCaAAA');

    await run(acts.recordFirstTouch, { lead, at: AT, workflowId: WF });
    expect(theLead().Status).toBe('Working - Contacted');

    await run(acts.markRejected, {
      lead,
      reason: 'timing_not_right',
      reasonLabel: 'Timing not right',
      leadStatus: 'BAD_TIMING',
      nurtureListId: '105',
      workflowId: WF,
      dealId,
    });
    expect(theLead()).toMatchObject({
      Status: 'Closed - Not Converted',
      Handoff_Rejection_Reason__c: 'timing_not_right',
      OwnerId: SANDBOX_NURTURE_QUEUE_ID,
    });
    expect(salesforce.store.get('Opportunity', dealId)).toMatchObject({
      StageName: 'Closed Lost',
      IsClosed: true,
      Loss_Reason__c: 'timing_not_right',
    });
    expect(hubspot.store.get('contacts', '1002')!.properties).toMatchObject({
      mql_handoff_rejected_reason: 'timing_not_right',
      hs_lead_status: 'BAD_TIMING',
    });
  });

  it('acceptance: the Lead gets the SQL date, the contact becomes an SQL', async () => {
    const dealId = await assignedWithDeal();
    await run(acts.markAccepted, { lead, at: AT, workflowId: WF, dealId });
    expect(theLead()).toMatchObject({
      Status: 'Working - Contacted',
      SQL_Date__c: '2026-03-02T15:04:05.000+0000',
      IsConverted: false,
    });
    expect(salesforce.store.get('Opportunity', dealId)).toMatchObject({ StageName: 'Qualification', IsClosed: false });
    expect(hubspot.store.get('contacts', '1002')!.properties.lifecyclestage).toBe('salesqualifiedlead');
  });
});
