/**
 * The lead as the handoff sees it: a snapshot read from the marketing CRM (HubSpot) when the handoff
 * starts (and again when a re-nurtured lead is re-evaluated). Plain data, JSON-serialisable, because it
 * travels through Temporal history.
 */

/** HubSpot lifecycle stages, in their forward order. */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** HubSpot `hs_lead_status` values used by the handoff. */
export type LeadStatus =
  | 'NEW'
  | 'OPEN'
  | 'IN_PROGRESS'
  | 'ATTEMPTED_TO_CONTACT'
  | 'CONNECTED'
  | 'BAD_TIMING'
  | 'UNQUALIFIED';

export const ENGAGEMENT_EVENT_TYPES = [
  'page_view',
  'form_submission',
  'email_open',
  'email_click',
  'content_download',
  'webinar_attended',
  'demo_request',
  'free_trial_start',
  'marketing_note',
] as const;
export type EngagementEventType = (typeof ENGAGEMENT_EVENT_TYPES)[number];

export interface EngagementEvent {
  type: EngagementEventType;
  /** ISO-8601 timestamp. */
  occurredAt: string;
  /** Page title, form name, asset name, email subject or note text. */
  title?: string;
  /** Page URL for page views; form or asset URL otherwise. */
  url?: string;
}

export interface CompanySnapshot {
  /** CRM id of the company/account, when the CRM has one. */
  id: string | null;
  name: string | null;
  domain: string | null;
  employees: number | null;
  industry: string | null;
  country: string | null;
}

/** Where the lead came from, which decides its SLA ladder. */
export const LEAD_TYPES = ['demo_request', 'behavioral', 'outbound'] as const;
export type LeadType = (typeof LEAD_TYPES)[number];

export type Priority = 'high' | 'normal';

export interface LeadSnapshot {
  /** HubSpot contact id. */
  contactId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  jobTitle: string | null;
  phone: string | null;
  country: string | null;
  /** Free-form region/state, used by territory rules. */
  region: string | null;
  lifecycleStage: LifecycleStage | null;
  leadStatus: LeadStatus | null;
  /** HubSpot owner id currently on the contact, if any. */
  hubspotOwnerId: string | null;
  fitScore: number | null;
  engagementScore: number | null;
  /** `outbound` when sales sourced the contact (e.g. HubSpot `hs_analytics_source` = OFFLINE + lead source outbound). */
  sourcedBy: 'inbound' | 'outbound';
  company: CompanySnapshot | null;
  /** Recent engagement, newest first or in any order: rules sort when order matters. */
  events: EngagementEvent[];
  /** HubSpot's original source (`hs_analytics_source`, e.g. ORGANIC_SEARCH, PAID_SEARCH, OFFLINE), when known. */
  source?: string | null;
  /** Free-text notes left by marketing. */
  marketingNotes: string[];
  /** Link to the contact in HubSpot. */
  hubspotUrl: string | null;
}

export function fullName(lead: Pick<LeadSnapshot, 'firstName' | 'lastName' | 'email'>): string {
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ').trim();
  return name || lead.email || 'Unknown contact';
}

/** Lower-cased domain of the lead's email, or null. */
export function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  return at > 0
    ? email
        .slice(at + 1)
        .trim()
        .toLowerCase()
    : null;
}

/** True when moving from `from` to `to` is forward (or `from` is unknown). Lifecycle never moves backwards on its own. */
export function isLifecycleForward(from: LifecycleStage | null, to: LifecycleStage): boolean {
  if (from === null) return true;
  return LIFECYCLE_STAGES.indexOf(to) > LIFECYCLE_STAGES.indexOf(from);
}
