/**
 * The activities the handoff schedules, one proxy per concern, each with the timeouts and retries that concern
 * needs. CRM and notification calls retry with backoff until they succeed, unless the adapter says the request
 * itself is wrong (non-retryable ServiceRejected); the workflow records those and carries on (see `tolerate`).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CrmActivities, NotificationActivities, PolicyActivities, RosterActivities } from '../activity-contracts';

export const NON_RETRYABLE = ['ServiceRejected', 'ConfigurationError'];

/** Reads the configuration the worker was started with: local, fast. */
export const policy = proxyActivities<PolicyActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * HubSpot and the sales CRM: one API round trip or a few per call; rate limits may hold a call back (a 429 sets the
 * next attempt's delay to its Retry-After). Backoff stops growing at 30 s: reading a lead is several GETs that all
 * have to succeed in one attempt, so under 20% transient faults an attempt succeeds about one time in four, and a
 * 5-minute cap left leads unrouted for many minutes after the service was healthy again (bench/faults.ts).
 */
export const crm = proxyActivities<CrmActivities>({
  startToCloseTimeout: '60s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** Slack, email, push: a rep must hear of the lead soon after the channel is back, so backoff stops at 30 s too. */
export const notifications = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '60s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/**
 * The roster answers in milliseconds when idle; under a burst of MQLs its updates queue, so allow a minute before
 * retrying, and give up (the lead goes to the team's manager) after 20 attempts.
 */
export const roster = proxyActivities<RosterActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});
