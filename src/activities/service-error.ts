/**
 * One error type for every adapter, so activities classify failures the same way whatever the service:
 *  - 429 → retry after the service's Retry-After (ApplicationFailure.nextRetryDelay); a call the client held back
 *    because of an earlier 429 (retry-after-gate.ts) → retry after what is left of that window
 *  - 5xx, timeouts, connection errors → retryable with the activity's backoff
 *  - 400/401/403/404/409/422 → non-retryable, with a message naming service, object, field and value
 */
import { ApplicationFailure } from '@temporalio/common';
import type { RetryAfterHeld } from './retry-after-gate';

export type ServiceName = 'hubspot' | 'salesforce' | 'slack' | 'email' | 'push' | 'temporal';

export interface ServiceErrorDetails {
  service: ServiceName;
  /** What we were doing, e.g. "create deal", "update contact". */
  operation: string;
  /** Object type and id/key involved, e.g. "contact 1234". */
  object?: string;
  /** Field and value at fault, when the service said which. */
  field?: string;
  value?: unknown;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Service error code (HubSpot category, Salesforce errorCode, Slack `error`). */
  code?: string;
  /** Seconds the service asked us to wait (Retry-After). */
  retryAfterSeconds?: number;
  /** Network-level failure: timeout, reset, refused. */
  transport?: boolean;
}

export class ServiceError extends Error {
  constructor(
    message: string,
    readonly details: ServiceErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceError';
  }

  get retryable(): boolean {
    const { status, transport } = this.details;
    if (transport) return true;
    if (status === undefined) return true;
    return status === 408 || status === 429 || status >= 500;
  }
}

/** Builds the human message: "hubspot: create deal for contact 42 failed (400 VALIDATION_ERROR): field dealstage = "x": …" */
export function describeServiceFailure(d: ServiceErrorDetails, detail: string): string {
  const parts = [`${d.service}: ${d.operation}`];
  if (d.object) parts.push(`for ${d.object}`);
  parts.push('failed');
  const status = [d.status, d.code].filter((x) => x !== undefined && x !== '').join(' ');
  if (status) parts.push(`(${status})`);
  let msg = parts.join(' ');
  if (d.field) msg += `: field ${d.field}${d.value !== undefined ? ` = ${JSON.stringify(d.value)}` : ''}`;
  if (detail) msg += `: ${detail}`;
  return msg;
}

/**
 * A call the client-wide Retry-After gate refused to send (retry-after-gate.ts): retryable, after the delay left in
 * the window, so Temporal's next attempt comes when the service will take it. No status: nothing was sent.
 */
export function heldByRetryAfter(
  held: RetryAfterHeld,
  ctx: { service: ServiceName; operation: string; object?: string },
): ServiceError {
  const details: ServiceErrorDetails = {
    service: ctx.service,
    operation: ctx.operation,
    ...(ctx.object !== undefined ? { object: ctx.object } : {}),
    code: 'RETRY_AFTER_HOLD',
    retryAfterSeconds: held.retryAfterSeconds,
  };
  return new ServiceError(describeServiceFailure(details, held.message), details);
}

/**
 * Turns any error thrown by an adapter into what Temporal should do with it. Call in activities:
 * `catch (e) { throw toActivityFailure(e) }`.
 */
export function toActivityFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof ServiceError)) return err instanceof Error ? err : new Error(String(err));
  const d = err.details;
  if (d.status === 429 || d.retryAfterSeconds !== undefined) {
    return ApplicationFailure.create({
      message: err.message,
      type: 'RateLimited',
      nonRetryable: false,
      nextRetryDelay: `${Math.max(1, d.retryAfterSeconds ?? 1)}s`,
      details: [d],
      cause: err,
    });
  }
  return ApplicationFailure.create({
    message: err.message,
    type: err.retryable ? 'ServiceUnavailable' : 'ServiceRejected',
    nonRetryable: !err.retryable,
    details: [d],
    cause: err,
  });
}
