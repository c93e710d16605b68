/**
 * The one place a Slack WebClient is built. Temporal owns retries, so the client never retries and never
 * waits out a rate limit itself: a 429 comes straight back as an error carrying Slack's Retry-After.
 */
import { LogLevel, WebClient } from '@slack/web-api';

export interface SlackConnectionOptions {
  /** Bot token (xoxb-…), from SLACK_BOT_TOKEN. Never logged. */
  token: string;
  /** Web API base URL, from SLACK_API_URL (e.g. the sandbox's http://127.0.0.1:PORT/api/); default Slack's own. */
  apiUrl?: string;
  /** Per-request timeout in ms (default 10 000), well inside the activity's start-to-close timeout. */
  timeoutMs?: number;
}

const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export function createSlackWebClient(opts: SlackConnectionOptions): WebClient {
  return new WebClient(checkedToken(opts.token), {
    slackApiUrl: checkedApiUrl(opts.apiUrl),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs ?? 10_000,
    logLevel: LogLevel.ERROR,
  });
}

function checkedToken(token: string): string {
  const t = typeof token === 'string' ? token.trim() : '';
  if (!t) throw new Error('SLACK_BOT_TOKEN: expected a Slack bot token (xoxb-…), got an empty value');
  // The value itself is a secret: say what is wrong with it, never what it is.
  if (!t.startsWith('xox')) throw new Error('SLACK_BOT_TOKEN: expected a Slack token starting with "xoxb-"');
  return t;
}

/** Slack's client appends the method name to this URL, so it must end with "/". */
function checkedApiUrl(apiUrl: string | undefined): string {
  if (apiUrl === undefined || apiUrl === '') return DEFAULT_SLACK_API_URL;
  let url: URL | null = null;
  try {
    url = new URL(apiUrl);
  } catch {
    /* reported below */
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new Error(
      `SLACK_API_URL = ${JSON.stringify(apiUrl)}: expected an http(s) URL such as https://slack.com/api/`,
    );
  }
  const s = url.toString();
  return s.endsWith('/') ? s : `${s}/`;
}
