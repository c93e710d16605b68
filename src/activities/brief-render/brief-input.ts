/**
 * Checks on the parts of a brief a renderer turns into links, timestamps and button values. A brief that fails
 * here is a bug upstream (the builder), so the error names the field, the value and what was expected, and the
 * adapters report it as non-retryable.
 */
import type { HandoffBrief } from '../../domain/brief';

export class InvalidBriefError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`brief.${field} = ${JSON.stringify(value)}: expected ${expected}`);
    this.name = 'InvalidBriefError';
  }
}

/** Seconds since the epoch for an ISO-8601 timestamp; throws naming the field otherwise. */
export function unixSeconds(field: string, iso: string): number {
  const ms = typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidBriefError(field, iso, 'an ISO-8601 date-time such as 2026-11-24T17:00:00Z');
  return Math.floor(ms / 1000);
}

/** The URL, normalised, when it is http(s); throws naming the field otherwise (no javascript:, data:, mailto: links). */
function httpUrl(field: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidBriefError(field, url, 'an absolute http(s) URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidBriefError(field, url, 'an absolute http(s) URL');
  }
  return parsed.toString();
}

/** The brief's links with checked URLs. */
export function checkedLinks(brief: HandoffBrief): { label: string; url: string }[] {
  return brief.links.map((l, i) => ({ label: l.label, url: httpUrl(`links.${i}.url`, l.url) }));
}

/** Times shown outside Slack (email, fallbacks): "24 Nov 2026, 17:00 UTC". */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  const date = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' });
  return `${date.format(d)}, ${time.format(d)} UTC`;
}
