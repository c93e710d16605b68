/**
 * The short messages the SLA ladder and the decision step send: a reminder to the rep, escalations to the
 * manager and the VP, reassignment notices, and the rejection report for marketing. Plain sentences naming the
 * lead, the company, how long it has waited and when first touch is due; channel formatting is the adapters' job.
 */
import { leadTypeLabel, type HandoffBrief, type Notice, type NoticeKind } from './brief';
import { formatInZone } from './business-hours';
import { formatDuration } from './duration';

export interface NoticeContext {
  now: Date;
  /** Zone the recipient reads times in. */
  timeZone: string;
  /** The rep the notice is about (for reassignments: the original rep). Defaults to the brief's rep. */
  repName?: string;
  managerName?: string;
  /** Reassignments: the rep who now has the lead. Required for `reassigned_away` and `reassignment_manager_notice`. */
  toRepName?: string;
  /** Reassignments: why (free text). Rejections: the picklist value. */
  reason?: string;
  /** Rejections: the picklist label. `lead_rejected` needs this or `reason`. */
  reasonLabel?: string;
  /** How long the lead has waited for what the notice is about (first touch, decision), ms. */
  waitedMs?: number;
}

function required(kind: NoticeKind, field: keyof NoticeContext, value: string | undefined): string {
  if (!value?.trim()) throw new Error(`composeNotice("${kind}") needs ctx.${field}`);
  return value.trim();
}

export function composeNotice(kind: NoticeKind, brief: HandoffBrief, ctx: NoticeContext): Notice {
  const name = brief.contact.name;
  const company = brief.company.name;
  const lead = company ? `${name} (${company})` : name;
  const who = `${name}${brief.contact.jobTitle ? `, ${brief.contact.jobTitle}` : ''}${company ? ` at ${company}` : ''}`;
  const about = `${leadTypeLabel(brief.leadType).toLowerCase()}, ${brief.priority} priority`;
  const rep = ctx.repName?.trim() || brief.rep.name;
  const waited = ctx.waitedMs !== undefined ? formatDuration(ctx.waitedMs) : null;
  const dueAt = new Date(brief.slaDueAt);
  const due = formatInZone(dueAt, ctx.timeZone);
  const firstTouch = `First touch ${ctx.now.getTime() >= dueAt.getTime() ? 'was' : 'is'} due by ${due}.`;

  const sentences = (...parts: (string | false | null | undefined)[]): string => parts.filter(Boolean).join(' ');
  const notice = (title: string, text: string): Notice => ({ kind, title, text, brief });

  switch (kind) {
    case 'reminder':
      return notice(
        `Reminder: ${lead} is waiting for first touch — SLA due ${due}`,
        sentences(
          `${who} (${about}) ${waited ? `was assigned to you ${waited} ago` : 'is assigned to you'} and has no first touch yet.`,
          firstTouch,
          `Why this lead: ${brief.whyThisLead}`,
          'Log a call or an email, or click "I\'ve reached out", to stop these reminders.',
        ),
      );
    case 'manager_escalation':
      return notice(
        `Escalation: ${lead} has had no first touch from ${rep}${waited ? ` for ${waited}` : ''}`,
        sentences(
          `${rep} has not logged any activity on ${who} (${about})${waited ? ` in the ${waited} since assignment` : ''}.`,
          firstTouch,
          `Please follow up with ${rep}.`,
        ),
      );
    case 'reassigned_away': {
      const toRep = required(kind, 'toRepName', ctx.toRepName);
      return notice(
        `Reassigned: ${lead} has moved to ${toRep}`,
        sentences(
          `${who} has been reassigned from you to ${toRep}.`,
          ctx.reason ? `Reason: ${ctx.reason}.` : waited && `It had no first touch ${waited} after assignment.`,
          'You no longer own this lead; no action is needed from you.',
        ),
      );
    }
    case 'reassignment_manager_notice': {
      const toRep = required(kind, 'toRepName', ctx.toRepName);
      return notice(
        `Reassigned: ${lead} moved from ${rep} to ${toRep}`,
        sentences(
          `${who} (${about}) was reassigned from ${rep} to ${toRep}.`,
          ctx.reason ? `Reason: ${ctx.reason}.` : waited && `${rep} made no first touch in ${waited}.`,
          `The first-touch SLA now runs for ${toRep}.`,
        ),
      );
    }
    case 'vp_review':
      return notice(
        `Review: ${lead} has ${waited ? `waited ${waited}` : 'waited past its SLA'} without first touch`,
        sentences(
          `${who} (${about}) became an MQL${waited ? ` ${waited} ago` : ''} and still has no first touch.`,
          `It is with ${rep}${ctx.managerName ? `, whose manager ${ctx.managerName} has been told` : ''}.`,
          firstTouch,
          'Flagged for VP of Sales / ops review.',
        ),
      );
    case 'decision_overdue':
      return notice(
        `Decision overdue: ${lead} awaits accept or reject from ${rep}`,
        sentences(
          `${rep} made first touch with ${who} (${about})${waited ? ` ${waited} ago` : ''} but has not accepted or rejected the lead.`,
          `Please ask ${rep} to accept it as an SQL or reject it with a reason.`,
        ),
      );
    case 'decision_review':
      return notice(
        `Review: no accept/reject decision on ${lead}${waited ? ` after ${waited}` : ''}`,
        sentences(
          `${rep} made first touch with ${who} (${about})${waited ? ` ${waited} ago` : ''} and has not decided.`,
          ctx.managerName && `${ctx.managerName} was told earlier.`,
          'Flagged for VP of Sales / ops review.',
        ),
      );
    case 'lead_rejected': {
      const label = ctx.reasonLabel?.trim() || required(kind, 'reason', ctx.reason);
      const scores = `fit ${brief.scores.fit ?? 'n/a'}, engagement ${brief.scores.engagement ?? 'n/a'}`;
      return notice(
        `Rejected: ${lead} — ${label}`,
        sentences(
          `${rep} rejected ${who} (${about}; ${scores}).`,
          `Reason: ${label}.`,
          `Marketing handed it off because: ${brief.reasonForHandoff}.`,
          'The contact goes back to lifecycle stage Lead and into the re-nurture track for this reason.',
        ),
      );
    }
    case 'assignee_unreachable':
      return notice(
        `Not delivered: ${rep} has not been told about ${lead}`,
        sentences(
          `${who} (${about}) is assigned to ${rep}, but neither the Slack DM nor the email reached them.`,
          firstTouch,
          `Please tell ${rep} directly, or reassign the lead.`,
        ),
      );
  }
}
