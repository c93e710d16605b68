/**
 * `handoff` against the dev server and the real workflows (in-memory CRM/chat ports), run in-process with the
 * same connection path as the binary (TEMPORAL_ADDRESS → connectClient); `--json` output parsed.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client/cli/main';
import type { StuckLead } from '../../src/client/cli/stuck';
import {
  HANDOFF_WORKFLOW_TYPE,
  handoffWorkflowId,
  statusQuery,
  type HandoffStatus,
} from '../../src/workflows/definitions';
import { devServerEnv, sharedServers } from '../harness/temporal';
import { TEST_CODEC_KEYS } from '../support/codec';
import { handoffFixture, type HandoffFixture } from '../support/handoff-fixture';
import { demoRequestLead } from '../support/leads';
import { uniqueHubSpotId, until } from './support';
import { firstOf } from '../support/timeline';

const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function handoff(...argv: string[]): Promise<{ code: number; out: string; err: string }>;
async function handoff(
  opts: { now?: number; workerWaitMs?: number },
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }>;
async function handoff(...args: unknown[]): Promise<{ code: number; out: string; err: string }> {
  const opts = typeof args[0] === 'object' ? (args.shift() as { now?: number; workerWaitMs?: number }) : {};
  let out = '';
  let err = '';
  const code = await runCli(args as string[], {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: {
      TEMPORAL_ADDRESS: sharedServers().devServer.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      // The workers' key (test/support/codec.ts): the CLI decodes what they wrote.
      HANDOFF_CODEC_KEYS: TEST_CODEC_KEYS,
    },
    now: () => opts.now ?? Date.now(),
    ...(opts.workerWaitMs ? { workerWaitMs: opts.workerWaitMs } : {}),
  });
  return { code, out, err };
}

async function assigned(fx: HandoffFixture): Promise<{ contactId: string; workflowId: string }> {
  const lead = demoRequestLead({ contactId: uniqueHubSpotId() });
  const handle = await fx.start(lead);
  await until(
    () => handle.query(statusQuery),
    (s) => s.stage === 'awaiting_first_touch',
    'assignment',
  );
  return { contactId: lead.contactId, workflowId: handle.workflowId };
}

test('status, a refused accept, reassign, activity and reject, then status of the closed lead', async () => {
  const fx = await handoffFixture(env);
  await fx.worker.runUntil(async () => {
    const { contactId, workflowId } = await assigned(fx);

    const s1 = await handoff('status', contactId, '--json');
    expect(s1.code).toBe(0);
    const before = JSON.parse(s1.out) as HandoffStatus;
    expect(before).toMatchObject({ workflowId, contactId, stage: 'awaiting_first_touch', owner: { repId: 'rep-ana' } });
    const text = await handoff('status', workflowId);
    expect(text.out).toMatch(/^lead +mql-hubspot-\d+ \(HubSpot contact \d+\)$/m);
    expect(text.out).toMatch(/^owner +Ana Ruiz \(rep-ana\), team sdr-inbound$/m);
    expect(text.out).toMatch(/^next +reminder at .+ \(in \d+m/m);
    expect(text.out).toContain('timeline');
    expect(text.out).toMatch(/^ {2}\S+ {2}assigned to Ana Ruiz — /m);

    const refused = await handoff('accept', contactId, '--as', 'rep-ben');
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      `handoff: refused by ${workflowId}: rep "rep-ben" is not the owner of ${workflowId} (owner: rep-ana)\n`,
    );

    const moved = await handoff(
      'reassign',
      contactId,
      '--to',
      'rep-ben',
      '--reason',
      'Ana is out sick',
      '--by',
      'ops:kim',
      '--json',
    );
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.out)).toMatchObject({ workflowId, fromRepId: 'rep-ana', toRepId: 'rep-ben' });

    const act = await handoff('activity', contactId, '--type', 'call', '--as', 'rep-ben', '--json');
    expect(act.code).toBe(0);
    expect(JSON.parse(act.out)).toMatchObject({ workflowId, signalled: 'repActivity', type: 'call' });
    await until(
      () => env.client.workflow.getHandle(workflowId).query(statusQuery),
      (s) => s.stage === 'awaiting_decision',
      'first touch',
    );

    const rejected = await handoff('reject', workflowId, '--as', 'rep-ben', '--reason', 'no_budget_signal', '--json');
    expect(rejected.code).toBe(0);
    expect(JSON.parse(rejected.out)).toMatchObject({ workflowId, stage: 'rejected' });

    const after = JSON.parse((await handoff('status', contactId, '--json')).out) as HandoffStatus;
    expect(after).toMatchObject({
      stage: 'rejected',
      outcome: 'rejected',
      rejectReason: 'no_budget_signal',
      reassignments: 1,
    });
    expect(after.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['reassigned', 'first_touch', 'rejected']),
    );
    expect(firstOf(after, 'reassigned')?.event).toBe('reassigned from Ana Ruiz to Ben Carter');
    expect(firstOf(after, 'first_touch')?.detail).toMatch(/^call via cli/);

    const closed = await handoff('activity', contactId, '--type', 'email');
    expect(closed.code).toBe(1);
    expect(closed.err).toBe(`handoff: ${workflowId} is completed: no activity recorded\n`);
  });
});

test('accept by the owner; an unknown lead exits 2', async () => {
  const fx = await handoffFixture(env);
  await fx.worker.runUntil(async () => {
    const { contactId, workflowId } = await assigned(fx);
    const accepted = await handoff('accept', contactId, '--as', 'rep-ana', '--note', 'booked a demo');
    expect(accepted.code).toBe(0);
    expect(accepted.out).toMatch(new RegExp(`^${workflowId}: accepted by rep-ana at \\S+\\n$`));
    expect((await env.client.workflow.getHandle(workflowId).result()).outcome).toBe('accepted');
  });
  const unknown = await handoff('status', '999999999999');
  expect(unknown.code).toBe(2);
  expect(unknown.err).toBe('handoff: unknown lead "999999999999": no handoff mql-hubspot-999999999999\n');
});

test('stuck: the visibility query finds leads past their deadline, filtered by rep, team and how overdue', async () => {
  const fx = await handoffFixture(env);
  await fx.worker.runUntil(async () => {
    const leads = [await assigned(fx), await assigned(fx)];
    const ids = leads.map((l) => l.workflowId);
    // Thirty days from now every first-touch deadline of these leads has passed.
    const later = { now: Date.now() + 30 * DAY };
    const stuck = async (...args: string[]) => {
      const r = await handoff(later, 'stuck', '--json', ...args);
      expect(r.code).toBe(0);
      return (JSON.parse(r.out) as StuckLead[]).filter((l) => ids.includes(l.workflowId));
    };
    const found = await until(
      () => stuck('--team', 'sdr-inbound'),
      (l) => l.length === 2,
      'visibility to index both leads',
    );
    expect(found.map((l) => l.workflowId).sort()).toEqual([...ids].sort());
    const byRep = Object.fromEntries(found.map((l) => [l.workflowId, l]));
    expect(byRep[ids[0]!]).toMatchObject({
      contactId: leads[0]!.contactId,
      stage: 'awaiting_first_touch',
      repId: 'rep-ana',
      team: 'sdr-inbound',
      rung: 'none',
      priority: expect.any(String),
      leadType: 'demo_request',
    });
    expect(byRep[ids[0]!]!.overdueMs).toBeGreaterThan(25 * DAY);

    expect((await stuck('--rep', 'rep-ana')).map((l) => l.workflowId)).toEqual([ids[0]]);
    expect(await stuck('--team', 'ae-enterprise')).toEqual([]);
    expect(await stuck('--older-than', '60d')).toEqual([]);

    // Now, nothing of ours is overdue.
    const now = JSON.parse((await handoff('stuck', '--json')).out) as StuckLead[];
    expect(now.filter((l) => ids.includes(l.workflowId))).toEqual([]);

    const table = await handoff(later, 'stuck', '--rep', 'rep-ben');
    expect(table.out.split('\n')[0]).toMatch(/^LEAD +STAGE +REP +TEAM +RUNG +PRIORITY +DUE +OVERDUE$/);
    expect(table.out).toContain(ids[1]);
    expect(table.out).not.toContain(ids[0]);

    for (const id of ids) await env.client.workflow.getHandle(id).terminate('test over');
  });
});

test('no worker to answer: status exits 3 saying so instead of waiting forever', async () => {
  const contactId = uniqueHubSpotId();
  const handle = await env.client.workflow.start(HANDOFF_WORKFLOW_TYPE, {
    taskQueue: `nobody-polls-${contactId}`,
    workflowId: handoffWorkflowId('hubspot', contactId),
    args: [{ source: 'hubspot', contactId, trigger: { kind: 'manual', at: new Date().toISOString() } }],
  });
  const r = await handoff({ workerWaitMs: 1_000 }, 'status', contactId);
  expect(r.code).toBe(3);
  expect(r.err).toBe(
    'handoff: no handoff worker answered the status query within 1 s: is the worker running on task queue mql-handoff?\n',
  );
  await handle.terminate('test over');
});

test('the workflow id and the contact id name the same lead', async () => {
  const fx = await handoffFixture(env);
  await fx.worker.runUntil(async () => {
    const { contactId, workflowId } = await assigned(fx);
    expect(workflowId).toBe(`mql-hubspot-${contactId}`);
    const a = JSON.parse((await handoff('status', contactId, '--json')).out) as HandoffStatus;
    const b = JSON.parse((await handoff('status', workflowId, '--json')).out) as HandoffStatus;
    expect(a).toMatchObject({ workflowId, contactId });
    expect(b).toMatchObject({ workflowId, contactId });
    await env.client.workflow.getHandle(workflowId).terminate('test over');
  });
});
