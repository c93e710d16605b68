/**
 * Claims and releases against the team roster workflows (src/workflows/team-roster.ts), from the activities.
 *
 * Every claim is a decision on one team's round-robin state, so a team's claims are serialised in its roster.
 * One update per claim costs a workflow task and a history write each and tops out at ~15 claims/s on a dev
 * server. So claims for the same roster are batched: while one `claimReps` update is in flight, the claims that
 * arrive wait and go together in the next one. An idle roster answers a lone claim in one round trip; a busy one
 * takes dozens per round trip. The roster applies a batch in order, one claim at a time, with the same rules and
 * the same per-claim idempotency keys as a single claim, so fairness, capacity and "never the same lead twice" hold.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  claimRepsUpdate,
  releaseRepSignal,
  TEAM_ROSTER_WORKFLOW_TYPE,
  teamRosterWorkflowId,
  type ClaimRepInput,
  type ClaimRepResult,
} from '../workflows/definitions';

/** The most claims one update carries (each adds a few hundred bytes to the update's payload). */
export const MAX_CLAIMS_PER_UPDATE = 100;

interface PendingClaim {
  claim: ClaimRepInput;
  resolve: (r: ClaimRepResult) => void;
  reject: (e: unknown) => void;
}

interface RosterQueue {
  waiting: PendingClaim[];
  inFlight: boolean;
}

export interface TeamRosterClient {
  claim(teamId: string, claim: ClaimRepInput, taskQueue: string): Promise<ClaimRepResult>;
  release(teamId: string, release: { repId: string; leadId: string }, taskQueue: string): Promise<void>;
}

export function createTeamRosterClient(client: Client, scope = ''): TeamRosterClient {
  const queues = new Map<string, RosterQueue>();

  const flush = (workflowId: string, teamId: string, taskQueue: string, q: RosterQueue): void => {
    if (q.inFlight || q.waiting.length === 0) return;
    const batch = q.waiting.splice(0, MAX_CLAIMS_PER_UPDATE);
    q.inFlight = true;
    withRoster(client, workflowId, teamId, taskQueue, (handle) =>
      handle.executeUpdate(claimRepsUpdate, { args: [{ claims: batch.map((p) => p.claim) }] }),
    )
      .then(
        (results) => batch.forEach((p, i) => p.resolve(results[i]!)),
        // The whole batch failed (e.g. the roster was continuing as new): each claim's activity retries, with
        // its own key, so a claim the roster did apply gets the same answer.
        (e: unknown) => batch.forEach((p) => p.reject(e)),
      )
      .finally(() => {
        q.inFlight = false;
        flush(workflowId, teamId, taskQueue, q);
      });
  };

  return {
    claim(teamId, claim, taskQueue) {
      const workflowId = teamRosterWorkflowId(teamId, scope);
      let q = queues.get(workflowId);
      if (!q) queues.set(workflowId, (q = { waiting: [], inFlight: false }));
      const queue = q;
      return new Promise<ClaimRepResult>((resolve, reject) => {
        queue.waiting.push({ claim, resolve, reject });
        flush(workflowId, teamId, taskQueue, queue);
      });
    },
    async release(teamId, release, taskQueue) {
      await withRoster(client, teamRosterWorkflowId(teamId, scope), teamId, taskQueue, (handle) =>
        handle.signal(releaseRepSignal, release),
      );
    },
  };
}

/** Runs `fn` against the team's roster workflow, starting the roster on first use. */
async function withRoster<T>(
  client: Client,
  workflowId: string,
  teamId: string,
  taskQueue: string,
  fn: (handle: WorkflowHandle) => Promise<T>,
): Promise<T> {
  try {
    return await fn(client.workflow.getHandle(workflowId));
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
  try {
    await client.workflow.start(TEAM_ROSTER_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [{ teamId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
  return fn(client.workflow.getHandle(workflowId));
}
