/**
 * One handoff end to end on the dev server with the real activities, the real client libraries and the sandbox
 * emulators: MQL in → owner, lifecycle, deal and task in the CRM → Slack DM, email (and push) delivered → rep
 * activity → accept → lifecycle SQL and the DM updated. Once with HubSpot as the sales CRM, once with Salesforce.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createHandoffActivities } from '../../src/activities/handoff-activities';
import { SLACK_ACTIONS } from '../../src/activities/slack/interaction-contract';
import { deterministicSummariser } from '../../src/activities/summariser';
import { createPorts } from '../../src/main/wiring';
import { loadEnv } from '../../src/config/env';
import type { OrgConfig } from '../../src/domain/org-config';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import {
  acceptUpdate,
  handoffWorkflowId,
  HANDOFF_WORKFLOW_TYPE,
  repActivitySignal,
  statusQuery,
  type HandoffStatus,
} from '../../src/workflows/definitions';
import type { mqlHandoff } from '../../src/workflows/mql-handoff';
import { createTestWorker, devServerEnv, uniqueTaskQueue } from '../harness/temporal';
import { sampleOrg } from '../support/handoff-fixture';
import { cloneDemoContact } from '../../src/sandbox/demo-leads';
import { eventually } from '../support/eventually';
import { hasEntry } from '../support/timeline';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function runHandoff(
  config: OrgConfig,
  check: (ctx: { sandbox: Sandbox; contactId: string; status: HandoffStatus }) => void | Promise<void>,
  /** After the accept: what the sales CRM shows (the workflow tolerates a failed CRM write, so look). */
  afterAccept: (ctx: { sandbox: Sandbox; contactId: string }) => void | Promise<void> = () => undefined,
) {
  const sandbox = await startSandbox({ config });
  try {
    const ports = createPorts(loadEnv({}), config, sandbox);
    const taskQueue = uniqueTaskQueue('e2e');
    const activities = createHandoffActivities({
      config: () => config,
      ...ports,
      summariser: deterministicSummariser,
      temporal: env.client,
      rosterScope: taskQueue,
    });
    const worker = await createTestWorker(env, { activities, taskQueue });
    const contactId = cloneDemoContact(sandbox.hubspot!.store, '1001'); // Dana Ito, Globex: a named-account demo request
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof mqlHandoff>(HANDOFF_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: handoffWorkflowId('hubspot', contactId),
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [{ source: 'hubspot', contactId, trigger: { kind: 'property_change', at: new Date().toISOString() } }],
      });
      const assigned = await eventually(
        () => handle.query(statusQuery),
        (s) => s.stage === 'awaiting_first_touch' && hasEntry(s, 'rep_notified'),
        'the rep notified',
      );
      expect(assigned.owner?.repId).toBe('rep-hugo');

      // The rep hears about it: Slack DM with the three actions, and the email backup.
      const slack = sandbox.slack!;
      const dm = slack.dmsTo('U0REPHUG1');
      expect(dm).toHaveLength(1);
      const actionIds = JSON.stringify(dm[0]!.blocks);
      for (const id of Object.values(SLACK_ACTIONS)) expect(actionIds).toContain(id);
      const mail = await eventually(
        () => sandbox.smtp!.messages(),
        (m) => m.length > 0,
        'the backup email',
      );
      expect(mail[0]!.to).toEqual(['hugo.laurent@acme-analytics.example']);
      expect(mail[0]!.subject).toContain('Dana Ito');
      expect(mail[0]!.text).toContain('Globex');

      const hs = sandbox.hubspot!.store;
      const contact = hs.get('contacts', contactId)!.properties;
      expect(contact.lifecyclestage).toBe('marketingqualifiedlead');
      expect(contact.hs_lead_status).toBe('NEW');
      expect(contact.mql_handoff_mql_date).toBeTruthy();
      expect(contact.mql_handoff_workflow_id).toBe(handle.workflowId);

      await check({ sandbox, contactId, status: assigned });

      // The rep calls; then accepts.
      await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot', externalId: 'e2e-call' });
      await eventually(
        () => handle.query(statusQuery),
        (s) => s.stage === 'awaiting_decision',
        'first touch',
      );
      await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-hugo' }] });
      const result = await handle.result();
      expect(result.outcome).toBe('accepted');

      const after = hs.get('contacts', contactId)!.properties;
      expect(after.lifecyclestage).toBe('salesqualifiedlead');
      expect(after.mql_handoff_sql_date).toBeTruthy();
      const updates = slack.updates(dm[0]!.channel);
      expect(updates.map((u) => u.ts)).toEqual([dm[0]!.ts, dm[0]!.ts]);
      const finalText = JSON.stringify(slack.messages(dm[0]!.channel).at(-1)!.blocks);
      expect(finalText).toMatch(/Accepted/i);
      expect(finalText).not.toContain(SLACK_ACTIONS.accept);
      await afterAccept({ sandbox, contactId });
    });
  } finally {
    await sandbox.close();
  }
}

test('HubSpot as the sales CRM: owner, deal at the MQL stage and task due at the SLA in HubSpot', async () => {
  await runHandoff(sampleOrg(), ({ sandbox, contactId, status }) => {
    const hs = sandbox.hubspot!.store;
    expect(hs.get('contacts', contactId)!.properties.hubspot_owner_id).toBe('71000008');
    const deals = hs.all('deals').filter((d) => d.properties.mql_handoff_key?.startsWith(status.workflowId));
    expect(deals).toHaveLength(1);
    expect(deals[0]!.properties).toMatchObject({
      dealstage: 'appointmentscheduled',
      pipeline: 'default',
      hubspot_owner_id: '71000008',
    });
    expect(hs.associations('deals', deals[0]!.id, 'contacts').map((a) => a.toObjectId)).toEqual([contactId]);
    expect(hs.associations('deals', deals[0]!.id, 'companies')).toHaveLength(1);
    const tasks = hs.associations('contacts', contactId, 'tasks').map((a) => hs.get('tasks', a.toObjectId)!);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.properties).toMatchObject({ hubspot_owner_id: '71000008', hs_task_status: 'NOT_STARTED' });
    expect(
      new Date(Number(tasks[0]!.properties.hs_timestamp) || tasks[0]!.properties.hs_timestamp!).toISOString(),
    ).toBe(status.slaDueAt);
  });
});

test('Salesforce as the sales CRM: Lead owner, Opportunity, Task and mobile push in Salesforce', async () => {
  const config = sampleOrg();
  config.salesCrm = 'salesforce';
  await runHandoff(
    config,
    ({ sandbox, contactId, status }) => {
      const sf = sandbox.salesforce!.store;
      const leads = sf.records('Lead').filter((l) => l.HubSpot_Contact_Id__c === contactId);
      expect(leads).toHaveLength(1);
      expect(leads[0]!.OwnerId).toBe('0055g00000HugLaAAA');
      const tasks = sf
        .records('Task')
        .filter((t) => t.WhoId === leads[0]!.Id && String(t.Subject).startsWith('Follow up'));
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ OwnerId: '0055g00000HugLaAAA', IsReminderSet: true });
      const opportunities = sf
        .records('Opportunity')
        .filter((o) => String(o.Handoff_Key__c).startsWith(status.workflowId));
      expect(opportunities).toHaveLength(1);
      expect(opportunities[0]).toMatchObject({ OwnerId: '0055g00000HugLaAAA', IsClosed: false });
      expect(sf.notifications.map((n) => [n.recipientIds, n.targetId])).toEqual([
        [['0055g00000HugLaAAA'], leads[0]!.Id],
      ]);
    },
    ({ sandbox, contactId }) => {
      // Salesforce hears the acceptance: the Lead is marked qualified (open status + SQL date), not left untouched.
      const lead = sandbox.salesforce!.store.records('Lead').find((l) => l.HubSpot_Contact_Id__c === contactId)!;
      expect(lead).toMatchObject({ Status: 'Working - Contacted', OwnerId: '0055g00000HugLaAAA', IsConverted: false });
      expect(lead.SQL_Date__c).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
    },
  );
});
