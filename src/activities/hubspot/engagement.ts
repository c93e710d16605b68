/**
 * HubSpot activity → the handoff's EngagementEvent. Two sources:
 *  - the web-analytics events API (`GET /events/v3/events`, Enterprise tiers): page views (`e_visited_page`),
 *    form submissions (`e_submitted_form`), marketing events attended (`e_attended_marketing_event`);
 *  - contact properties every tier has: the most recent conversion (`recent_conversion_event_name/_date`) and the
 *    last marketing-email open/click (`hs_email_last_open_date`, `hs_email_last_click_date`), which the events API
 *    does not expose.
 * A form submission is a demo request, a free-trial start or a content download when its form title or page URL
 * says so (see FORM_INTENTS); otherwise it stays a form submission.
 */
import type { EngagementEvent, EngagementEventType } from '../../domain/lead';

/** Contact properties the engagement mapping reads. */
export const ENGAGEMENT_CONTACT_PROPERTIES = [
  'recent_conversion_event_name',
  'recent_conversion_date',
  'hs_email_last_open_date',
  'hs_email_last_click_date',
  'hs_email_last_send_date',
  'hs_email_last_email_name',
] as const;

/** First match wins; tested against "<form title> <page url>", lower-cased. */
const FORM_INTENTS: [RegExp, EngagementEventType][] = [
  [/\bdemo\b/, 'demo_request'],
  [/\b(free[\s-]?)?trial\b/, 'free_trial_start'],
  [
    /download|datasheet|data-sheet|e-?book|white-?paper|\bguide\b|\breport\b|case[\s-]study|cheat[\s-]sheet/,
    'content_download',
  ],
];

export function classifyFormSubmission(title: string | undefined, url: string | undefined): EngagementEventType {
  const text = `${title ?? ''} ${url ?? ''}`.toLowerCase();
  return FORM_INTENTS.find(([pattern]) => pattern.test(text))?.[1] ?? 'form_submission';
}

export interface WebAnalyticsEvent {
  eventType: string;
  occurredAt: Date | string;
  properties?: Record<string, string>;
}

export function engagementFromWebEvent(e: WebAnalyticsEvent): EngagementEvent | null {
  const occurredAt = iso(e.occurredAt);
  if (!occurredAt) return null;
  const p = e.properties ?? {};
  switch (e.eventType) {
    case 'e_visited_page':
      return withOptional({ type: 'page_view', occurredAt }, p.hs_title ?? p.hs_page_title, p.hs_url);
    case 'e_submitted_form': {
      const title = p.hs_form_title ?? p.hs_title;
      return withOptional({ type: classifyFormSubmission(title, p.hs_url), occurredAt }, title, p.hs_url);
    }
    case 'e_attended_marketing_event':
      return withOptional(
        { type: 'webinar_attended', occurredAt },
        p.hs_marketing_event_name ?? p.hs_marketing_event ?? p.hs_title,
        undefined,
      );
    default:
      return null;
  }
}

/** Events the contact record itself carries (all tiers). */
export function engagementFromContactProperties(p: Record<string, string | null | undefined>): EngagementEvent[] {
  const events: EngagementEvent[] = [];
  const conversionAt = iso(p.recent_conversion_date);
  const conversion = p.recent_conversion_event_name ?? undefined;
  if (conversionAt && conversion) {
    events.push({ type: classifyFormSubmission(conversion, undefined), occurredAt: conversionAt, title: conversion });
  }
  const sentAt = iso(p.hs_email_last_send_date);
  const emailName = p.hs_email_last_email_name ?? undefined;
  for (const [type, property] of [
    ['email_open', 'hs_email_last_open_date'],
    ['email_click', 'hs_email_last_click_date'],
  ] as const) {
    const at = iso(p[property]);
    if (!at) continue;
    // The name is the last email *sent*; it is the one opened/clicked only if it went out before the open/click.
    const named = emailName && (!sentAt || sentAt <= at) ? emailName : undefined;
    events.push(withOptional({ type, occurredAt: at }, named, undefined));
  }
  return events;
}

/** Newest first, with the same action reported by both sources (same type and title within 2 minutes) kept once. */
export function mergeEngagement(events: EngagementEvent[]): EngagementEvent[] {
  const sorted = [...events].sort(
    (a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || (b.url ? 1 : 0) - (a.url ? 1 : 0),
  );
  const kept: EngagementEvent[] = [];
  for (const e of sorted) {
    const duplicate = kept.some(
      (k) =>
        k.type === e.type &&
        (k.title ?? '') === (e.title ?? '') &&
        Math.abs(Date.parse(k.occurredAt) - Date.parse(e.occurredAt)) <= 120_000 &&
        (k.url === e.url || !k.url || !e.url),
    );
    if (!duplicate) kept.push(e);
  }
  return kept;
}

/** A note body (HubSpot stores rich-text HTML) as plain text. */
export function noteText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}

function withOptional(e: EngagementEvent, title: string | undefined, url: string | undefined): EngagementEvent {
  const out: EngagementEvent = { ...e };
  if (title) out.title = title;
  if (url) out.url = url;
  return out;
}

function iso(v: Date | string | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  const ms = v instanceof Date ? v.getTime() : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
