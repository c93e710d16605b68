/**
 * The ports: the small interfaces every side effect goes through. Activities (src/activities/handoff-activities.ts)
 * call these; adapters implement them with the official clients (HubSpot, jsforce, Slack, nodemailer), and
 * tests may implement them in memory.
 *
 * Contract for every method that creates something: it takes an idempotency `key` (derived by the caller from
 * the workflow id, the handoff cycle and the step) and, called again with the same key — because Temporal
 * retried the activity, or the worker died after the request but before recording the result — it returns the
 * object created the first time instead of creating a second one.
 *
 * Errors: adapters throw `ServiceError` (src/activities/service-error.ts) so activities can decide retryable vs
 * not; anything else is treated as retryable.
 */
import type { Recipient } from '../domain/assignee';
import type { HandoffBrief, HandoffMessageState, Notice } from '../domain/brief';
import type { LeadSnapshot, LeadStatus, LifecycleStage } from '../domain/lead';
import type { ChatMessageRef, ExternalRef, OpenDeal } from '../workflows/activity-contracts';
export type { Recipient } from '../domain/assignee';
export type { HandoffMessageState, Notice, NoticeKind } from '../domain/brief';
export type { ChatMessageRef, ExternalRef, OpenDeal } from '../workflows/activity-contracts';

// ---------------------------------------------------------------------------------------------------------------
// Marketing CRM: HubSpot, always. System of record for lifecycle stage, scores and engagement.
// ---------------------------------------------------------------------------------------------------------------

export interface ContactUpdate {
  /** HubSpot owner id; `null` removes the owner. */
  hubspotOwnerId?: string | null;
  /**
   * Lifecycle stage. Forward-only: the adapter leaves the stage alone when `to` is not ahead of the current one,
   * unless `allowBackward` (a sales rejection sends an MQL back to Lead).
   */
  lifecycle?: { to: LifecycleStage; allowBackward?: boolean };
  leadStatus?: LeadStatus;
  /** The product's own contact properties (created by `npm run setup:hubspot`). */
  mqlDate?: string;
  sqlDate?: string;
  /** Picklist value, or null to clear it on a fresh handoff. */
  salesRejectedReason?: string | null;
  handoffWorkflowId?: string;
  /** Why the contact did not qualify, "; "-joined. */
  disqualificationReasons?: string | null;
}

export interface MarketingCrm {
  /** Contact with its associated company, recent engagement and marketing notes; null when the contact does not exist. */
  getLead(contactId: string): Promise<LeadSnapshot | null>;
  updateContact(contactId: string, update: ContactUpdate): Promise<void>;
  /** Adds the contact to a static list (re-nurture track). Adding an existing member is a no-op. */
  enrollInList(contactId: string, listId: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Sales CRM: HubSpot or Salesforce (chosen by `salesCrm` in the org config). Owner, deal/opportunity, task.
// ---------------------------------------------------------------------------------------------------------------

export interface SalesCrm {
  readonly system: 'hubspot' | 'salesforce';
  /** An open deal/opportunity on the lead's company/account, for dedupe; null when there is none. */
  findOpenDeal(lead: LeadSnapshot): Promise<OpenDeal | null>;
  /**
   * Makes `ownerId` the owner of the lead's sales-side record (HubSpot: the contact's owner; Salesforce: upsert of
   * the Lead/Contact by the external id holding the HubSpot contact id, with OwnerId) and returns that record.
   */
  assignOwner(input: { lead: LeadSnapshot; ownerId: string; handoffWorkflowId: string }): Promise<ExternalRef>;
  /** Removes the owner from the sales-side record (on rejection). */
  removeOwner(input: { lead: LeadSnapshot }): Promise<void>;
  /** Deal (HubSpot, configured pipeline, MQL stage) / Opportunity (Salesforce), associated with contact and company. */
  createDeal(input: { lead: LeadSnapshot; ownerId: string; name: string; key: string }): Promise<ExternalRef>;
  /** Follow-up task for the rep, due at the SLA deadline (ISO-8601), associated with the lead's record. */
  createTask(input: {
    lead: LeadSnapshot;
    ownerId: string;
    subject: string;
    body: string;
    dueAt: string;
    key: string;
  }): Promise<ExternalRef>;
  /** Closes a task: done (first touch), or no longer this rep's (reassigned / lead closed). Closing twice is a no-op. */
  closeTask(input: { taskId: string; outcome: 'completed' | 'reassigned' | 'cancelled' }): Promise<void>;

  // The outcome, on the sales-side record. HubSpot: the contact is the sales record and MarketingCrm.updateContact
  // already writes it, so these do nothing. Salesforce: the Lead/Contact the handoff upserted; a record that is not
  // there (never handed over, deleted, or a converted Lead) is left alone. Each is an update, safe to repeat.

  /** The rep touched the lead: Salesforce Lead.Status "working". */
  markFirstTouch(input: { lead: LeadSnapshot; at: string }): Promise<void>;
  /**
   * Sales accepted: Salesforce Lead.Status + SQL date, or the Lead converted where configured. `dealId`: the
   * handoff's own deal, linked to the account the conversion lands on when it has none.
   */
  markAccepted(input: { lead: LeadSnapshot; at: string; dealId?: string | null }): Promise<void>;
  /** Sales rejected: Salesforce rejection-reason field, Lead.Status, and the owner handed to the nurture queue. */
  markRejected(input: { lead: LeadSnapshot; reason: string; reasonLabel: string }): Promise<void>;

  // The deal/opportunity the handoff created (never someone's pre-existing deal: the caller guarantees it). A deal
  // that no longer exists is left alone; so is a closed one, except for its owner.

  /** Moves the deal to `ownerId` (HubSpot owner id / Salesforce user id). Already theirs: nothing is sent. */
  reassignDeal(input: { dealId: string; ownerId: string }): Promise<void>;
  /**
   * Moves the deal to the configured accepted stage, only from the stage the handoff created it at (sales may have
   * moved it on, or closed it). No accepted stage configured: nothing is sent.
   */
  moveDealToAcceptedStage(input: { dealId: string }): Promise<void>;
  /** Closes an open deal lost with the reason (id for picklists, label for free text). Already closed: no-op. */
  closeDealLost(input: { dealId: string; reason: string; reasonLabel: string }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Notifications.
// ---------------------------------------------------------------------------------------------------------------

export interface ChatPort {
  /** DMs the brief with Accept / Reject (picklist) / "I've reached out" buttons. Idempotent by key. */
  sendHandoffBrief(input: { to: Recipient; brief: HandoffBrief; key: string }): Promise<ChatMessageRef>;
  /** DM to a person, or a post to a channel (e.g. the VP/ops review channel). Idempotent by key. */
  sendNotice(input: { to: Recipient | { channel: string }; notice: Notice; key: string }): Promise<ChatMessageRef>;
  /**
   * Rewrites the original DM so it always shows the truth (accepted, reassigned…) and returns where it is now. When
   * the message or its conversation is gone (deleted, or a sandbox that forgot it), the DM with `to` is opened again
   * and the message posted again in its new state, once: a re-run with the same `ref` finds that post and updates
   * it. Without `to`, the message is posted again in `ref.channel` if that still exists.
   */
  updateHandoffMessage(input: {
    ref: ChatMessageRef;
    brief: HandoffBrief;
    state: HandoffMessageState;
    to?: Recipient;
  }): Promise<ChatMessageRef>;
}

export interface EmailPort {
  /** The brief as HTML + plain text: the backup channel. Same key → same Message-ID, not sent twice by us. */
  sendHandoffBrief(input: { to: Recipient; brief: HandoffBrief; key: string }): Promise<ExternalRef>;
  sendNotice(input: { to: Recipient; notice: Notice; key: string }): Promise<ExternalRef>;
}

export interface PushPort {
  /** Mobile push (Salesforce custom notification) to a rep's Salesforce user id. */
  notifyRep(input: {
    salesforceUserId: string;
    title: string;
    body: string;
    /** Record the notification opens (Lead/Contact id), when there is one. */
    targetId?: string;
    key: string;
  }): Promise<ExternalRef>;
}

// ---------------------------------------------------------------------------------------------------------------
// Reports: the weekly handoff-health digest (src/activities/weekly-digest.ts).
// ---------------------------------------------------------------------------------------------------------------

/** A rendered chat message: fallback text plus Block Kit. */
export interface ChatContent {
  text: string;
  blocks: unknown[];
}

export interface ReportChatPort {
  /** A message to a channel, or to a person's DM. Idempotent by key; `about` names it in errors (no PII). */
  postReport(input: {
    to: Recipient | { channel: string };
    content: ChatContent;
    key: string;
    about: string;
  }): Promise<ChatMessageRef>;
  /**
   * A file shared in a channel (Slack: files.uploadV2), with an optional comment, or in a thread. Idempotent by
   * key: a file this key already shared there is returned instead of uploading it again.
   */
  shareFile(input: {
    channel: string;
    file: { bytes: Buffer; filename: string; title: string; altText?: string };
    comment?: string;
    threadTs?: string;
    key: string;
    about: string;
  }): Promise<{ fileId: string; channel: string }>;
}

export interface ReportAttachment {
  filename: string;
  contentType: string;
  /** For an inline image the HTML refers to as `cid:…`. */
  cid?: string;
  content: Buffer;
}

export interface ReportEmailPort {
  /** HTML + text to one or more addresses, with attachments. Same key → same Message-ID, not sent twice by us. */
  sendReport(input: {
    to: { name?: string; email: string }[];
    subject: string;
    html: string;
    text: string;
    attachments?: ReportAttachment[];
    key: string;
    about: string;
  }): Promise<ExternalRef>;
}

/** One adapter per port: what the worker registers the activities with (built by src/main/wiring.ts). */
export interface Ports {
  marketing: MarketingCrm;
  sales: SalesCrm;
  chat: ChatPort;
  email: EmailPort;
  push?: PushPort;
  /** The weekly digest's channels; without them the worker registers no digest activities. */
  reports?: { chat: ReportChatPort; email: ReportEmailPort };
}
