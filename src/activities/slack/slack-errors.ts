/**
 * Slack failures as ServiceError. Slack answers most errors with HTTP 200 and `{ ok: false, error }`, so the
 * class of failure comes from the error code, not the status. ServiceError decides retryability from `status`;
 * each code is therefore given the HTTP status that carries its meaning (the real HTTP status was 200):
 *   ratelimited → 429 + Retry-After; internal_error/fatal_error/service_unavailable/request_timeout → 503;
 *   auth and token problems → 401; missing_scope and permission problems → 403 (naming the scope needed);
 *   users_not_found/channel_not_found/message_not_found → 404; malformed requests → 400.
 * Non-200 answers keep their real status; connection failures are `transport` (retryable).
 */
import { ErrorCode, type WebAPICallError } from '@slack/web-api';
import { describeServiceFailure, ServiceError, type ServiceErrorDetails } from '../service-error';
import { InvalidBriefError } from '../brief-render/brief-input';

/** What we were doing when Slack failed; `object` must not contain PII (user ids, channel ids, domains are fine). */
export interface SlackCall {
  operation: string;
  object?: string;
}

const RETRYABLE = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);
const AUTH = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'no_permission',
  'ekm_access_denied',
]);
const FORBIDDEN = new Set([
  'missing_scope',
  'restricted_action',
  'not_in_channel',
  'is_archived',
  'cant_update_message',
  'user_not_in_channel',
]);
const NOT_FOUND = new Set(['users_not_found', 'user_not_found', 'channel_not_found', 'message_not_found']);

const HINTS: Record<string, string> = {
  invalid_auth: 'the bot token (SLACK_BOT_TOKEN) is not valid for this workspace',
  not_authed: 'no bot token was sent; set SLACK_BOT_TOKEN',
  account_inactive: 'the app was uninstalled or its bot user deactivated; reinstall the app',
  token_revoked: 'the bot token was revoked; reinstall the app and update SLACK_BOT_TOKEN',
  token_expired: 'the bot token expired; rotate it and update SLACK_BOT_TOKEN',
  users_not_found:
    'no Slack member has this email; make sure their Slack profile uses it, or set slackUserId in the org config',
  channel_not_found: 'the channel does not exist or the app cannot see it; check the id and invite the app',
  not_in_channel: 'invite the app to the channel (/invite @app)',
  message_not_found: 'the message was deleted or the ts is wrong',
  cant_update_message: 'only messages posted by this app can be updated',
};

interface PlatformData {
  error: string;
  needed?: string;
  provided?: string;
  response_metadata?: { messages?: string[] };
}

export function slackServiceError(call: SlackCall, err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  if (err instanceof InvalidBriefError) {
    return slackFailure(
      call,
      { status: 400, code: 'invalid_brief', field: err.field, value: err.value },
      `expected ${err.expected}`,
    );
  }
  const e = err as Partial<WebAPICallError> & { message?: string };
  switch (e.code) {
    case ErrorCode.RateLimitedError: {
      const retryAfter = (e as { retryAfter?: number }).retryAfter;
      return slackFailure(
        call,
        { status: 429, code: 'ratelimited', retryAfterSeconds: retryAfter },
        'rate limited by Slack',
      );
    }
    case ErrorCode.PlatformError: {
      const data = (e as { data?: PlatformData }).data ?? { error: 'unknown_error' };
      return platformError(call, data);
    }
    case ErrorCode.HTTPError: {
      const h = e as { statusCode?: number; headers?: Record<string, string> };
      const retryAfter = Number.parseInt(h.headers?.['retry-after'] ?? '', 10);
      return slackFailure(
        call,
        { status: h.statusCode, retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined },
        `HTTP ${h.statusCode ?? '?'} from Slack`,
      );
    }
    case ErrorCode.RequestError: {
      const original = (e as { original?: { code?: string; message?: string } }).original;
      return slackFailure(
        call,
        { transport: true, code: original?.code },
        `could not reach Slack: ${original?.code ?? original?.message ?? e.message ?? 'connection failed'}`,
      );
    }
    default:
      return slackFailure(call, {}, e.message ?? String(err));
  }
}

/** An `{ ok: false, error }`-equivalent for answers that are `ok` but lack what the call must return. */
export function slackPlatformError(call: SlackCall, code: string): ServiceError {
  return platformError(call, { error: code });
}

function platformError(call: SlackCall, data: PlatformData): ServiceError {
  const code = data.error;
  const details: Partial<ServiceErrorDetails> = { code };
  let detail = HINTS[code] ?? '';
  if (code === 'ratelimited') {
    details.status = 429;
    details.retryAfterSeconds = 1;
  } else if (RETRYABLE.has(code)) {
    details.status = 503;
    detail = 'Slack had an internal problem; retrying';
  } else if (AUTH.has(code)) {
    details.status = 401;
  } else if (FORBIDDEN.has(code)) {
    details.status = 403;
    if (code === 'missing_scope') {
      details.field = 'scope';
      details.value = data.needed;
      detail = `the app needs the ${data.needed ?? '?'} scope (has: ${data.provided ?? 'unknown'}); add it under OAuth & Permissions and reinstall`;
    }
  } else if (NOT_FOUND.has(code)) {
    details.status = 404;
  } else {
    details.status = 400;
    const messages = data.response_metadata?.messages;
    if (messages?.length) detail = messages.slice(0, 5).join('; ');
  }
  return slackFailure(call, details, detail);
}

/**
 * A Slack ServiceError with the standard message. Callers never pass the client's own error as `cause`: a request
 * error carries the request body (blocks with the lead's details, the email looked up), which must not reach logs.
 * Everything useful is in the message.
 */
export function slackFailure(call: SlackCall, d: Partial<ServiceErrorDetails>, detail: string): ServiceError {
  const details: ServiceErrorDetails = { service: 'slack', operation: call.operation, object: call.object, ...d };
  for (const k of Object.keys(details) as (keyof ServiceErrorDetails)[]) {
    if (details[k] === undefined) delete details[k];
  }
  return new ServiceError(describeServiceFailure(details, detail), details);
}
