/**
 * Nodemailer/SMTP failures as ServiceError. SMTP's own rule (RFC 5321 §4.2.1): 4yz replies are transient
 * (421 service closing, 450/451/452 mailbox busy, local error, storage) and worth retrying; 5yz replies are
 * permanent. ServiceError decides retryability from an HTTP-style `status`, so each reply is given the status
 * with that meaning — 4yz → 503, 535/530 auth → 401, 550/551/553 recipient → 422, 552 size → 413, other
 * 5yz → 400 — and the SMTP reply code itself goes in `code` ("SMTP 451"). Connection failures are `transport`.
 * Server replies often quote addresses; they are cut down to their domain before they reach a message.
 */
import { describeServiceFailure, ServiceError, type ServiceErrorDetails } from '../service-error';

export interface EmailCall {
  operation: string;
  object?: string;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET']);

export function smtpServiceError(call: EmailCall, err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  const e = err as { code?: string; responseCode?: number; response?: string; command?: string; message?: string };
  const reply = e.response ? redactAddresses(e.response).slice(0, 300) : '';
  const at = e.command ? ` after ${e.command.split(' ')[0]}` : '';

  if (typeof e.responseCode === 'number') {
    const rc = e.responseCode;
    return emailFailure(
      call,
      { status: statusForReply(rc), code: `SMTP ${rc}`, ...recipientField(rc) },
      `server replied${at}: ${reply}`,
    );
  }
  if (e.code && CONNECTION_CODES.has(e.code)) {
    return emailFailure(
      call,
      { transport: true, code: e.code },
      `could not talk to the SMTP server${at}: ${redactAddresses(e.message ?? '')}`,
    );
  }
  if (e.code === 'EAUTH')
    return emailFailure(call, { status: 401, code: e.code }, 'SMTP authentication failed; check SMTP_URL credentials');
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') {
    return emailFailure(call, { status: 400, code: e.code }, redactAddresses(e.message ?? ''));
  }
  return emailFailure(call, { code: e.code }, redactAddresses(e.message ?? String(err)));
}

function statusForReply(rc: number): number {
  if (rc >= 400 && rc < 500) return 503;
  if (rc === 530 || rc === 534 || rc === 535 || rc === 538) return 401;
  if (rc === 550 || rc === 551 || rc === 553) return 422;
  if (rc === 552) return 413;
  return 400;
}

function recipientField(rc: number): Partial<ServiceErrorDetails> {
  return rc === 550 || rc === 551 || rc === 553 ? { field: 'to' } : {};
}

/** "jane.doe@globex.example" → "…@globex.example". */
function redactAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:@]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, '…@$1');
}

/** An email ServiceError with the standard message ("email: <operation> for <object> failed (status code): …"). */
export function emailFailure(call: EmailCall, d: Partial<ServiceErrorDetails>, detail: string): ServiceError {
  const details: ServiceErrorDetails = { service: 'email', operation: call.operation, object: call.object, ...d };
  for (const k of Object.keys(details) as (keyof ServiceErrorDetails)[]) {
    if (details[k] === undefined) delete details[k];
  }
  return new ServiceError(describeServiceFailure(details, detail), details);
}
