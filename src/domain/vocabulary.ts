/**
 * The fixed words of the domain that both configuration and workflows use at run time. No zod here:
 * workflow bundles import this file.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const LEAD_FIELDS = ['email', 'company', 'firstName', 'lastName', 'jobTitle', 'country', 'phone'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

/** The SLA ladder's rungs, in the order they normally fire. */
export const SLA_RUNGS = ['reminder', 'manager_escalation', 'reassignment', 'vp_review'] as const;
export type SlaRungKind = (typeof SLA_RUNGS)[number];

/** The rejection picklist (DOMAIN.md §8). Labels and tracks come from configuration. */
export const REJECTION_REASONS = [
  'wrong_company_size',
  'wrong_title',
  'no_budget_signal',
  'bad_data_quality',
  'timing_not_right',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];
