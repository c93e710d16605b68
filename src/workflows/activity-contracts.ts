/**
 * What the handoff workflow asks of the outside world: the activities' names, inputs and results. The workflow
 * schedules them by these signatures; `createHandoffActivities` (src/activities) implements them over the ports.
 * Like definitions.ts this is a contract: it holds types only, and depends on nothing but the domain and the
 * roster's definitions.
 */
import type { Assignee, Recipient } from '../domain/assignee';
import type { BriefContext, HandoffBrief, HandoffMessageState, Notice } from '../domain/brief';
import type { HealthReport } from '../domain/handoff-health';
import type { LeadSnapshot, LeadStatus } from '../domain/lead';
import type { HealthPolicy, OrgConfig } from '../domain/org-config';
import type { ClaimRepInput, ClaimRepResult } from './definitions';

/** A record in an external system, with a link a human can click. */
export interface ExternalRef {
  system: 'hubspot' | 'salesforce' | 'slack' | 'email' | 'push';
  /** Object type in that system: contact, deal, task, Lead, Opportunity, Task, message… */
  objectType: string;
  id: string;
  url?: string;
}

/** Where a chat message lives, so it can be updated later. */
export interface ChatMessageRef {
  channel: string;
  ts: string;
}

export interface OpenDeal {
  id: string;
  name: string;
  /** Owner id in the sales CRM (HubSpot owner id or Salesforce user id), if any. */
  ownerId: string | null;
  url?: string;
}

export interface NotifyResult {
  chat: ChatMessageRef | null;
  emailed: boolean;
  pushed: boolean;
  /** What failed, for the timeline (no PII). */
  failures: string[];
}

export interface NoticeResult {
  chat: ChatMessageRef | null;
  emailed: boolean;
  failures: string[];
}

/** The configuration, recorded in history so every decision replays identically. */
export interface PolicyActivities {
  loadHandoffPolicy(): Promise<OrgConfig>;
}

/** Marketing CRM (HubSpot) and sales CRM (HubSpot or Salesforce). */
export interface CrmActivities {
  loadLead(input: { contactId: string }): Promise<LeadSnapshot | null>;
  recordDisqualification(input: { contactId: string; reasons: string[]; workflowId: string }): Promise<void>;
  findOpenDeal(input: { lead: LeadSnapshot }): Promise<OpenDeal | null>;
  /**
   * Owner, lifecycle MQL (forward only) + MQL date, lead status New, the handoff's id on the contact. `dealId`: the
   * deal/opportunity this handoff created, whose owner moves with the lead (never a pre-existing open deal).
   */
  assignInCrm(input: {
    lead: LeadSnapshot;
    assignee: Assignee;
    workflowId: string;
    mqlAt: string;
    dealId?: string | null;
  }): Promise<ExternalRef>;
  createDeal(input: { lead: LeadSnapshot; assignee: Assignee; name: string; key: string }): Promise<ExternalRef>;
  createFollowUpTask(input: {
    lead: LeadSnapshot;
    assignee: Assignee;
    subject: string;
    body: string;
    dueAt: string;
    key: string;
  }): Promise<ExternalRef>;
  closeFollowUpTask(input: { taskId: string; outcome: 'completed' | 'reassigned' | 'cancelled' }): Promise<void>;
  /** The rep touched the lead: lead status "in progress" on the contact and on the sales-side record. */
  recordFirstTouch(input: { lead: LeadSnapshot; at: string; workflowId: string }): Promise<void>;
  /**
   * Sales accepted: lifecycle SQL + SQL date on the contact; on the sales side the record marked qualified (or the
   * Salesforce Lead converted, where configured); the handoff's deal moved to the accepted stage, if configured.
   */
  markAccepted(input: { lead: LeadSnapshot; at: string; workflowId: string; dealId?: string | null }): Promise<void>;
  /**
   * Sales rejected: reason on the contact, lifecycle back to Lead, owner removed (Salesforce: to the nurture queue),
   * enrolled in the re-nurture track; the handoff's deal closed lost with the reason.
   */
  markRejected(input: {
    lead: LeadSnapshot;
    reason: string;
    reasonLabel: string;
    leadStatus: LeadStatus;
    nurtureListId: string;
    workflowId: string;
    dealId?: string | null;
  }): Promise<void>;
}

/** The team roster: round-robin claims and releases. */
export interface RosterActivities {
  claimRep(input: ClaimRepInput & { teamId: string }): Promise<ClaimRepResult>;
  releaseRep(input: { teamId: string; repId: string; leadId: string }): Promise<void>;
}

/** The brief, the DM and its backups, the notices. */
export interface NotificationActivities {
  /** The brief, with the "why this lead" sentence from the summariser. */
  prepareBrief(input: Omit<BriefContext, 'whyThisLead'> & { now: string }): Promise<HandoffBrief>;
  /** The brief as a Slack DM with the Accept / Reject / "I've reached out" buttons. Idempotent by key. */
  sendBriefDm(input: { assignee: Assignee; brief: HandoffBrief; key: string }): Promise<ChatMessageRef>;
  /** The brief by email: the backup channel. Idempotent by key. */
  sendBriefEmail(input: { assignee: Assignee; brief: HandoffBrief; key: string }): Promise<void>;
  /** Mobile push (Salesforce custom notification) for a high-priority lead; false when the rep has no user id or no push is configured. */
  pushBrief(input: { assignee: Assignee; brief: HandoffBrief; key: string; targetId?: string }): Promise<boolean>;
  /**
   * All channels in one call, for handoffs that scheduled it before the channels became activities of their own
   * (kept so those complete). Throws only when no channel reached the person.
   */
  notifyAssignee(input: {
    assignee: Assignee;
    brief: HandoffBrief;
    key: string;
    emailBackup: boolean;
    push: { targetId?: string } | null;
  }): Promise<NotifyResult>;
  /** A reminder, escalation or review notice: Slack, plus email when the person prefers it. */
  sendNotice(input: {
    to: Recipient | { channel: string };
    notice: Notice;
    key: string;
    alsoEmail: boolean;
  }): Promise<NoticeResult>;
  /**
   * The DM rewritten for the new state; answers where it is now: `ref`, or the message posted again (once) because
   * Slack no longer had it. `to`: whose DM it is, to open it again. Histories recorded before this answer nothing
   * (undefined): the ref is unchanged.
   */
  updateHandoffMessage(input: {
    ref: ChatMessageRef;
    brief: HandoffBrief;
    state: HandoffMessageState;
    to?: Recipient;
  }): Promise<ChatMessageRef>;
}

export type HandoffActivities = PolicyActivities & CrmActivities & RosterActivities & NotificationActivities;

// ---------------------------------------------------------------------------------------------------------------
// The weekly handoff-health digest (src/workflows/weekly-digest.ts, implemented by createDigestActivities).
// ---------------------------------------------------------------------------------------------------------------

/** Where the digest was posted in Slack. */
export interface DigestSlackPost {
  channel: string;
  ts: string;
}

/** The chart shared after the digest message. */
export interface DigestChartUpload {
  channel: string;
  fileId: string;
  bytes: number;
}

export interface DigestEmailResult {
  messageId: string;
  recipients: number;
}

/** What the weekly digest asks of the outside world. Every create is idempotent by its key. */
export interface DigestActivities {
  /** The health policy (targets, the digest's zone and destinations), recorded in history. */
  loadHealthPolicy(): Promise<HealthPolicy>;
  /** The week's report from the handoff records in Temporal visibility, as of `now` (ISO-8601). */
  buildHealthReport(input: { week: string; now: string }): Promise<HealthReport>;
  /** The digest as Block Kit to the digest channel (the reviewer's when none is configured). */
  postDigestToSlack(input: { report: HealthReport; key: string }): Promise<DigestSlackPost>;
  /** The chart (PNG) shared in the channel the digest went to, just after it (files.uploadV2). */
  uploadDigestChart(input: { report: HealthReport; channel: string; key: string }): Promise<DigestChartUpload>;
  /** The same digest as an HTML email (the chart inline) to `health.digest.emailTo`, or the reviewer. */
  emailDigest(input: { report: HealthReport; key: string }): Promise<DigestEmailResult>;
}
