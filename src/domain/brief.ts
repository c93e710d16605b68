/**
 * The handoff brief: everything a rep needs to act on an MQL, built once from the lead snapshot, the
 * qualification and the routing decision, then rendered per channel (Slack Block Kit, email HTML/text,
 * push) by the adapters in src/activities. Plain data; no channel formatting here.
 */
import type { LeadSnapshot, LeadType, Priority } from './lead';
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

export type NoticeKind =
  | 'reminder'
  | 'manager_escalation'
  | 'reassigned_away'
  | 'reassignment_manager_notice'
  | 'vp_review'
  | 'decision_overdue'
  | 'decision_review'
  | 'lead_rejected';

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
