/**
 * Turns a lead's recent engagement into the brief's "Why this lead" sentence. The port exists so a
 * language-model summariser can replace the deterministic one without touching the brief or the workflow;
 * the deterministic one is the default and what every test uses.
 */
import type { EngagementEvent } from '../domain/lead';
import { describeEngagement } from '../domain/why-this-lead';

export interface LeadSummariser {
  summarise(input: { events: EngagementEvent[]; now: Date }): Promise<string>;
}

/**
 * `pricingUrlContains` (the org config's `mql.highIntent.pricingPage.urlContains`), `maxClauses`, and
 * `timeZone` (what "today" means: the rep's or team's zone).
 */
export type DeterministicSummariserOptions = NonNullable<Parameters<typeof describeEngagement>[2]>;

/** Plain words from the events alone: same events and `now` → same sentence. */
export function createDeterministicSummariser(opts: DeterministicSummariserOptions = {}): LeadSummariser {
  return {
    summarise: async ({ events, now }) => describeEngagement(events, now, opts),
  };
}

export const deterministicSummariser: LeadSummariser = createDeterministicSummariser();
