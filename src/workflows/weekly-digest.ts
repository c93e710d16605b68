/**
 * The weekly handoff-health digest: the five metrics against their targets with the change from the week before,
 * the top rejection reasons, the reps with SLA misses and the dropped leads, posted to Slack (Block Kit, then the
 * chart) and sent as an HTML email. Started every week by the `handoff-weekly-digest` Schedule
 * (src/main/digest-schedule.ts), or by hand for a given week (`{ week: "2026-W48" }`).
 *
 * The week reported is the last complete ISO week before the scheduled time (the Schedule's
 * TemporalScheduledStartTime, else workflow time), in the digest's time zone. Every delivery is keyed by the
 * week (and the task queue, which scopes a deployment), so a retried activity or a second run for the same week
 * posts, uploads and mails nothing twice. Slack and email are independent: one failing never holds back the
 * other; the run fails afterwards, naming what did not go out.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { isoWeekOf, shiftWeek, weekWindow } from '../domain/handoff-health';
import type { DigestActivities, DigestChartUpload, DigestEmailResult, DigestSlackPost } from './activity-contracts';

export interface WeeklyDigestInput {
  /** The ISO week to report ("2026-W48"); the last complete week when absent. */
  week?: string;
}

export interface WeeklyDigestResult {
  week: string;
  /** The Schedule's time for this run (ISO-8601); null when started by hand. */
  scheduledAt: string | null;
  slack: DigestSlackPost;
  chart: DigestChartUpload;
  email: DigestEmailResult;
}

const NON_RETRYABLE = ['ServiceRejected', 'ConfigurationError'];

/** The policy and the report: local, or one visibility listing. */
const reading = proxyActivities<Pick<DigestActivities, 'loadHealthPolicy' | 'buildHealthReport'>>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Slack and email: retried with backoff for a working day at most; a digest a day late is still read. */
const delivery = proxyActivities<Pick<DigestActivities, 'postDigestToSlack' | 'uploadDigestChart' | 'emailDigest'>>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '8h',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '15m',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function weeklyDigest(input: WeeklyDigestInput = {}): Promise<WeeklyDigestResult> {
  const policy = await reading.loadHealthPolicy();
  const zone = policy.digest.timeZone;
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(SCHEDULED_START) ?? null;
  const week = input.week ?? shiftWeek(isoWeekOf(scheduledAt ?? new Date(), zone), -1, zone);
  try {
    weekWindow(week, zone);
  } catch (e) {
    throw ApplicationFailure.nonRetryable((e as Error).message, 'InvalidInput');
  }

  const report = await reading.buildHealthReport({ week, now: new Date().toISOString() });
  const key = `weekly-digest:${info.taskQueue}:${week}`;

  const slack = (async () => {
    const post = await delivery.postDigestToSlack({ report, key: `${key}:slack` });
    const chart = await delivery.uploadDigestChart({ report, channel: post.channel, key: `${key}:chart` });
    return { post, chart };
  })();
  const email = delivery.emailDigest({ report, key: `${key}:email` });
  const [s, e] = await Promise.allSettled([slack, email]);

  const failures = [
    ...(s.status === 'rejected' ? [`slack: ${reason(s.reason)}`] : []),
    ...(e.status === 'rejected' ? [`email: ${reason(e.reason)}`] : []),
  ];
  if (s.status === 'rejected' || e.status === 'rejected') {
    throw ApplicationFailure.nonRetryable(`digest ${week} not fully delivered: ${failures.join('; ')}`, 'DigestFailed');
  }
  return {
    week,
    scheduledAt: scheduledAt?.toISOString() ?? null,
    slack: s.value.post,
    chart: s.value.chart,
    email: e.value,
  };
}

/** The activity's own message (a ServiceError's names its service already: "slack: …"). */
function reason(e: unknown): string {
  const cause = (e as { cause?: { message?: string } }).cause?.message;
  return (cause ?? (e instanceof Error ? e.message : String(e))).replace(/^(slack|email): /, '');
}
