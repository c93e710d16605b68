/**
 * What the interaction bridge says back to the person who clicked: an ephemeral note ("this lead was already
 * reassigned to Ben") or a replacement of the message the click came from, through the click's `response_url`.
 *
 * `response_url`s come from the (signature-checked) interaction payload; they are still only followed when they
 * point at Slack's hooks host or at the configured API host (the sandbox), never at an arbitrary URL.
 */
import type { KnownBlock } from '@slack/web-api';
import { describeServiceFailure, ServiceError, type ServiceErrorDetails } from '../service-error';
import { checkedApiUrl, createSlackWebClient, type SlackConnectionOptions } from './slack-client';
import { slackServiceError } from './slack-errors';

export interface SlackResponder {
  /** Shows `text` to `user` only, in `channel` (chat.postEphemeral). */
  ephemeral(channel: string, user: string, text: string): Promise<void>;
  /** Replaces the message an interaction came from (response_url with replace_original). */
  replaceOriginal(responseUrl: string, message: { text: string; blocks?: KnownBlock[] }): Promise<void>;
}

const SLACK_HOOKS_ORIGIN = 'https://hooks.slack.com';

export function createSlackResponder(opts: SlackConnectionOptions): SlackResponder {
  const client = createSlackWebClient(opts);
  const allowedOrigins = new Set([SLACK_HOOKS_ORIGIN, new URL(checkedApiUrl(opts.apiUrl)).origin]);
  const timeoutMs = opts.timeoutMs ?? 10_000;

  return {
    async ephemeral(channel, user, text) {
      const what = { operation: 'post ephemeral reply', object: `user ${user} in channel ${channel}` };
      try {
        await client.chat.postEphemeral({ channel, user, text });
      } catch (e) {
        throw slackServiceError(what, e);
      }
    },

    async replaceOriginal(responseUrl, message) {
      const operation = 'replace original message via response_url';
      let url: URL;
      try {
        url = new URL(responseUrl);
      } catch {
        // A response_url is a short-lived capability: never echo it.
        throw failure({ operation, status: 400, field: 'responseUrl' }, 'expected an absolute URL');
      }
      if (!allowedOrigins.has(url.origin)) {
        throw failure(
          { operation, status: 400, field: 'responseUrl', value: url.origin },
          `expected a response_url on ${[...allowedOrigins].join(' or ')}`,
        );
      }
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ replace_original: true, text: message.text, blocks: message.blocks }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        throw failure({ operation, transport: true }, `could not reach Slack: ${(e as Error).name}`);
      }
      if (!res.ok) {
        const code = errorCode(await res.text().catch(() => ''));
        const retryAfter = Number.parseInt(res.headers.get('retry-after') ?? '', 10);
        throw failure(
          {
            operation,
            status: res.status,
            code,
            retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
          },
          res.status === 404 ? 'the response_url expired (30 minutes, 5 uses)' : `HTTP ${res.status}`,
        );
      }
    },
  };
}

/** Slack answers a bad response_url with `{"ok":false,"error":"…"}` or a bare code such as `expired_url`. */
function errorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error.slice(0, 60);
  } catch {
    /* not JSON */
  }
  const bare = body.trim();
  return /^[a-z_]{1,60}$/.test(bare) ? bare : undefined;
}

function failure(d: Omit<ServiceErrorDetails, 'service'>, detail: string): ServiceError {
  const details = { service: 'slack' as const, ...d };
  for (const k of Object.keys(details) as (keyof typeof details)[]) {
    if (details[k] === undefined) delete details[k];
  }
  return new ServiceError(describeServiceFailure(details, detail), details);
}
