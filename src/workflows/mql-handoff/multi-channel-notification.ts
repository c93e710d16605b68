/**
 * Component 2, multi-channel notification: the follow-up task due at the SLA deadline, the context-rich brief,
 * the Slack DM with email as backup and mobile push for high-priority leads; the DM kept true as the lead moves;
 * and the notices of the ladders (reminders, escalations, reviews).
 */
import { ActivityFailure, patched, proxyActivities } from '@temporalio/workflow';
import { managerAbove, recipientOf, type Assignee, type Recipient } from '../../domain/assignee';
import type { HandoffMessageState, NoticeKind } from '../../domain/brief';
import { followUpTaskBody, followUpTaskSubject, type NoticeAudience } from '../../domain/handoff-rules';
import { composeNotice } from '../../domain/notices';
import type { Person } from '../../domain/org-config';
import { rejectionPicklist } from '../../domain/rejection';
import type { NotificationActivities } from '../activity-contracts';
import { crm, NON_RETRYABLE, notifications } from './activities';
import { failureMessage, type HandoffContext } from './context';
import type { WrittenAssignment } from './instant-routing';
import { PATCH_NOTIFY_PER_CHANNEL, PATCH_READY_BEFORE_NOTIFY } from './patches';
import type { Assignment } from './state';

/** The rep's follow-up task in the sales CRM, due at the first-touch deadline. */
export async function createFollowUpTask(h: HandoffContext, a: Assignment): Promise<void> {
  const { s } = h;
  const lead = s.lead!;
  const { assignee, slaDueAt } = a;
  const task = await h.tolerate('task creation', () =>
    crm.createFollowUpTask({
      lead,
      assignee,
      subject: followUpTaskSubject(lead),
      body: followUpTaskBody(s.qualification?.reasonForHandoff ?? null, new Date(slaDueAt), assignee.timeZone),
      dueAt: slaDueAt,
      key: h.key(`task-${a.no}`),
    }),
  );
  a.taskId = task?.id ?? null;
}

/** Tells the new owner: the task in the sales CRM (unless written with the assignment), then the brief by DM. */
export async function announceAssignment(
  h: HandoffContext,
  { a, record, taskWritten }: WrittenAssignment,
  because: string,
): Promise<void> {
  const { s, policy } = h;
  const lead = s.lead!;
  const { assignee, slaDueAt } = a;
  if (!taskWritten) await createFollowUpTask(h, a);

  s.brief = await notifications.prepareBrief({
    workflowId: s.workflowId,
    lead,
    leadType: s.leadType!,
    priority: s.priority!,
    reasonForHandoff: s.qualification?.reasonForHandoff ?? '',
    routedBecause: because,
    slaDueAt,
    timeZone: assignee.timeZone,
    rep: { id: assignee.id, name: assignee.name },
    links: [
      ...(lead.hubspotUrl ? [{ label: 'HubSpot contact', url: lead.hubspotUrl }] : []),
      ...(record?.url && record.url !== lead.hubspotUrl
        ? [{ label: `Salesforce ${record.objectType}`, url: record.url }]
        : []),
    ],
    rejectReasons: rejectionPicklist(policy),
    now: h.now().toISOString(),
  });

  // A rep may click Accept the moment the DM lands: be ready for decisions before notifying.
  if (s.stage === 'routing' && patched(PATCH_READY_BEFORE_NOTIFY)) h.enter('awaiting_first_touch');
  if (patched(PATCH_NOTIFY_PER_CHANNEL)) return notifyPerChannel(h, a);
  const notified = await notifications.notifyAssignee({
    assignee,
    brief: s.brief,
    key: h.key(`notify-${a.no}`),
    emailBackup: policy.notifications.emailBackup,
    push:
      policy.notifications.mobilePush && s.priority === 'high'
        ? // The notification opens the Salesforce record when Salesforce is the sales CRM.
          { targetId: policy.salesCrm === 'salesforce' ? (s.salesRecordId ?? undefined) : undefined }
        : null,
  });
  a.chat = notified.chat;
  const channels = [notified.chat && 'Slack DM', notified.emailed && 'email', notified.pushed && 'mobile push'];
  const failed = notified.failures.length ? `; failed: ${notified.failures.join('; ')}` : '';
  h.log('rep_notified', 'rep notified', channels.filter(Boolean).join(', ') + failed);
  h.publish();
}

/** How long a channel is retried: until the first rung is due (a reminder would find no DM to remind of). */
const RETRY_AT_LEAST_MS = 60_000;
const RETRY_WITHOUT_RUNG_MS = 30 * 60_000;

type Attempt<T> = { ok: true; value: T } | { ok: false; error: string };

/** An activity's outcome as a value: a channel that failed is a fact to act on, not a reason to stop. */
async function attempt<T>(p: Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (!(e instanceof ActivityFailure)) throw e;
    return { ok: false, error: failureMessage(e) };
  }
}

/**
 * The DM, retried (after Retry-After on a 429) until it lands or the first rung comes due; the email backup at the
 * same time when configured, else as soon as the DM has failed for good; mobile push for high priority. When no
 * channel reached the assignee the lead is flagged (NotifyFailed in the Temporal UI) and their manager told.
 */
async function notifyPerChannel(h: HandoffContext, a: Assignment): Promise<void> {
  const { s, policy } = h;
  const { assignee } = a;
  const untilRung = s.nextDeadline ? Date.parse(s.nextDeadline.at) - h.now().getTime() : RETRY_WITHOUT_RUNG_MS;
  const channel = proxyActivities<NotificationActivities>({
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: Math.max(RETRY_AT_LEAST_MS, untilRung),
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '1m',
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
  const input = { assignee, brief: s.brief!, key: h.key(`notify-${a.no}`) };
  const wantsPush = policy.notifications.mobilePush && s.priority === 'high';
  const dm = attempt(channel.sendBriefDm(input));
  let email = policy.notifications.emailBackup ? attempt(channel.sendBriefEmail(input)) : null;
  const targetId = policy.salesCrm === 'salesforce' ? (s.salesRecordId ?? undefined) : undefined;
  const push = wantsPush ? attempt(channel.pushBrief({ ...input, targetId })) : null;
  const dmResult = await dm;
  if (!dmResult.ok && !email) email = attempt(channel.sendBriefEmail(input));
  const emailResult = email && (await email);
  const pushResult = push && (await push);

  a.chat = dmResult.ok ? dmResult.value : null;
  const reached = [
    dmResult.ok && 'Slack DM',
    emailResult?.ok && 'email',
    pushResult?.ok && pushResult.value && 'mobile push',
  ];
  const failed = [
    !dmResult.ok && named('slack', dmResult.error),
    emailResult && !emailResult.ok && named('email', emailResult.error),
    pushResult && !pushResult.ok && named('push', pushResult.error),
  ].filter(Boolean);
  h.log(
    'rep_notified',
    'rep notified',
    (reached.filter(Boolean).join(', ') || 'nobody') + (failed.length ? `; failed: ${failed.join('; ')}` : ''),
  );
  s.notifyFailed = !dmResult.ok && !emailResult?.ok;
  if (s.notifyFailed) {
    h.flag('notify_failed');
    h.log('notify_failed', 'no channel reached the assignee', `${assignee.name}: the manager is told`);
    const manager = managerAbove(policy, assignee);
    if (manager)
      await sendNotice(h, 'assignee_unreachable', manager, `unreachable-${a.no}`, { repName: assignee.name });
  }
  h.publish();
}

/** "slack: …" once: adapters' messages already start with their service, a timeout's does not. */
function named(channel: string, message: string): string {
  return message.startsWith(`${channel}:`) ? message : `${channel}: ${message}`;
}

/**
 * Rewrites the DM so it shows the truth (reached out, accepted, rejected, reassigned). When Slack no longer had it,
 * the adapter posted it again: later updates go to where it is now. No new command (the activity's result is
 * stored), so no patch; a run recorded before the activity answered a ref replays with the ref unchanged.
 */
export async function updateMessage(h: HandoffContext, state: HandoffMessageState): Promise<void> {
  const a = h.s.assignment;
  const ref = a?.chat;
  const brief = h.s.brief;
  if (!a || !ref || !brief) return;
  const now = await h.tolerate('Slack message update', () =>
    notifications.updateHandoffMessage({ ref, brief, state, to: recipientOf(a.assignee) }),
  );
  if (!now?.ts || (now.channel === ref.channel && now.ts === ref.ts) || a.chat !== ref) return;
  a.chat = { channel: now.channel, ts: now.ts };
  h.log('dm_reposted', 'Slack DM posted again', `the message was gone from Slack; ${state.kind} shown on the new one`);
}

export interface NoticeFacts {
  repName?: string;
  toRepName?: string;
  reason?: string;
  reasonLabel?: string;
  waitedMs?: number;
}

type NoticeTarget = Person | Assignee | { channel: string };

/** A notice about the lead to a person or the review channel; a refusal is recorded, never fatal. */
export async function sendNotice(
  h: HandoffContext,
  kind: NoticeKind,
  to: NoticeTarget,
  step: string,
  facts: NoticeFacts = {},
): Promise<void> {
  const holder = h.s.assignment?.assignee;
  const person = 'channel' in to ? null : to;
  const notice = composeNotice(kind, h.s.brief!, {
    now: h.now(),
    timeZone: person && 'timeZone' in person ? person.timeZone : (holder?.timeZone ?? 'UTC'),
    managerName: holder ? managerAbove(h.policy, holder)?.name : undefined,
    ...facts,
  });
  const target: Recipient | { channel: string } = person ? recipientOf(person) : (to as { channel: string });
  const alsoEmail = person !== null && 'prefersEmail' in person && person.prefersEmail === true;
  await h.tolerate(`${kind} notice`, () =>
    notifications.sendNotice({ to: target, notice, key: h.key(step), alsoEmail }),
  );
  h.log(
    'notice',
    `notice: ${kind}`,
    person ? `to ${person.name}` : `to channel ${(to as { channel: string }).channel}`,
    {
      notice: kind,
    },
  );
}

/** The VP/ops reviewer: their channel when configured, else the person. */
export function reviewer(h: HandoffContext): Person | { channel: string } {
  const r = h.policy.reviewer;
  return r.slackChannel ? { channel: r.slackChannel } : r;
}

/** Who a rung's notice goes to; null when there is nobody (a manager-held lead may have none above it). */
export function audienceOf(h: HandoffContext, audience: NoticeAudience, holder: Assignee): NoticeTarget | null {
  if (audience === 'assignee') return holder;
  if (audience === 'manager') return managerAbove(h.policy, holder);
  return reviewer(h);
}
