/**
 * The handoff brief: everything a rep needs to act on an MQL, built once from the lead snapshot, the
 * qualification and the routing decision, then rendered per channel (Slack Block Kit, email HTML/text,
 * push) by the adapters in src/activities. Plain data; no channel formatting here.
 */
import { formatInZone } from './business-hours';
import { fullName, type LeadSnapshot, type LeadType, type Priority } from './lead';
import type { RejectionReason } from './vocabulary';

export interface BriefLink {
  label: string;
  url: string;
}

export interface HandoffBrief {
  workflowId: string;
  contactId: string;
  /** One line: "Demo request: Dana Ito, VP Operations at Globex (1,200 employees)". */
  headline: string;
  contact: {
    name: string;
    jobTitle: string | null;
    email: string | null;
    phone: string | null;
    country: string | null;
  };
  company: {
    name: string | null;
    domain: string | null;
    employees: number | null;
    industry: string | null;
    country: string | null;
  };
  leadType: LeadType;
  priority: Priority;
  /** Plain-words summary of the engagement that made it an MQL. */
  whyThisLead: string;
  scores: { fit: number | null; engagement: number | null };
  /** Why marketing handed it off: the MQL rule that matched. */
  reasonForHandoff: string;
  /** Why this rep: the routing rule that matched. */
  routedBecause: string;
  marketingNotes: string[];
  /** First-touch SLA deadline, ISO-8601 UTC. */
  slaDueAt: string;
  /** The same deadline in the rep's (or team's) time zone, e.g. "Mon 24 Nov, 12:00 EST". */
  slaDueLocal: string;
  rep: { id: string; name: string };
  /** One-click links to the CRM record(s). */
  links: BriefLink[];
  /** The rejection picklist, for the Reject menu. */
  rejectReasons: { value: RejectionReason; label: string }[];
}

/** Inputs the builder needs beyond the lead; all already decided by the workflow. */
export interface BriefContext {
  workflowId: string;
  lead: LeadSnapshot;
  leadType: LeadType;
  priority: Priority;
  whyThisLead: string;
  reasonForHandoff: string;
  routedBecause: string;
  slaDueAt: string;
  /** IANA zone for `slaDueLocal`. */
  timeZone: string;
  rep: { id: string; name: string };
  links: BriefLink[];
  rejectReasons: { value: RejectionReason; label: string }[];
}

/** The state the handoff DM shows; the original message is updated in place whenever it changes. */
export type HandoffMessageState =
  | { kind: 'open' }
  | { kind: 'reached_out'; at: string }
  | { kind: 'accepted'; at: string; by: string }
  | { kind: 'rejected'; at: string; by: string; reasonLabel: string }
  | { kind: 'reassigned'; at: string; toName: string; reason: string };

export type NoticeKind =
  | 'reminder'
  | 'manager_escalation'
  | 'reassigned_away'
  | 'reassignment_manager_notice'
  | 'vp_review'
  | 'decision_overdue'
  | 'decision_review'
  | 'lead_rejected'
  | 'assignee_unreachable';

/** A short message about a lead: reminders, escalations, reassignments, reviews. */
export interface Notice {
  kind: NoticeKind;
  /** One line, e.g. "Reminder: Dana Ito (Globex) is waiting for first touch — SLA due 12:00". */
  title: string;
  /** A few plain sentences. */
  text: string;
  /** The lead's brief, for context and links. */
  brief: HandoffBrief;
}

const numberFormat = new Intl.NumberFormat('en-US');

/**
 * "Demo request", "Behavioral MQL", "Outbound lead": the kind of lead in a headline. Given the lead's events, a
 * demo-request-type lead that only started a trial reads "Free trial".
 */
export function leadTypeLabel(leadType: LeadType, lead?: Pick<LeadSnapshot, 'events'>): string {
  switch (leadType) {
    case 'demo_request': {
      const events = lead?.events ?? [];
      const trialOnly =
        events.some((e) => e.type === 'free_trial_start') && !events.some((e) => e.type === 'demo_request');
      return trialOnly ? 'Free trial' : 'Demo request';
    }
    case 'behavioral':
      return 'Behavioral MQL';
    case 'outbound':
      return 'Outbound lead';
  }
}

function headline(ctx: BriefContext): string {
  const { lead } = ctx;
  const title = lead.jobTitle?.trim();
  const company = lead.company?.name?.trim();
  const employees = lead.company?.employees;
  const size = company && typeof employees === 'number' ? ` (${numberFormat.format(employees)} employees)` : '';
  return (
    `${leadTypeLabel(ctx.leadType, lead)}: ${fullName(lead)}` +
    (title ? `, ${title}` : '') +
    (company ? ` at ${company}${size}` : '')
  );
}

/** The lead's marketing notes plus notes recorded as engagement events, trimmed, without duplicates. */
function marketingNotes(lead: LeadSnapshot): string[] {
  const fromEvents = lead.events.filter((e) => e.type === 'marketing_note').map((e) => e.title ?? '');
  return [...new Set([...lead.marketingNotes, ...fromEvents].map((n) => n.trim()).filter(Boolean))];
}

/** Assembles the brief from decisions the workflow has already made. Throws when `slaDueAt` is not a date-time. */
export function buildHandoffBrief(ctx: BriefContext): HandoffBrief {
  const { lead } = ctx;
  const due = new Date(ctx.slaDueAt);
  if (Number.isNaN(due.getTime())) {
    throw new RangeError(`slaDueAt ${JSON.stringify(ctx.slaDueAt)} is not an ISO-8601 date-time`);
  }
  return {
    workflowId: ctx.workflowId,
    contactId: lead.contactId,
    headline: headline(ctx),
    contact: {
      name: fullName(lead),
      jobTitle: lead.jobTitle,
      email: lead.email,
      phone: lead.phone,
      country: lead.country,
    },
    company: {
      name: lead.company?.name ?? null,
      domain: lead.company?.domain ?? null,
      employees: lead.company?.employees ?? null,
      industry: lead.company?.industry ?? null,
      country: lead.company?.country ?? null,
    },
    leadType: ctx.leadType,
    priority: ctx.priority,
    whyThisLead: ctx.whyThisLead,
    scores: { fit: lead.fitScore, engagement: lead.engagementScore },
    reasonForHandoff: ctx.reasonForHandoff,
    routedBecause: ctx.routedBecause,
    marketingNotes: marketingNotes(lead),
    slaDueAt: due.toISOString(),
    slaDueLocal: formatInZone(due, ctx.timeZone),
    rep: { id: ctx.rep.id, name: ctx.rep.name },
    links: ctx.links.map((l) => ({ label: l.label, url: l.url })),
    rejectReasons: ctx.rejectReasons.map((r) => ({ value: r.value, label: r.label })),
  };
}
