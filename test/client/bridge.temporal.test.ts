/**
 * The bridge against the real workflows on the dev server (in-memory CRM/chat ports, test/support/handoff-fixture):
 * duplicate and out-of-order deliveries make one execution, a 100-event batch, Temporal down then back, Slack
 * buttons running the updates, Salesforce and HubSpot activity stopping the SLA ladder.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSlackResponder } from '../../src/activities/slack/slack-responder';
import { createBridge, type Bridge, type EventResult } from '../../src/client/bridge/server';
import { findRep } from '../../src/domain/org';
import {
  createLazyTemporalGateway,
  fixedTemporalGateway,
  type TemporalGateway,
} from '../../src/client/temporal-gateway';
import { startSlackEmulator, type SlackEmulator } from '../../src/sandbox/slack/slack-emulator';
import { handoffWorkflowId, statusQuery, type HandoffStatus } from '../../src/workflows/definitions';
import { devServerEnv, sharedServers } from '../harness/temporal';
import { handoffFixture, type HandoffFixture } from '../support/handoff-fixture';
import { demoRequestLead, studentLead } from '../support/leads';
import {
  BRIDGE_SECRETS,
  hubspotHeaders,
  lifecycleMqlEvent,
  nextEventId,
  outboundMessage,
  salesActivityEvent,
  slackHeaders,
  uniqueHubSpotId,
  until,
  unusedPort,
} from './support';
import { entriesOf, firstOf, hasEntry } from '../support/timeline';
import { closeAll } from '../support/close-all';

const PUBLIC_URL = 'https://bridge.acme-analytics.example';

let env: TestWorkflowEnvironment;
let slack: SlackEmulator;

beforeAll(async () => {
  env = await devServerEnv();
  slack = await startSlackEmulator();
  for (const user of ['U0REPANA1', 'U0REPBEN1', 'U0REPCHL1', 'U0REPDEV1']) {
    slack.addChannel({ id: `D${user.slice(1)}`, name: `dm-${user}`, members: [user] });
  }
});
afterAll(() =>
  closeAll(
    () => slack?.close(),
    () => env?.teardown(),
  ),
);

/** Runs `fn` with a fresh fixture's worker and a bridge in front of it (on `temporal`, default the dev server). */
async function withBridge(
  fn: (fx: HandoffFixture, bridge: Bridge) => Promise<void>,
  temporal?: TemporalGateway,
): Promise<void> {
  const fx = await handoffFixture(env);
  const bridge = await createBridge({
    temporal: temporal ?? fixedTemporalGateway(env.client, sharedServers().devServer.address),
    taskQueue: fx.taskQueue,
    config: fx.config,
    secrets: BRIDGE_SECRETS,
    publicUrl: PUBLIC_URL,
    slack: createSlackResponder({ token: slack.token, apiUrl: slack.apiUrl }),
    production: true,
    log: () => undefined,
  });
  try {
    await fx.worker.runUntil(() => fn(fx, bridge));
  } finally {
    await bridge.close();
  }
}

async function deliver(bridge: Bridge, events: unknown[]): Promise<{ status: number; results: EventResult[] }> {
  const body = JSON.stringify(events);
  const res = await bridge.app.inject({
    method: 'POST',
    url: '/webhooks/hubspot',
    headers: hubspotHeaders(`${PUBLIC_URL}/webhooks/hubspot`, body),
    payload: body,
  });
  return { status: res.statusCode, results: res.statusCode === 200 ? res.json().results : [] };
}

const status = (contactId: string): Promise<HandoffStatus> =>
  env.client.workflow.getHandle(handoffWorkflowId('hubspot', contactId)).query(statusQuery);
const atStage = (contactId: string, stage: HandoffStatus['stage']) =>
  until(
    () => status(contactId),
    (s) => s.stage === stage,
    `${contactId} to reach ${stage}`,
  );
const terminate = (contactId: string) =>
  env.client.workflow.getHandle(handoffWorkflowId('hubspot', contactId)).terminate('test over');

/** A demo-request lead in the fixture's HubSpot, under an id unique on the shared server. */
function demoLead(fx: HandoffFixture): string {
  const lead = demoRequestLead({ contactId: uniqueHubSpotId() });
  fx.world.contacts.set(lead.contactId, lead);
  return lead.contactId;
}

/** A demo-request lead delivered as an MQL through the bridge, once its handoff waits for the first touch. */
async function assignedLead(fx: HandoffFixture, bridge: Bridge) {
  const id = demoLead(fx);
  await deliver(bridge, [lifecycleMqlEvent(id)]);
  const assigned = await atStage(id, 'awaiting_first_touch');
  const { rep: owner, team } = findRep(fx.config, assigned.owner!.repId)!;
  return { id, assigned, owner, team };
}

test('the same webhook delivered 3 times at once, and an older event after it, make one execution', async () => {
  await withBridge(async (fx, bridge) => {
    const id = demoLead(fx);
    const t0 = Date.now();
    const mql = lifecycleMqlEvent(id, { occurredAt: t0 });
    const olderScore = {
      ...lifecycleMqlEvent(id, { occurredAt: t0 - 60_000 }),
      propertyName: 'mql_fit_score',
      propertyValue: '82',
    };

    const first = await Promise.all([deliver(bridge, [mql]), deliver(bridge, [mql]), deliver(bridge, [mql])]);
    const later = [await deliver(bridge, [olderScore]), await deliver(bridge, [mql, olderScore])];
    const outcomes = [...first, ...later].flatMap((r) => r.results.map((x) => x.outcome));
    expect(outcomes.filter((o) => o === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'attached')).toHaveLength(outcomes.length - 1);

    // The handoff waits for the first touch from just before it DMs the rep: wait for the DM itself.
    const assigned = await until(
      () => status(id),
      (st) => hasEntry(st, 'rep_notified'),
      `${id} to notify its rep`,
    );
    expect(assigned.stage).toBe('awaiting_first_touch');
    expect(fx.world.briefsTo(assigned.owner!.repId)).toHaveLength(1);
    expect(fx.world.tasks.size).toBe(1);
    const handle = env.client.workflow.getHandle(handoffWorkflowId('hubspot', id));
    const run = (await handle.describe()).runId;

    // Closed: a re-delivery of an event from before it closed starts nothing.
    await terminate(id);
    const again = await deliver(bridge, [mql, olderScore]);
    expect(again.results.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);
    expect(again.results[0]!.reason).toMatch(/before the last handoff closed \(terminated at /);
    const closed = await handle.describe();
    expect(closed.runId).toBe(run);
    expect(closed.status.name).toBe('TERMINATED');

    // A new MQL event after it closed is a new handoff.
    const fresh = await deliver(bridge, [lifecycleMqlEvent(id, { occurredAt: Date.now() + 1 })]);
    expect(fresh.results.map((r) => r.outcome)).toEqual(['started']);
    await atStage(id, 'awaiting_first_touch');
    expect((await handle.describe()).runId).not.toBe(run);
    await terminate(id);
  });
});

test('a 100-event batch: 40 starts, their 40 duplicates and 20 ignored events, each answered', async () => {
  await withBridge(async (fx, bridge) => {
    const ids = Array.from({ length: 40 }, () => {
      const lead = studentLead({ contactId: uniqueHubSpotId() });
      fx.world.contacts.set(lead.contactId, lead);
      return lead.contactId;
    });
    const starts = ids.map((id) => lifecycleMqlEvent(id));
    const ignored = ids
      .slice(0, 20)
      .map((id) => ({ ...lifecycleMqlEvent(id), propertyName: 'mql_fit_score', propertyValue: '10' }));
    const events = [...starts, ...starts.map((e) => ({ ...e })), ...ignored];
    expect(events).toHaveLength(100);

    const { status: code, results } = await deliver(bridge, events);
    expect(code).toBe(200);
    expect(results).toHaveLength(100);
    expect(results.map((r) => r.index)).toEqual(events.map((_, i) => i));
    expect(results.slice(0, 40).every((r) => r.outcome === 'started')).toBe(true);
    expect(results.slice(40, 80).every((r) => r.outcome === 'attached' || r.outcome === 'duplicate')).toBe(true);
    expect(results.slice(80).every((r) => r.outcome === 'ignored')).toBe(true);

    // Each student is disqualified by its one execution.
    const outcomes = await Promise.all(
      ids.map((id) => env.client.workflow.getHandle(handoffWorkflowId('hubspot', id)).result()),
    );
    expect(outcomes.every((o) => o.outcome === 'disqualified')).toBe(true);
  });
});

test('Temporal down → 503 and nothing started; the retry succeeds once it is back', async () => {
  let target = `127.0.0.1:${await unusedPort()}`;
  const gateway = createLazyTemporalGateway({
    address: 'the Temporal under test',
    connect: async () =>
      new Client({
        connection: await Connection.connect({ address: target, connectTimeout: '1s' }),
        namespace: env.namespace,
      }),
    timeouts: { connectWaitMs: 1_500 },
  });
  try {
    await withBridge(async (fx, bridge) => {
      const id = demoLead(fx);
      const events = [lifecycleMqlEvent(id)];
      expect((await bridge.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);

      const down = await deliver(bridge, events);
      expect(down.status).toBe(503);
      await expect(env.client.workflow.getHandle(handoffWorkflowId('hubspot', id)).describe()).rejects.toBeInstanceOf(
        WorkflowNotFoundError,
      );

      target = sharedServers().devServer.address;
      const back = await until(
        () => deliver(bridge, events),
        (r) => r.status === 200,
        'the bridge to reach Temporal',
      );
      expect(back.results.map((r) => r.outcome)).toEqual(['started']);
      expect((await bridge.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      await atStage(id, 'awaiting_first_touch');
      await terminate(id);
    }, gateway);
  } finally {
    await gateway.close();
  }
});

describe('Slack buttons on the DM run the workflow’s updates', () => {
  const form = (user: string, actionId: string, value: string, option = false) => {
    const channel = `D${user.slice(1)}`;
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user, name: user, team_id: slack.teamId },
      container: { type: 'message', message_ts: '1.000001', channel_id: channel, is_ephemeral: false },
      channel: { id: channel, name: 'directmessage' },
      response_url: `${slack.url}/response/unused`,
      actions: [
        option
          ? {
              type: 'static_select',
              action_id: actionId,
              block_id: 'handoff_actions',
              selected_option: { text: {}, value },
              action_ts: `${Date.now() / 1000}`,
            }
          : {
              type: 'button',
              action_id: actionId,
              block_id: 'handoff_actions',
              value,
              action_ts: `${Date.now() / 1000}`,
            },
      ],
    };
    return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  };
  const press = (bridge: Bridge, body: string) =>
    bridge.app.inject({ method: 'POST', url: '/slack/interactions', headers: slackHeaders(body), payload: body });

  test('non-owner refused privately; reached out → first touch; Accept → accepted, the DM updated each time', async () => {
    await withBridge(async (fx, bridge) => {
      const { id, owner, team } = await assignedLead(fx, bridge);
      const other = team.reps.find((r) => r.id !== owner.id && r.slackUserId !== undefined)!;
      const wf = JSON.stringify({ wf: handoffWorkflowId('hubspot', id) });

      const refused = await press(bridge, form(other.slackUserId!, 'handoff_accept', wf));
      expect(refused.statusCode).toBe(200);
      const told = await until(
        () => slack.ephemerals(other.slackUserId),
        (e) => e.length > 0,
        'the ephemeral refusal',
      );
      expect(told.at(-1)!.text).toBe(
        `Not recorded: rep "${other.id}" is not the owner of ${handoffWorkflowId('hubspot', id)} (owner: ${owner.id}).`,
      );
      expect((await status(id)).stage).toBe('awaiting_first_touch');

      expect((await press(bridge, form(owner.slackUserId!, 'handoff_reached_out', wf))).statusCode).toBe(200);
      const touched = await atStage(id, 'awaiting_decision');
      expect(firstOf(touched, 'first_touch')?.detail).toMatch(/^slack_ack via slack/);
      await until(
        () => fx.world.chatUpdates.map((u) => u.state.kind),
        (k) => k.includes('reached_out'),
        'the DM to show reached out',
      );

      expect((await press(bridge, form(owner.slackUserId!, 'handoff_accept', wf))).statusCode).toBe(200);
      const result = await env.client.workflow.getHandle(handoffWorkflowId('hubspot', id)).result();
      expect(result.outcome).toBe('accepted');
      expect(fx.world.chatUpdates.map((u) => u.state.kind)).toEqual(['reached_out', 'accepted']);
      expect(slack.ephemerals(owner.slackUserId)).toHaveLength(0);
      const metrics = (await bridge.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain('handoff_bridge_outcomes_total{route="/slack/interactions",outcome="updated"} 1');
      expect(metrics).toContain('handoff_bridge_outcomes_total{route="/slack/interactions",outcome="refused"} 1');
    });
  });

  test('a Reject option runs the reject update with the picked reason', async () => {
    await withBridge(async (fx, bridge) => {
      const { id, owner } = await assignedLead(fx, bridge);
      const value = JSON.stringify({ wf: handoffWorkflowId('hubspot', id), reason: 'no_budget_signal' });
      expect((await press(bridge, form(owner.slackUserId!, 'handoff_reject', value, true))).statusCode).toBe(200);
      const result = await env.client.workflow.getHandle(handoffWorkflowId('hubspot', id)).result();
      expect(result).toMatchObject({ outcome: 'rejected', status: { rejectReason: 'no_budget_signal' } });
      // Rejecting without a logged touch counts as the first touch.
      expect(fx.world.chatUpdates.map((u) => u.state.kind)).toEqual(['reached_out', 'rejected']);
    });
  });
});

test('a Salesforce outbound message for a rep’s call stops the SLA ladder, once; the SOAP Ack every time', async () => {
  await withBridge(async (fx, bridge) => {
    const { id, assigned, owner } = await assignedLead(fx, bridge);
    expect(assigned.nextDeadline?.what).toBe('reminder');
    const message = outboundMessage([
      {
        id: '04l5g00000Notif1AAA',
        type: 'Task',
        fields: {
          Id: `00T5g${id.slice(-10)}AAA`,
          WhoId: '00Q5g00000LeadXAAA',
          OwnerId: owner.crmOwnerIds.salesforce!,
          TaskSubtype: 'Call',
          HubSpot_Contact_Id__c: id,
        },
      },
    ]);
    const post = () =>
      bridge.app.inject({
        method: 'POST',
        url: '/webhooks/salesforce',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        payload: message,
      });

    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<Ack>true</Ack>');
    const touched = await atStage(id, 'awaiting_decision');
    expect(firstOf(touched, 'first_touch')?.detail).toMatch(/^call via salesforce/);
    expect(touched.rung).toBe('none');
    expect(touched.nextDeadline?.what).toBe('decision_escalation');

    // Salesforce re-sends until acknowledged: a second delivery is acknowledged and counted once.
    expect((await post()).body).toContain('<Ack>true</Ack>');
    const after = await status(id);
    expect(entriesOf(after, 'rep_activity')).toHaveLength(0);
    expect(entriesOf(after, 'sla_rung')).toHaveLength(0);
    await terminate(id);
  });
});

test('HubSpot rep activity signals a running handoff and is acknowledged for a contact without one', async () => {
  await withBridge(async (fx, bridge) => {
    const { id } = await assignedLead(fx, bridge);
    const stranger = uniqueHubSpotId();
    const activity = salesActivityEvent(id, { eventId: nextEventId() });
    const { results } = await deliver(bridge, [activity, salesActivityEvent(stranger), activity]);
    expect(results.map((r) => r.outcome)).toEqual(['signalled', 'ignored', 'signalled']);
    expect(results[1]!.reason).toBe('no running handoff for this contact');
    const touched = await atStage(id, 'awaiting_decision');
    expect(firstOf(touched, 'first_touch')?.detail).toMatch(/^task via hubspot/);
    expect(entriesOf(touched, 'rep_activity')).toHaveLength(0); // the re-delivery counted once
    await terminate(id);
  });
});
