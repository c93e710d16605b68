/**
 * The team roster under a burst of simultaneous claims, through the activities' batching client on the dev server:
 * batched claims keep the round-robin fair, capacity holds, a lead is never claimed twice, and a claim retried with
 * its key (in another batch) gets the first answer.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTeamRosterClient } from '../../src/activities/team-roster-client';
import {
  rosterStateQuery,
  teamRosterWorkflowId,
  type ClaimRepResult,
  type RosterCandidate,
} from '../../src/workflows/definitions';
import { createTestWorker, devServerEnv, uniqueTaskQueue } from '../harness/temporal';
import { closeAll } from '../support/close-all';

let env: TestWorkflowEnvironment;
let worker: Worker;
let taskQueue: string;
let running: Promise<void>;

beforeAll(async () => {
  env = await devServerEnv();
  taskQueue = uniqueTaskQueue('roster');
  worker = await createTestWorker(env, { activities: {}, taskQueue });
  running = worker.run();
});
afterAll(() =>
  closeAll(
    () => {
      worker?.shutdown();
      return running;
    },
    () => env?.teardown(),
  ),
);

const reps = (capacity: number): RosterCandidate[] =>
  ['rep-a', 'rep-b', 'rep-c', 'rep-d'].map((repId) => ({ repId, capacity, available: true }));

function countByRep(results: ClaimRepResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[String(r.repId)] = (counts[String(r.repId)] ?? 0) + 1;
  return counts;
}

test('400 claims at once: 100 each, in batches, and every lead open exactly once', async () => {
  const scope = uniqueTaskQueue('scope');
  const rosters = createTeamRosterClient(env.client, scope);
  const claims = Array.from({ length: 400 }, (_, i) => ({
    claimKey: `k${i}`,
    leadId: `lead-${i}`,
    candidates: reps(1000),
  }));
  const results = await Promise.all(claims.map((c) => rosters.claim('team', c, taskQueue)));
  expect(countByRep(results)).toEqual({ 'rep-a': 100, 'rep-b': 100, 'rep-c': 100, 'rep-d': 100 });

  const handle = env.client.workflow.getHandle(teamRosterWorkflowId('team', scope));
  const state = await handle.query(rosterStateQuery);
  const open = Object.values(state.open).flat();
  expect(open).toHaveLength(400);
  expect(new Set(open).size).toBe(400);
  // Far fewer updates than claims: the burst went in batches.
  const history = await handle.fetchHistory();
  const updates = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
  expect(updates).toBeLessThan(100);
  await handle.terminate('test over');
});

test('capacity holds under a burst: 45 claims for 4 × 10 seats give 40 reps and 5 nobodies', async () => {
  const scope = uniqueTaskQueue('scope');
  const rosters = createTeamRosterClient(env.client, scope);
  const results = await Promise.all(
    Array.from({ length: 45 }, (_, i) =>
      rosters.claim('team', { claimKey: `k${i}`, leadId: `lead-${i}`, candidates: reps(10) }, taskQueue),
    ),
  );
  expect(countByRep(results)).toEqual({ 'rep-a': 10, 'rep-b': 10, 'rep-c': 10, 'rep-d': 10, null: 5 });
  await env.client.workflow.getHandle(teamRosterWorkflowId('team', scope)).terminate('test over');
});

test('a claim retried with its key, in a later batch, gets the first answer and claims nothing more', async () => {
  const scope = uniqueTaskQueue('scope');
  const rosters = createTeamRosterClient(env.client, scope);
  const first = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      rosters.claim('team', { claimKey: `k${i}`, leadId: `lead-${i}`, candidates: reps(1000) }, taskQueue),
    ),
  );
  const again = await Promise.all(
    [3, 5, 8].map((i) =>
      rosters.claim('team', { claimKey: `k${i}`, leadId: `lead-${i}`, candidates: reps(1000) }, taskQueue),
    ),
  );
  expect(again[0]!.repId).toBe(first[3]!.repId);
  expect(again[1]!.repId).toBe(first[5]!.repId);
  expect(again[2]!.repId).not.toBeNull(); // k8 is new
  const state = await env.client.workflow.getHandle(teamRosterWorkflowId('team', scope)).query(rosterStateQuery);
  expect(Object.values(state.open).flat().sort()).toEqual(
    ['lead-0', 'lead-1', 'lead-2', 'lead-3', 'lead-4', 'lead-5', 'lead-6', 'lead-7', 'lead-8'].sort(),
  );
  await env.client.workflow.getHandle(teamRosterWorkflowId('team', scope)).terminate('test over');
});
