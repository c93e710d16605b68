/**
 * P3, SLA rung lateness on the real clock: `count` behavioural MQLs whose first rung (the reminder to the rep) is
 * due `rungSeconds` after assignment (a wall-clock rung in the bench org), handed off as fast as the bridge takes
 * them (webhooks of 100 events, all at once). Lateness = when the reminder lands in Slack − when it was due (the
 * handoff's own `nextDeadline`, queried once its DM is out).
 */
import { statusQuery, handoffWorkflowId } from '../src/workflows/definitions';
import { fetchEvents, timeOf } from './lib/history';
import { pool } from './lib/load';
import type { Row } from './lib/results';
import type { Stack } from './lib/stack';
import { sleep, summarize, type Summary } from './lib/stats';

export interface LatenessResult {
  count: number;
  rungSeconds: number;
  arrived: number;
  latenessMs: Summary;
  /** Where a late rung's time goes, from sampled histories. */
  sample: { timerFiredLateMs: Summary; firedToNoticeDoneMs: Summary; sampled: number } | null;
  errors: string[];
}

export async function slaLateness(stack: Stack, count: number, rungSeconds: number): Promise<LatenessResult> {
  const ids = await stack.createLeads(count, 'behavioral');
  const wfs = ids.map((id) => handoffWorkflowId('hubspot', id));
  const errors: string[] = [];
  const due = new Map<string, number>();
  const asked = new Set<string>();

  const dueOf = async (workflowId: string): Promise<void> => {
    const handle = stack.client.workflow.getHandle(workflowId);
    for (let attempt = 0; attempt < 100 && !stack.reminderAt.has(workflowId); attempt++) {
      const status = await handle.query(statusQuery);
      if (status.nextDeadline?.what === 'reminder') {
        due.set(workflowId, Date.parse(status.nextDeadline.at));
        return;
      }
      await sleep(50);
    }
  };
  let sending = true;
  const watcher = (async () => {
    while (sending || asked.size < wfs.filter((w) => stack.dmAt.has(w)).length) {
      const fresh = wfs.filter((w) => stack.dmAt.has(w) && !asked.has(w));
      for (const w of fresh) asked.add(w);
      await pool(fresh, 10, (w) => dueOf(w).catch((e: unknown) => void errors.push(`query ${w}: ${String(e)}`)));
      await sleep(50);
    }
  })();

  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) batches.push(ids.slice(i, i + 100));
  await Promise.all(batches.map((b) => stack.postMqls(b)));
  await stack
    .waitFor(stack.dmAt, wfs, 300_000, 'P3 DMs')
    .catch((e: unknown) => errors.push(String(e)))
    .finally(() => (sending = false));
  await watcher;
  await stack
    .waitFor(stack.reminderAt, wfs, rungSeconds * 1000 + 180_000, 'P3 reminders')
    .catch((e: unknown) => errors.push(String(e)));

  const measured = wfs.filter((w) => due.has(w) && stack.reminderAt.has(w));
  if (measured.length < wfs.length) {
    errors.push(`${wfs.length - measured.length} of ${wfs.length} leads without both a due time and a reminder`);
  }
  const lateness = measured.map((w) => stack.reminderAt.get(w)! - due.get(w)!);
  return {
    count,
    rungSeconds,
    arrived: measured.length,
    latenessMs: summarize(lateness),
    sample: await sampleRung(stack, measured, due).catch(() => null),
    errors,
  };
}

/** The latest leads' histories: how late the server fired the timer, and fired → reminder sent. */
async function sampleRung(stack: Stack, wfs: string[], due: Map<string, number>): Promise<LatenessResult['sample']> {
  const worst = [...wfs]
    .sort((a, b) => stack.reminderAt.get(b)! - due.get(b)! - (stack.reminderAt.get(a)! - due.get(a)!))
    .slice(0, 20);
  const late: number[] = [];
  const toNotice: number[] = [];
  for (const w of worst) {
    const events = await fetchEvents(stack.client, w);
    const fired = events.find((e) => e.eventType.endsWith('TIMER_FIRED'));
    if (!fired) continue;
    const notice = events.find(
      (e) =>
        Number(e.eventId) > Number(fired.eventId) &&
        e.eventType.endsWith('ACTIVITY_TASK_SCHEDULED') &&
        e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendNotice',
    );
    const noticeDone = notice
      ? events.find(
          (e) =>
            e.eventType.endsWith('ACTIVITY_TASK_COMPLETED') &&
            String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(notice.eventId),
        )
      : undefined;
    late.push(timeOf(fired) - due.get(w)!);
    if (noticeDone) toNotice.push(timeOf(noticeDone) - timeOf(fired));
  }
  return { sampled: late.length, timerFiredLateMs: summarize(late), firedToNoticeDoneMs: summarize(toNotice) };
}

export const LATENESS_TARGET_MS = 1000;

export function p3Rows(r: LatenessResult): Row[] {
  const what = `${r.count} leads, rung at ${r.rungSeconds} s`;
  const s = r.sample;
  return [
    { id: 'p3.lateness_p50', figure: `P3 rung lateness p50 (${what})`, unit: 'ms', measured: r.latenessMs.p50 },
    {
      id: 'p3.lateness_p99',
      figure: `P3 rung lateness p99 (${what})`,
      unit: 'ms',
      measured: r.latenessMs.p99,
      target: { op: '<=', value: LATENESS_TARGET_MS },
      note: s
        ? `the ${s.sampled} latest: server fired the timer p50 ${s.timerFiredLateMs.p50.toFixed(0)} ms / max ${s.timerFiredLateMs.max.toFixed(0)} ms after due; fired → reminder sent p50 ${s.firedToNoticeDoneMs.p50.toFixed(0)} ms / max ${s.firedToNoticeDoneMs.max.toFixed(0)} ms`
        : undefined,
    },
    {
      id: 'p3.lateness_max',
      figure: `P3 rung lateness max (${what})`,
      unit: 'ms',
      measured: r.latenessMs.max,
      note: r.errors.length ? r.errors.join('; ') : undefined,
    },
  ];
}
