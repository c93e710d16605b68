/**
 * Slack text, safely: mrkdwn escaping (a lead called "<!channel>" must not ping a channel, "<https://x|y>" must
 * not become a link), length limits that never cut an escape sequence in half, and date tokens that each reader
 * sees in their own time zone.
 */

/** The Block Kit limits (https://docs.slack.dev/reference/block-kit) on what the renderers fill from brief data. */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  buttonValue: 2000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 75,
  /** The message's top-level `text`; Slack truncates beyond 40,000, notifications show far less. */
  fallbackText: 3000,
} as const;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
function mrkdwnEscape(raw: string): string {
  return raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts `text` to at most `max` characters, ending with "…" when cut, without splitting an `&amp;`-style
 * entity or a surrogate pair.
 */
export function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  cut = cut.replace(/&[a-z]*$/, '');
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Plain text (headers, buttons, options): no escaping, just the limit. */
export function plain(raw: string, max: number): string {
  const oneLine = raw.replace(/\s+/g, ' ').trim();
  return fit(oneLine || '—', max);
}

/** Escaped mrkdwn within a limit. */
export function mrkdwn(raw: string, max: number): string {
  return fit(mrkdwnEscape(raw), max);
}

/** A mrkdwn link; the URL must already be a checked http(s) URL. */
export function mrkdwnLink(url: string, label: string): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
  const safeLabel = mrkdwnEscape(label.replace(/\s+/g, ' ').trim() || url).replace(/\|/g, '/');
  return `<${safeUrl}|${safeLabel}>`;
}

/** `<!date^…>`: Slack shows it in each reader's zone; `fallback` where dates are not rendered (notifications, old clients). */
export function slackDate(unixSeconds: number, fallback: string): string {
  return `<!date^${unixSeconds}^{date_short_pretty} at {time}|${mrkdwnEscape(fallback).replace(/\|/g, '/')}>`;
}

/** A Slack user id renders as a mention; anything else is shown as escaped text. */
export function personRef(nameOrUserId: string): string {
  return /^[UW][A-Z0-9]{8,}$/.test(nameOrUserId) ? `<@${nameOrUserId}>` : mrkdwn(nameOrUserId, 200);
}
