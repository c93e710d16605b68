/**
 * End to end on the real sandbox: a signed HubSpot webhook reaches the bridge (started the way `npm start` starts
 * it), the handoff runs with the real activities and client libraries against the emulators, the rep gets the Slack
 * DM, `handoff simulate click` presses Accept on it, and `handoff status` shows the lead accepted with its timeline.
 * Also `handoff simulate <scenario>` against the same bridge.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createHandoffActivities } from '../../src/activities/handoff-activities';
import { deterministicSummariser } from '../../src/activities/summariser';
import { createPorts } from '../../src/main/wiring';
import { startBridge, type RunningBridge } from '../../src/client/bridge/process';
import { runCli } from '../../src/client/cli/main';
import { loadEnv } from '../../src/config/env';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { handoffWorkflowId, type HandoffStatus } from '../../src/workflows/definitions';
import { createTestWorker, devServerEnv, sharedServers, uniqueTaskQueue } from '../harness/temporal';
import { TEST_CODEC_KEYS } from '../support/codec';
import { sampleOrg } from '../support/handoff-fixture';
import {
  cloneSandboxContact,
  HUBSPOT_SECRET,
  hubspotHeaders,
  SF_ORG_ID,
  SLACK_SECRET,
  until,
  unusedPort,
} from './support';
import { firstOf } from '../support/timeline';
import { closeAll } from '../support/close-all';

const config = sampleOrg();
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let newWorker: () => Promise<Worker>;
let bridge: RunningBridge;
let processEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = await devServerEnv();
  sandbox = await startSandbox({ config });
  const taskQueue = uniqueTaskQueue('bridge-e2e');
  const activities = createHandoffActivities({
    config: () => config,
    ...createPorts(loadEnv({}), config, sandbox),
    summariser: deterministicSummariser,
    temporal: env.client,
    rosterScope: taskQueue,
  });
  // A worker runs once (runUntil): one per test, on the same task queue.
  newWorker = () => createTestWorker(env, { activities, taskQueue });
  processEnv = {
    TEMPORAL_ADDRESS: sharedServers().devServer.address,
    HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SALESFORCE_ORG_ID: SF_ORG_ID,
    NODE_ENV: 'production',
    // Production refuses to run without payload keys; the workers' test key (test/support/codec.ts).
    HANDOFF_CODEC_KEYS: TEST_CODEC_KEYS,
    BRIDGE_PORT: String(await unusedPort()),
  };
  bridge = await startBridge({
    env: loadEnv(processEnv),
    config,
    client: env.client,
    taskQueue,
    temporalAddress: sharedServers().devServer.address,
    sandbox,
    log: () => undefined,
  });
});
afterAll(() =>
  closeAll(
    () => bridge?.close(),
    () => sandbox?.close(),
    () => env?.teardown(),
  ),
);

async function handoff(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), env: processEnv });
  return { code, out, err };
}

test('signed webhook → workflow → Slack DM → Accept clicked → accepted, with the timeline in `handoff status`', async () => {
  const worker = await newWorker();
  await worker.runUntil(async () => {
    const contactId = cloneSandboxContact(sandbox.hubspot!.store, '1001'); // Dana Ito, Globex: named account, demo request
    const body = JSON.stringify([
      {
        type: 'form_submission',
        contactId,
        formType: 'demo_request',
        occurredAt: Date.now(),
        submissionId: `e2e-${contactId}`,
      },
    ]);
    const res = await fetch(`${bridge.url}/webhooks/hubspot`, {
      method: 'POST',
      headers: hubspotHeaders(`${bridge.url}/webhooks/hubspot`, body),
      body,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: unknown[] }).results).toEqual([
      expect.objectContaining({ outcome: 'started', workflowId: handoffWorkflowId('hubspot', contactId) }),
    ]);

    // The named account's owner gets the brief as a DM in the Slack emulator.
    const dm = await until(
      () => sandbox.slack!.dmsTo('U0REPHUG1'),
      (m) => m.length === 1,
      'the handoff DM',
    );
    expect(JSON.stringify(dm[0]!.blocks)).toContain('handoff_accept');
    // The DM goes out just before the workflow starts waiting for a decision; a click earlier than that is refused.
    await until(
      async () => JSON.parse((await handoff('status', contactId, '--json')).out) as HandoffStatus,
      (s) => s.stage === 'awaiting_first_touch',
      'the handoff to wait for the rep',
    );

    const click = await handoff(
      'simulate',
      'click',
      contactId,
      '--action',
      'accept',
      '--slack-url',
      sandbox.slack!.url,
      '--bridge',
      bridge.url,
    );
    expect(click.err).toBe('');
    expect(click.code).toBe(0);
    expect(click.out).toMatch(/^clicked accept on mql-hubspot-\d+ as Hugo Laurent \(U0REPHUG1\)$/m);
    expect(click.out).toMatch(/^ {2}DM updated: /m);

    const status = await until(
      async () => JSON.parse((await handoff('status', contactId, '--json')).out) as HandoffStatus,
      (s) => s.stage === 'accepted',
      'the lead to be accepted',
    );
    expect(status).toMatchObject({ outcome: 'accepted', owner: { repId: 'rep-hugo' }, leadType: 'demo_request' });
    const events = status.timeline.map((e) => e.event);
    expect(events[0]).toBe('MQL trigger: form_submission');
    expect(events).toEqual(
      expect.arrayContaining([
        'qualified',
        'routed',
        'assigned to Hugo Laurent',
        'rep notified',
        'first touch',
        'accepted',
      ]),
    );
    expect(firstOf(status, 'accepted')?.detail).toBe('by Hugo Laurent');

    const text = await handoff('status', contactId);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^stage +accepted — outcome accepted$/m);
    expect(text.out).toMatch(/ {2}accepted — by Hugo Laurent$/m);

    // The DM now shows the decision, without buttons; HubSpot has the SQL.
    const final = JSON.stringify(sandbox.slack!.messages(dm[0]!.channel).at(-1)!.blocks);
    expect(final).not.toContain('handoff_accept');
    expect(sandbox.hubspot!.store.get('contacts', contactId)!.properties.lifecyclestage).toBe('salesqualifiedlead');
  });
});

test('`handoff simulate fails-icp` sends a signed webhook the bridge accepts; the seeded student is disqualified', async () => {
  const worker = await newWorker();
  await worker.runUntil(async () => {
    const r = await handoff('simulate', 'fails-icp', '--bridge', bridge.url, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as { scenario: string; contactId: string; outcome: string; workflowId: string };
    expect(result).toMatchObject({ scenario: 'fails-icp', contactId: '1003', workflowId: 'mql-hubspot-1003' });
    expect(['started', 'attached']).toContain(result.outcome);
    const outcome = await env.client.workflow.getHandle('mql-hubspot-1003').result();
    expect(outcome.outcome).toBe('disqualified');
    expect(outcome.status.disqualificationReasons.join(' ')).toMatch(/gmail\.com|student/i);
  });
});
