/**
 * Reading workflow histories (the recorded ones under test/histories/, and live ones from the server) for what the
 * bench needs: how many activities a handoff runs up to its DM and in which steps (P2's bare workflow copies that),
 * and where a handoff's time goes (activity and workflow-task queueing and run times), to say what bounds a figure.
 */
import type { Client } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BareShape } from './bare-workflow';
import { repoRoot } from './repo';
import { summarize, type Summary } from './stats';

/** The recorded history of today's handoff path (demo request, round-robin, accepted after first touch). */
export const REFERENCE_HISTORY = 'test/histories/encrypted/accepted-after-first-touch.json';
/** The activity whose completion is "the rep has the DM". */
export const DM_ACTIVITY = 'sendBriefDm';

export interface JsonEvent {
  eventId: string | number;
  eventTime?: { seconds?: string | number; nanos?: number } | string;
  eventType: string;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  activityTaskStartedEventAttributes?: { scheduledEventId?: string | number };
  activityTaskCompletedEventAttributes?: { scheduledEventId?: string | number };
  workflowTaskStartedEventAttributes?: { scheduledEventId?: string | number };
  workflowTaskCompletedEventAttributes?: { scheduledEventId?: string | number };
  timerFiredEventAttributes?: { startedEventId?: string | number };
  timerStartedEventAttributes?: { startToFireTimeout?: { seconds?: string | number; nanos?: number } | string };
}

const type = (e: JsonEvent): string => e.eventType.replace(/^EVENT_TYPE_/, '');

export function timeOf(e: JsonEvent): number {
  const t = e.eventTime;
  if (!t) return Number.NaN;
  if (typeof t === 'string') return Date.parse(t);
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

export function loadRecordedEvents(file = REFERENCE_HISTORY): JsonEvent[] {
  return (JSON.parse(readFileSync(path.join(repoRoot(), file), 'utf8')) as { events: JsonEvent[] }).events;
}

export async function fetchEvents(client: Client, workflowId: string): Promise<JsonEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (JSON.parse(JSON.stringify(history)) as { events: JsonEvent[] }).events;
}

/**
 * The activities scheduled up to and including the workflow task that schedules `upTo`, grouped by the workflow
 * task that scheduled them (a group runs concurrently).
 */
export function activitySteps(
  events: readonly JsonEvent[],
  upTo = DM_ACTIVITY,
): { steps: string[][]; shape: BareShape } {
  const steps: string[][] = [];
  let current: string[] | null = null;
  for (const e of events) {
    const t = type(e);
    if (t === 'WORKFLOW_TASK_COMPLETED') {
      if (current?.includes(upTo)) break;
      current = null;
    } else if (t === 'ACTIVITY_TASK_SCHEDULED') {
      if (!current) steps.push((current = []));
      current.push(e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
    }
  }
  const step = steps.findIndex((s) => s.includes(upTo));
  if (step < 0) throw new Error(`the history schedules no ${upTo} activity`);
  return { steps, shape: { steps: steps.map((s) => s.length), mark: { step, index: steps[step]!.indexOf(upTo) } } };
}

export interface Breakdown {
  /** Workflow started → the DM activity completed, server clock. */
  startToDmMs: number;
  workflowTasksBeforeDm: number;
  /** Per workflow task before the DM: scheduled → started (waiting for the worker), started → completed. */
  workflowTaskQueueMs: number[];
  workflowTaskRunMs: number[];
  /** Per activity type: scheduled → started, started → completed. */
  activities: Record<string, { queueMs: number[]; runMs: number[] }>;
}

export function breakdown(events: readonly JsonEvent[], upTo = DM_ACTIVITY): Breakdown | null {
  const byId = new Map(events.map((e) => [String(e.eventId), e]));
  const started = events.find((e) => type(e) === 'WORKFLOW_EXECUTION_STARTED');
  const dmScheduled = events.find(
    (e) => type(e) === 'ACTIVITY_TASK_SCHEDULED' && e.activityTaskScheduledEventAttributes?.activityType?.name === upTo,
  );
  const dmDone = dmScheduled
    ? events.find(
        (e) =>
          type(e) === 'ACTIVITY_TASK_COMPLETED' &&
          String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(dmScheduled.eventId),
      )
    : undefined;
  if (!started || !dmDone) return null;
  const end = timeOf(dmDone);
  const out: Breakdown = {
    startToDmMs: end - timeOf(started),
    workflowTasksBeforeDm: 0,
    workflowTaskQueueMs: [],
    workflowTaskRunMs: [],
    activities: {},
  };
  const last = Number(dmDone.eventId);
  for (const e of events) {
    if (Number(e.eventId) > last) break;
    const t = type(e);
    if (t === 'WORKFLOW_TASK_STARTED') {
      const scheduled = byId.get(String(e.workflowTaskStartedEventAttributes?.scheduledEventId));
      if (scheduled) out.workflowTaskQueueMs.push(timeOf(e) - timeOf(scheduled));
    } else if (t === 'WORKFLOW_TASK_COMPLETED') {
      const startedTask = events.find(
        (x) =>
          type(x) === 'WORKFLOW_TASK_STARTED' &&
          String(x.workflowTaskStartedEventAttributes?.scheduledEventId) ===
            String(e.workflowTaskCompletedEventAttributes?.scheduledEventId),
      );
      if (startedTask) out.workflowTaskRunMs.push(timeOf(e) - timeOf(startedTask));
      out.workflowTasksBeforeDm += 1;
    } else if (t === 'ACTIVITY_TASK_COMPLETED') {
      const scheduledId = String(e.activityTaskCompletedEventAttributes?.scheduledEventId);
      const scheduled = byId.get(scheduledId);
      const startedTask = events.find(
        (x) =>
          type(x) === 'ACTIVITY_TASK_STARTED' &&
          String(x.activityTaskStartedEventAttributes?.scheduledEventId) === scheduledId,
      );
      if (!scheduled || !startedTask) continue;
      const name = scheduled.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      const a = (out.activities[name] ??= { queueMs: [], runMs: [] });
      a.queueMs.push(timeOf(startedTask) - timeOf(scheduled));
      a.runMs.push(timeOf(e) - timeOf(startedTask));
    }
  }
  return out;
}

export interface BreakdownSummary {
  sampled: number;
  startToDmMs: Summary;
  workflowTasksBeforeDm: number;
  workflowTaskQueueMs: Summary;
  workflowTaskRunMs: Summary;
  activities: Record<string, { queueMs: Summary; runMs: Summary }>;
}

/** Breakdowns of up to `sample` workflows (spread over the list), merged. */
export async function sampleBreakdown(
  client: Client,
  workflowIds: readonly string[],
  sample = 20,
  upTo = DM_ACTIVITY,
): Promise<BreakdownSummary | null> {
  const step = Math.max(1, Math.floor(workflowIds.length / sample));
  const picked = workflowIds.filter((_, i) => i % step === 0).slice(0, sample);
  const all = (await Promise.all(picked.map(async (id) => breakdown(await fetchEvents(client, id), upTo)))).filter(
    (b): b is Breakdown => b !== null,
  );
  if (all.length === 0) return null;
  const names = [...new Set(all.flatMap((b) => Object.keys(b.activities)))];
  return {
    sampled: all.length,
    startToDmMs: summarize(all.map((b) => b.startToDmMs)),
    workflowTasksBeforeDm: Math.round(all.reduce((s, b) => s + b.workflowTasksBeforeDm, 0) / all.length),
    workflowTaskQueueMs: summarize(all.flatMap((b) => b.workflowTaskQueueMs)),
    workflowTaskRunMs: summarize(all.flatMap((b) => b.workflowTaskRunMs)),
    activities: Object.fromEntries(
      names.map((n) => [
        n,
        {
          queueMs: summarize(all.flatMap((b) => b.activities[n]?.queueMs ?? [])),
          runMs: summarize(all.flatMap((b) => b.activities[n]?.runMs ?? [])),
        },
      ]),
    ),
  };
}

/** One line for the report: the median costs along the path. */
export function describeBreakdown(b: BreakdownSummary): string {
  const acts = Object.entries(b.activities)
    .map(([n, a]) => `${n} ${a.queueMs.p50.toFixed(0)}+${a.runMs.p50.toFixed(0)}`)
    .join(', ');
  return (
    `server start→DM p50 ${b.startToDmMs.p50.toFixed(0)} ms over ${b.workflowTasksBeforeDm} workflow tasks ` +
    `(each: queue p50 ${b.workflowTaskQueueMs.p50.toFixed(0)} ms, run p50 ${b.workflowTaskRunMs.p50.toFixed(0)} ms); ` +
    `activities queue+run p50 ms: ${acts}`
  );
}
