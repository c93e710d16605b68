/**
 * The weekly digest's Temporal Schedule, created or brought up to date at worker start-up: the cron and time zone
 * of `health.digest` in the org config, starting the `weeklyDigest` workflow (src/workflows/weekly-digest.ts) on
 * the worker's task queue. Overlap SKIP (a digest still running when the next is due is not doubled) and a
 * one-hour catch-up window (a server that was down at 08:00 still sends Monday's digest at 08:40, not on Tuesday:
 * after that, trigger it by hand).
 *
 * Idempotent: the Schedule exists once per deployment (its id carries the task queue when it is not the default);
 * an unchanged configuration leaves it alone; a changed cron or zone updates it in place, keeping a pause an
 * operator set. The cron and zone it was made from ride along in the action's memo, so the comparison does not
 * depend on how the server rewrites a cron into calendar specs.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { HealthPolicy } from '../domain/org-config';
import type { weeklyDigest, WeeklyDigestInput } from '../workflows/weekly-digest';

/** The workflow type the Schedule starts (the exported workflow function's name). */
export const DIGEST_WORKFLOW_TYPE = 'weeklyDigest';
export const DIGEST_SCHEDULE_ID = 'handoff-weekly-digest';
const DEFAULT_TASK_QUEUE = 'mql-handoff';
const CATCHUP_WINDOW_MS = 3_600_000;

/** `handoff-weekly-digest`, or `handoff-weekly-digest-<task queue>` for a deployment on another task queue. */
export function digestScheduleId(taskQueue: string): string {
  return taskQueue === DEFAULT_TASK_QUEUE ? DIGEST_SCHEDULE_ID : `${DIGEST_SCHEDULE_ID}-${taskQueue}`;
}

export interface DigestScheduleResult {
  scheduleId: string;
  outcome: 'created' | 'updated' | 'unchanged';
  cron: string;
  timeZone: string;
  nextRuns: Date[];
}

interface Wanted {
  cron: string;
  timeZone: string;
  taskQueue: string;
}

function action(
  scheduleId: string,
  w: Wanted,
): ScheduleOptionsStartWorkflowAction<typeof weeklyDigest> & { workflowType: string } {
  const input: WeeklyDigestInput = {};
  return {
    type: 'startWorkflow',
    workflowType: DIGEST_WORKFLOW_TYPE,
    // The Schedule appends the scheduled time: handoff-weekly-digest-2026-11-30T13:00:00Z.
    workflowId: scheduleId,
    taskQueue: w.taskQueue,
    args: [input],
    memo: { digestSchedule: { cron: w.cron, timeZone: w.timeZone } },
    staticSummary: 'Weekly handoff-health digest (Slack + email)',
    workflowExecutionTimeout: '1 day',
  };
}

function upToDate(d: ScheduleDescription, w: Wanted): boolean {
  const a = d.action;
  const made = (a.memo?.digestSchedule ?? {}) as Partial<Wanted>;
  return (
    a.type === 'startWorkflow' &&
    a.workflowType === DIGEST_WORKFLOW_TYPE &&
    a.taskQueue === w.taskQueue &&
    made.cron === w.cron &&
    made.timeZone === w.timeZone &&
    d.spec.timezone === w.timeZone &&
    d.policies.overlap === ScheduleOverlapPolicy.SKIP &&
    d.policies.catchupWindow === CATCHUP_WINDOW_MS
  );
}

/** Creates the digest Schedule, or updates it when the config's cron or zone changed. */
export async function ensureDigestSchedule(
  client: Client,
  opts: { policy: HealthPolicy; taskQueue: string },
): Promise<DigestScheduleResult> {
  const w: Wanted = { cron: opts.policy.digest.cron, timeZone: opts.policy.digest.timeZone, taskQueue: opts.taskQueue };
  const scheduleId = digestScheduleId(opts.taskQueue);
  const spec = { cronExpressions: [w.cron], timezone: w.timeZone };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW_MS };
  const refused = (e: unknown): Error =>
    new Error(
      `health.digest: the Temporal server refused the digest schedule (cron ${JSON.stringify(w.cron)}, ` +
        `timeZone ${JSON.stringify(w.timeZone)}): ${(e as Error).message}`,
    );

  let outcome: DigestScheduleResult['outcome'] = 'created';
  try {
    await client.schedule.create({ scheduleId, spec, action: action(scheduleId, w), policies });
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw refused(e);
    const handle = client.schedule.getHandle(scheduleId);
    if (upToDate(await handle.describe(), w)) {
      outcome = 'unchanged';
    } else {
      outcome = 'updated';
      try {
        await handle.update((previous) => ({ ...previous, spec, action: action(scheduleId, w), policies }));
      } catch (err) {
        throw refused(err);
      }
    }
  }
  const described = await client.schedule.getHandle(scheduleId).describe();
  return { scheduleId, outcome, cron: w.cron, timeZone: w.timeZone, nextRuns: described.info.nextActionTimes };
}
