/**
 * The simulated quarter's world, drawn from one seed: when MQLs arrive (business-hours peaks, quiet weekends),
 * what they look like (lead type, size, country, industry, named accounts: so routing spreads them over the
 * teams), and how each rep answers a handoff (how soon they touch it, in their working hours; whether they
 * accept, reject and why). Pure and deterministic: the same seed gives the same quarter.
 */
import { addBusinessTime } from '../domain/business-hours';
import type { EngagementEvent, LeadSnapshot } from '../domain/lead';
import type { BusinessCalendar, OrgConfig } from '../domain/org-config';
import type { RejectionReason } from '../domain/vocabulary';

// ---------------------------------------------------------------------------------------------------------------
// Randomness: mulberry32, seeded per purpose so one draw never shifts another
// ---------------------------------------------------------------------------------------------------------------

export type Rng = () => number;

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A generator for `key` under `seed` (FNV-1a of the key mixed with the seed). */
export function rngFor(seed: number, key: string): Rng {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return rng(h >>> 0);
}

function pick<T>(r: Rng, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted[weighted.length - 1]![0];
}

/** Log-normal with the given median; `spread` is sigma of the underlying normal. */
function logNormal(r: Rng, median: number, spread: number): number {
  const u = Math.max(r(), 1e-12);
  const v = r();
  return median * Math.exp(spread * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

// ---------------------------------------------------------------------------------------------------------------
// Arrivals
// ---------------------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * `count` MQL moments over `days` from `start`: weekdays carry most of them (weekends 10%), and within a day they
 * peak mid-morning and mid-afternoon in `timeZone`'s working hours (offsets from UTC taken from `utcOffsetHours`).
 * Sorted, strictly increasing.
 */
export function arrivals(args: {
  count: number;
  seed: number;
  start: Date;
  days: number;
  utcOffsetHours: number;
}): Date[] {
  const r = rngFor(args.seed, 'arrivals');
  const dayWeights = Array.from({ length: args.days }, (_, d) => {
    const weekday = new Date(args.start.getTime() + d * DAY_MS).getUTCDay();
    return [d, weekday === 0 || weekday === 6 ? 0.25 : 2.2] as const;
  });
  const hours = [
    [8, 4],
    [9, 9],
    [10, 12],
    [11, 10],
    [12, 6],
    [13, 8],
    [14, 11],
    [15, 9],
    [16, 6],
    [17, 3],
    [18, 2],
    [20, 1],
    [22, 0.5],
    [2, 0.3],
  ] as const;
  const times = Array.from({ length: args.count }, () => {
    const day = pick(r, dayWeights);
    const localHour = pick(r, hours);
    return (
      args.start.getTime() + day * DAY_MS + (localHour - args.utcOffsetHours) * HOUR_MS + Math.floor(r() * HOUR_MS)
    );
  }).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) if (times[i]! <= times[i - 1]!) times[i] = times[i - 1]! + 1000;
  return times.map((t) => new Date(t));
}

// ---------------------------------------------------------------------------------------------------------------
// Leads
// ---------------------------------------------------------------------------------------------------------------

const INDUSTRIES = ['Software', 'Retail', 'Manufacturing', 'Financial Services', 'Healthcare', 'Logistics'] as const;

/** A synthetic MQL as HubSpot would describe it at `at`: fields drawn so routing spreads them as real ones do. */
export function syntheticLead(args: {
  seed: number;
  index: number;
  contactId: string;
  at: Date;
  config: OrgConfig;
}): LeadSnapshot {
  const r = rngFor(args.seed, `lead-${args.index}`);
  const kind = pick(r, [
    ['demo_request', 30],
    ['behavioral', 55],
    ['outbound', 10],
    ['fails_icp', 5],
  ] as const);
  const named =
    r() < 0.06
      ? args.config.routing.namedAccounts[Math.floor(r() * args.config.routing.namedAccounts.length)]
      : undefined;
  const country = pick(r, [
    ['US', 72],
    ['CA', 6],
    ['GB', 9],
    ['DE', 6],
    ['FR', 4],
    ['AU', 3],
  ] as const);
  const employees = Math.max(5, Math.round(logNormal(r, 150, 1.2)));
  const industry = pick(
    r,
    INDUSTRIES.map((i) => [i, i === 'Healthcare' ? 1 : 2] as const),
  );
  const domain = named?.domain ?? `company-${args.index}.example`;
  const ago = (minutes: number) => new Date(args.at.getTime() - minutes * 60_000).toISOString();
  const events: EngagementEvent[] =
    kind === 'demo_request'
      ? [
          { type: 'demo_request', occurredAt: ago(1), title: 'Book a demo' },
          { type: 'page_view', occurredAt: ago(30), url: 'https://acme-analytics.example/pricing', title: 'Pricing' },
        ]
      : [
          { type: 'webinar_attended', occurredAt: ago(60 * 24), title: 'Analytics for ops teams' },
          { type: 'email_click', occurredAt: ago(30), title: 'Newsletter' },
        ];
  return {
    contactId: args.contactId,
    email: `lead-${args.index}@${domain}`,
    firstName: 'Lead',
    lastName: String(args.index),
    jobTitle:
      kind === 'fails_icp'
        ? 'Student'
        : pick(r, [
            ['Head of Operations', 3],
            ['Data Analyst', 2],
            ['VP Finance', 1],
          ] as const),
    phone: null,
    country,
    region: null,
    lifecycleStage: 'lead',
    leadStatus: null,
    hubspotOwnerId: null,
    fitScore: kind === 'demo_request' ? 55 + Math.floor(r() * 40) : 62 + Math.floor(r() * 35),
    engagementScore: kind === 'demo_request' ? 40 + Math.floor(r() * 50) : 61 + Math.floor(r() * 35),
    sourcedBy: kind === 'outbound' ? 'outbound' : 'inbound',
    source: pick(r, [
      ['ORGANIC_SEARCH', 4],
      ['PAID_SEARCH', 3],
      ['EMAIL_MARKETING', 2],
      ['REFERRALS', 1],
      ['OFFLINE', kind === 'outbound' ? 6 : 0.5],
    ] as const),
    company: { id: `co-${args.index}`, name: `Company ${args.index}`, domain, employees, industry, country },
    events,
    marketingNotes: [],
    hubspotUrl: null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reps
// ---------------------------------------------------------------------------------------------------------------

export interface RepAnswer {
  /** When the rep touches the lead (business time after the DM), or null: never (a dropped lead). */
  touchAt: Date | null;
  /** Until when working this lead keeps the rep from the next one (their queue). */
  busyUntil: Date | null;
  /** When the rep decides, after first touch. */
  decideAt: Date | null;
  decision: { kind: 'accept' } | { kind: 'reject'; reason: RejectionReason };
}

/** How fast each rep is, as a median of business minutes to first touch: some reps are quicker than others. */
export function repPace(seed: number, repId: string): { medianTouchMinutes: number; neverTouches: number } {
  const r = rngFor(seed, `pace-${repId}`);
  return { medianTouchMinutes: 4 + r() * 20, neverTouches: 0.01 + r() * 0.03 };
}

/**
 * What rep `repId` does with the handoff DM'd at `dmAt` (assignment number `no` of the lead): reacts after a
 * log-normal delay counted in their working hours — or, when still working earlier leads (`busyUntil`), once
 * free — spends about 20 working minutes on it, and decides within about a business day. One rep works one lead
 * at a time, so fewer reps for the same MQLs means later first touches.
 */
export function repAnswer(args: {
  seed: number;
  leadId: string;
  no: number;
  repId: string;
  dmAt: Date;
  calendar: BusinessCalendar;
  /** When the rep is free of earlier leads (null: free now). */
  busyUntil?: Date | null;
}): RepAnswer {
  const r = rngFor(args.seed, `answer-${args.leadId}-${args.no}-${args.repId}`);
  const pace = repPace(args.seed, args.repId);
  const decision = pick(r, [
    ['accept', 62],
    ['wrong_company_size', 7],
    ['wrong_title', 7],
    ['no_budget_signal', 7],
    ['bad_data_quality', 5],
    ['timing_not_right', 12],
  ] as const);
  const never = r() < pace.neverTouches;
  const reactMs = Math.max(30_000, logNormal(r, pace.medianTouchMinutes, 1.1) * 60_000);
  const handleMs = Math.max(5 * 60_000, logNormal(r, 20, 0.5) * 60_000);
  const reacted = addBusinessTime(args.dmAt, reactMs, args.calendar);
  const free = args.busyUntil && args.busyUntil > reacted ? args.busyUntil : reacted;
  const touchAt = never ? null : free;
  const decideAt = touchAt && addBusinessTime(touchAt, logNormal(r, 3 * 60, 1) * 60_000, args.calendar);
  return {
    touchAt,
    busyUntil: touchAt && addBusinessTime(touchAt, handleMs, args.calendar),
    decideAt,
    decision: decision === 'accept' ? { kind: 'accept' } : { kind: 'reject', reason: decision },
  };
}
