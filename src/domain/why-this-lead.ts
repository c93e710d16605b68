/**
 * "Why this lead", in plain words, from the lead's recent engagement: "Requested a demo today, visited the pricing
 * page 3 times this week and downloaded the Enterprise datasheet." Deterministic: same events and `now` → same
 * sentence. Marketing notes are left out; the brief shows them on their own.
 */
import { calendarDaysBetween } from './business-hours';
import type { EngagementEvent, EngagementEventType } from './lead';

interface DatedEvent extends EngagementEvent {
  daysAgo: number;
  time: number;
}

const NO_ENGAGEMENT = 'No recent engagement recorded.';

/** "a", "a and b", "a, b and c". */
export function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

function dayWords(daysAgo: number): string {
  if (daysAgo <= 0) return 'today';
  return daysAgo === 1 ? 'yesterday' : `${daysAgo} days ago`;
}

/** When a group of events happened: one day ("yesterday") or a span ("this week", "in the last 20 days"). */
function span(events: DatedEvent[]): string {
  const days = events.map((e) => Math.max(0, e.daysAgo));
  const newest = Math.min(...days);
  const oldest = Math.max(...days);
  if (newest === oldest) return dayWords(oldest);
  if (oldest <= 6) return 'this week';
  if (oldest <= 13) return 'in the last two weeks';
  return `in the last ${oldest + 1} days`;
}

/** When the most recent event of the group happened: "today", "2 days ago". */
function lastTime(events: DatedEvent[]): string {
  return dayWords(Math.min(...events.map((e) => e.daysAgo)));
}

function newestFirst(events: DatedEvent[]): DatedEvent[] {
  return [...events].sort((a, b) => b.time - a.time);
}

/** Distinct titles, most recent first, as noun phrases; at most two named, the rest counted. */
function titledList(events: DatedEvent[], name: (title: string) => string, untitled: (n: number) => string): string {
  const titles = [...new Set(newestFirst(events).map((e) => e.title?.trim() ?? ''))].filter(Boolean);
  if (titles.length === 0) return untitled(events.length);
  const named = titles.slice(0, 2).map(name);
  const more = titles.length - named.length;
  return joinWords(more > 0 ? [...named, `${more} more`] : named);
}

function withArticle(title: string): string {
  return /^(the|a|an|our|your)\s/i.test(title) ? title : `the ${title}`;
}

function named(kind: string): (title: string) => string {
  return (title) => withArticle(new RegExp(`\\b${kind}\\b`, 'i').test(title) ? title : `${title} ${kind}`);
}

function pageName(event: EngagementEvent): string {
  return event.title?.trim() || event.url?.trim() || 'a page';
}

function pageViewClause(views: DatedEvent[]): string {
  const counts = new Map<string, number>();
  for (const v of newestFirst(views)) counts.set(pageName(v), (counts.get(pageName(v)) ?? 0) + 1);
  const [top, topCount] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
  if (counts.size === 1) return `viewed the ${top} page ${topCount > 1 ? `${times(topCount)} ` : ''}${span(views)}`;
  return `viewed ${counts.size} pages ${span(views)}, most often the ${top} page`;
}

function emailClause(verb: 'clicked' | 'opened', events: DatedEvent[]): string {
  const what = verb === 'clicked' ? 'a link in a marketing email' : 'a marketing email';
  if (events.length === 1) return `${verb} ${what} ${span(events)}`;
  const plural = verb === 'clicked' ? 'links in marketing emails' : 'marketing emails';
  return `${verb} ${plural} ${events.length} times ${span(events)}`;
}

/**
 * The sentence for the brief. `pricingUrlContains` marks pricing-page views (default "/pricing"); `maxClauses`
 * keeps the most telling clauses (default 3); `timeZone` decides what "today" and "yesterday" mean (default UTC).
 * Events with an unreadable timestamp are ignored.
 */
export function describeEngagement(
  events: EngagementEvent[],
  now: Date,
  opts: { pricingUrlContains?: string; maxClauses?: number; timeZone?: string } = {},
): string {
  const pricing = (opts.pricingUrlContains ?? '/pricing').toLowerCase();
  const maxClauses = opts.maxClauses ?? 3;
  const timeZone = opts.timeZone ?? 'UTC';
  const dated: DatedEvent[] = events
    .map((e) => ({ ...e, time: Date.parse(e.occurredAt) }))
    .filter((e) => !Number.isNaN(e.time) && e.type !== 'marketing_note')
    .map((e) => ({ ...e, daysAgo: calendarDaysBetween(new Date(e.time), now, timeZone) }));

  const isPricingView = (e: DatedEvent): boolean =>
    e.type === 'page_view' && (e.url ?? '').toLowerCase().includes(pricing);
  const ofType = (type: EngagementEventType): DatedEvent[] => dated.filter((e) => e.type === type && !isPricingView(e));

  // Added most telling first.
  const clauses: string[] = [];
  const add = (group: DatedEvent[], text: (group: DatedEvent[]) => string): void => {
    if (group.length > 0) clauses.push(text(group));
  };
  add(ofType('demo_request'), (g) => `requested a demo ${lastTime(g)}`);
  add(ofType('free_trial_start'), (g) => `started a free trial ${lastTime(g)}`);
  add(
    dated.filter(isPricingView),
    (g) => `visited the pricing page ${g.length > 1 ? `${times(g.length)} ` : ''}${span(g)}`,
  );
  add(
    ofType('content_download'),
    (g) => `downloaded ${titledList(g, withArticle, (n) => (n === 1 ? 'a content asset' : `${n} content assets`))}`,
  );
  add(
    ofType('webinar_attended'),
    (g) => `attended ${titledList(g, named('webinar'), (n) => (n === 1 ? 'a webinar' : `${n} webinars`))}`,
  );
  add(
    ofType('form_submission'),
    (g) => `submitted ${titledList(g, named('form'), (n) => (n === 1 ? 'a form' : `${n} forms`))}`,
  );
  add(ofType('page_view'), pageViewClause);
  add(ofType('email_click'), (g) => emailClause('clicked', g));
  add(ofType('email_open'), (g) => emailClause('opened', g));

  const chosen = clauses.slice(0, Math.max(1, maxClauses));
  if (chosen.length === 0) return NO_ENGAGEMENT;
  const sentence = joinWords(chosen);
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}
