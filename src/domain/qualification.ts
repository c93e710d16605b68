/**
 * Is this contact an MQL the sales team should get? MQL = (fit ≥ threshold AND engagement ≥ threshold) OR a
 * high-intent action; plus the required fields, the ideal customer profile and the enabled lead types. Every
 * failure is reported, each naming the rule and the value, so marketing can see why a lead was held back.
 */
import {
  emailDomain,
  type EngagementEvent,
  type EngagementEventType,
  type LeadSnapshot,
  type LeadType,
  type Priority,
} from './lead';
import type { LeadField, MqlDefinition, OrgConfig } from './org-config';
import { joinWords } from './why-this-lead';
import { countryIn, domainMatches, findNamedAccount, normalizeDomain } from './routing';

const DAY_MS = 86_400_000;
const numberFormat = new Intl.NumberFormat('en-US');

export interface HighIntentSignal {
  kind: 'demo_request' | 'free_trial_start' | 'pricing_page_visits' | EngagementEventType;
  /** ISO-8601: when it happened (the latest occurrence). */
  at: string;
  /** Plain words: "Requested a demo", "Visited the pricing page 3 times in the last 7 days". */
  description: string;
}

export interface Qualification {
  qualified: boolean;
  /** Every rule the lead fails, naming the rule and the value; empty when qualified. */
  reasons: string[];
  /** What made it an MQL; `high_intent` wins when both hold. Null when neither. */
  matchedBy: 'scores' | 'high_intent' | null;
  highIntent: HighIntentSignal[];
  leadType: LeadType;
  priority: Priority;
  reasonForHandoff: string;
  /** The email or company domain belongs to a named account (ABM). */
  namedAccount: boolean;
}

const EVENT_PHRASES: Record<EngagementEventType, string> = {
  demo_request: 'Requested a demo',
  free_trial_start: 'Started a free trial',
  form_submission: 'Submitted a form',
  content_download: 'Downloaded content',
  webinar_attended: 'Attended a webinar',
  page_view: 'Viewed a page',
  email_click: 'Clicked an email',
  email_open: 'Opened an email',
  marketing_note: 'Marketing left a note',
};

/** Most telling first: a demo request outranks a trial, which outranks other configured events and pricing views. */
const SIGNAL_RANK: Partial<Record<HighIntentSignal['kind'], number>> = {
  demo_request: 0,
  free_trial_start: 1,
  pricing_page_visits: 3,
};

/** Epoch ms of the event; an unreadable timestamp sorts before every real one. */
function eventTime(event: EngagementEvent): number {
  const t = Date.parse(event.occurredAt);
  return Number.isNaN(t) ? -Infinity : t;
}

function latest(events: EngagementEvent[]): EngagementEvent {
  return events.reduce((a, b) => (eventTime(b) > eventTime(a) ? b : a));
}

/**
 * High-intent actions: each configured event type the lead has (once per type, its latest occurrence), and
 * `minVisits` or more pricing-page views (URL contains `pricingPage.urlContains`, case-insensitive) within the
 * `withinDays` days before `now`.
 */
export function detectHighIntent(lead: LeadSnapshot, mql: MqlDefinition, now: Date): HighIntentSignal[] {
  const signals: HighIntentSignal[] = [];
  for (const type of new Set(mql.highIntent.events)) {
    const matching = lead.events.filter((e) => e.type === type);
    if (matching.length === 0) continue;
    const last = latest(matching);
    const title = last.title?.trim();
    const described = title && type !== 'demo_request' && type !== 'free_trial_start' ? ` "${title}"` : '';
    signals.push({ kind: type, at: last.occurredAt, description: `${EVENT_PHRASES[type]}${described}` });
  }

  const { urlContains, minVisits, withinDays } = mql.highIntent.pricingPage;
  const since = now.getTime() - withinDays * DAY_MS;
  const visits = lead.events.filter((e) => {
    const t = eventTime(e);
    return (
      e.type === 'page_view' &&
      (e.url ?? '').toLowerCase().includes(urlContains.toLowerCase()) &&
      t > since &&
      t <= now.getTime()
    );
  });
  if (visits.length >= minVisits) {
    signals.push({
      kind: 'pricing_page_visits',
      at: latest(visits).occurredAt,
      description: `Visited the pricing page ${visits.length} times in the last ${withinDays} days`,
    });
  }
  return signals
    .map((s, order) => ({ s, order, rank: SIGNAL_RANK[s.kind] ?? 2 }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map(({ s }) => s);
}

/** Outbound-sourced beats everything; a demo request or trial start makes it a demo request; else behavioral. */
export function classifyLeadType(lead: LeadSnapshot, highIntent: HighIntentSignal[]): LeadType {
  if (lead.sourcedBy === 'outbound') return 'outbound';
  if (highIntent.some((s) => s.kind === 'demo_request' || s.kind === 'free_trial_start')) return 'demo_request';
  return 'behavioral';
}

function present(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.trim().length > 0;
}

function fieldValue(lead: LeadSnapshot, field: LeadField): string | null {
  switch (field) {
    case 'email':
      return lead.email;
    case 'company':
      return lead.company?.name ?? null;
    case 'country':
      return present(lead.country) ? lead.country : (lead.company?.country ?? null);
    default:
      return lead[field];
  }
}

function scoreReasons(lead: LeadSnapshot, mql: MqlDefinition): string[] {
  const check = (label: string, score: number | null, threshold: number): string | null => {
    if (score === null || !Number.isFinite(score))
      return `${label} score is missing and there is no high-intent action`;
    return score < threshold
      ? `${label} score ${score} is below ${threshold} and there is no high-intent action`
      : null;
  };
  return [
    check('fit', lead.fitScore, mql.fitThreshold),
    check('engagement', lead.engagementScore, mql.engagementThreshold),
  ].filter((r): r is string => r !== null);
}

function sameText(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Ideal-customer-profile failures. A value the lead does not have is not judged here (required fields are). */
function icpReasons(lead: LeadSnapshot, config: OrgConfig): string[] {
  const { icp } = config;
  const reasons: string[] = [];
  const country = present(lead.company?.country) ? lead.company!.country! : lead.country;
  if (icp.countries.length > 0 && present(country) && !countryIn(country!, icp.countries)) {
    reasons.push(`country ${country!.trim()} is outside the ICP countries (${icp.countries.join(', ')})`);
  }

  const employees = lead.company?.employees;
  if (typeof employees === 'number' && Number.isFinite(employees)) {
    if (icp.minEmployees !== undefined && employees < icp.minEmployees) {
      reasons.push(
        `company size ${numberFormat.format(employees)} is below the ICP minimum of ${numberFormat.format(icp.minEmployees)}`,
      );
    }
    if (icp.maxEmployees !== undefined && employees > icp.maxEmployees) {
      reasons.push(
        `company size ${numberFormat.format(employees)} is above the ICP maximum of ${numberFormat.format(icp.maxEmployees)}`,
      );
    }
  }

  const industry = lead.company?.industry?.trim();
  if (industry) {
    if (icp.industries.length > 0 && !icp.industries.some((i) => sameText(i, industry))) {
      reasons.push(`industry ${industry} is not one of the ICP industries (${icp.industries.join(', ')})`);
    }
    if (icp.excludedIndustries.some((i) => sameText(i, industry))) {
      reasons.push(`industry ${industry} is excluded by the ICP`);
    }
  }

  const title = lead.jobTitle?.trim();
  if (title) {
    for (const word of icp.titleDisqualifiers) {
      if (new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(word.trim())}($|[^\\p{L}\\p{N}])`, 'iu').test(title)) {
        reasons.push(`job title "${title}" contains the disqualifying word "${word.trim()}"`);
      }
    }
  }

  const mailDomain = emailDomain(lead.email);
  if (mailDomain && icp.freeMailDomains.some((d) => normalizeDomain(d) === mailDomain)) {
    reasons.push(`email domain ${mailDomain} is a free-mail domain`);
  }
  const companyDomain = normalizeDomain(lead.company?.domain);
  for (const [label, domain] of [
    ['email domain', mailDomain],
    ['company domain', companyDomain],
  ] as const) {
    if (domain && icp.competitorDomains.some((c) => domainMatches(domain, c))) {
      reasons.push(`${label} ${domain} belongs to a competitor`);
    }
  }
  return reasons;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function handoffReason(
  lead: LeadSnapshot,
  mql: MqlDefinition,
  highIntent: HighIntentSignal[],
  scoresMet: boolean,
): string {
  const scores = (also: string): string =>
    `fit ${lead.fitScore} and engagement ${lead.engagementScore} ${also}cross the ` +
    `${mql.fitThreshold}/${mql.engagementThreshold} MQL threshold`;
  if (highIntent.length === 0) return scoresMet ? upperFirst(scores('')) : 'Does not meet the MQL definition';
  const actions = joinWords(highIntent.map((s, i) => (i === 0 ? s.description : lowerFirst(s.description))));
  const intent = `${actions} (high-intent action${highIntent.length > 1 ? 's' : ''})`;
  return scoresMet ? `${intent}; ${scores('also ')}` : intent;
}

/** Applies the MQL definition, required fields, ICP and enabled lead types to the lead as of `now`. */
export function qualifyLead(lead: LeadSnapshot, config: OrgConfig, now: Date): Qualification {
  const { mql } = config;
  const highIntent = detectHighIntent(lead, mql, now);
  const scoreFailures = scoreReasons(lead, mql);
  const scoresMet = scoreFailures.length === 0;
  const leadType = classifyLeadType(lead, highIntent);
  const namedAccount = findNamedAccount(lead, config) !== null;

  const reasons = [
    ...(highIntent.length === 0 ? scoreFailures : []),
    ...mql.requiredFields
      .filter((field) => !present(fieldValue(lead, field)))
      .map((field) => `required field "${field}" is missing`),
    ...icpReasons(lead, config),
  ];
  if (!config.leadTypes.enabled.includes(leadType)) {
    reasons.push(`lead type ${leadType} is not enabled (enabled: ${config.leadTypes.enabled.join(', ') || 'none'})`);
  }

  const high = config.priority.highWhen.some(
    (when) =>
      (when === 'high_intent' && highIntent.length > 0) ||
      (when === 'named_account' && namedAccount) ||
      (when === 'demo_request' && leadType === 'demo_request'),
  );
  return {
    qualified: reasons.length === 0,
    reasons,
    matchedBy: highIntent.length > 0 ? 'high_intent' : scoresMet ? 'scores' : null,
    highIntent,
    leadType,
    priority: high ? 'high' : 'normal',
    reasonForHandoff: handoffReason(lead, mql, highIntent, scoresMet),
    namedAccount,
  };
}
