/**
 * EmailPort on SMTP (nodemailer): the handoff brief and notices as HTML with a plain-text alternative.
 *
 * Idempotency (see README.md for the residual risk): the Message-ID is derived from the caller's key, so every
 * copy of one logical email carries the same id; this process remembers the keys it has sent (and shares an
 * in-flight send) so a retry after a successful send returns the first Message-ID without sending again. With a
 * sent-record file (`sentRecord`, sent-record.ts) that holds across a worker restart and across the workers that
 * share the file.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { HandoffBrief, Notice } from '../../domain/brief';
import { emailDomain } from '../../domain/lead';
import { briefEmail, noticeEmail, type EmailContent } from '../brief-render/email-render';
import { InvalidBriefError } from '../brief-render/brief-input';
import type { EmailPort, ExternalRef, Recipient, ReportEmailPort } from '../ports';
import { SentRecord } from './sent-record';
import { emailFailure, smtpServiceError, type EmailCall } from './smtp-errors';

export interface EmailSenderOptions {
  /** SMTP_URL: smtp://host:587 (STARTTLS when offered) or smtps://user:password@host:465. Never logged. */
  smtpUrl: string;
  /** EMAIL_FROM, e.g. "MQL Handoff <mql-handoff@acme-analytics.example>". */
  from: string;
  /** Connect/greeting timeout in ms (default 10 000); the socket timeout is three times this. */
  timeoutMs?: number;
  /** How many sent keys this process remembers, and the sent-record keeps (default 10 000). */
  rememberKeys?: number;
  /**
   * File recording what was sent (by Message-ID), read by every sender on it, so a send repeated after a worker
   * restart, or by another worker sharing the file, does not go out again. Created with its folder; a path that
   * cannot be written throws SentRecordError here. Without it the dedupe is this process's memory only.
   */
  sentRecord?: string;
  /**
   * A message went out but could not be recorded (disk full, file removed): it is still remembered in memory, so
   * the activity succeeds; a restart could send it again. Default: ignored.
   */
  onRecordError?: (error: Error) => void;
}

const MESSAGE_ID_DOMAIN = 'mql-handoff';

/** `<32 hex chars@mql-handoff>`: same key → same Message-ID, on every worker. */
export function messageIdForKey(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${MESSAGE_ID_DOMAIN}>`;
}

export function createEmailSender(opts: EmailSenderOptions): EmailPort & ReportEmailPort {
  const transport: Transporter = nodemailer.createTransport({
    url: checkedSmtpUrl(opts.smtpUrl),
    connectionTimeout: opts.timeoutMs ?? 10_000,
    greetingTimeout: opts.timeoutMs ?? 10_000,
    socketTimeout: (opts.timeoutMs ?? 10_000) * 3,
    logger: false,
    debug: false,
  });
  const from = checkedFrom(opts.from);
  const remember = opts.rememberKeys ?? 10_000;
  /** Sent (or being sent) by this process, oldest first. */
  const sent = new Map<string, Promise<ExternalRef>>();
  const record = opts.sentRecord !== undefined ? new SentRecord(opts.sentRecord, remember) : null;
  const recorded = (messageId: string): void => {
    try {
      record?.add(messageId);
    } catch (e) {
      opts.onRecordError?.(e instanceof Error ? e : new Error(String(e)));
    }
  };

  async function deliver(
    to: Recipient,
    content: EmailContent,
    key: string,
    wf: string,
    call: EmailCall,
  ): Promise<ExternalRef> {
    const messageId = messageIdForKey(key);
    await transport
      .sendMail({
        from,
        to: { name: to.name, address: to.email },
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId,
        headers: {
          'X-MQL-Handoff-Key': key,
          'X-MQL-Handoff-Workflow': wf,
          // RFC 3834: no vacation auto-replies to a machine.
          'Auto-Submitted': 'auto-generated',
        },
        disableFileAccess: true,
        disableUrlAccess: true,
      })
      .catch((e: unknown) => {
        throw smtpServiceError(call, e);
      });
    return { system: 'email', objectType: 'message', id: messageId };
  }

  async function once(
    to: Recipient,
    key: string,
    wf: string,
    operation: string,
    render: () => EmailContent,
  ): Promise<ExternalRef> {
    const call = { operation, object: `recipient ${to.id} (workflow ${wf})` };
    checkKey(key, call);
    checkRecipient(to, call);
    // Rendered only when it is to be sent: a key already sent returns its Message-ID whatever the brief now holds.
    return remembered(key, async () => {
      let content: EmailContent;
      try {
        content = render();
      } catch (e) {
        if (!(e instanceof InvalidBriefError)) throw e;
        throw emailFailure(
          call,
          { status: 400, code: 'invalid_brief', field: e.field, value: e.value },
          `expected ${e.expected}`,
        );
      }
      return deliver(to, content, key, wf, call);
    });
  }

  /**
   * Sends once per key: a key this process sent (or is sending) shares that send; a key in the sent-record is not
   * sent again. A successful send is recorded; a failed one is forgotten, so its retry delivers.
   */
  function remembered(key: string, send: () => Promise<ExternalRef>): Promise<ExternalRef> {
    const known = sent.get(key);
    if (known) return known;
    const messageId = messageIdForKey(key);
    const pending = record?.has(messageId)
      ? Promise.resolve<ExternalRef>({ system: 'email', objectType: 'message', id: messageId })
      : send().then((ref) => {
          recorded(messageId);
          return ref;
        });
    sent.set(key, pending);
    pending.catch(() => {
      if (sent.get(key) === pending) sent.delete(key);
    });
    while (sent.size > remember) sent.delete(sent.keys().next().value as string);
    return pending;
  }

  return {
    async sendReport({ to, subject, html, text, attachments, key, about }) {
      const call = { operation: 'send report email', object: `${about} to ${to.length} recipient(s)` };
      checkKey(key, call);
      if (to.length === 0) {
        throw emailFailure(call, { status: 400, field: 'to' }, 'expected at least one recipient');
      }
      to.forEach((r, i) =>
        checkRecipient(
          { id: `to[${i}]`, name: r.name ?? '', email: r.email },
          { ...call, object: `${about}, to[${i}]` },
        ),
      );
      return remembered(key, async () => {
        const messageId = messageIdForKey(key);
        await transport
          .sendMail({
            from,
            to: to.map((r) => (r.name ? { name: r.name, address: r.email } : r.email)),
            subject: subject.replace(/[\r\n]+/g, ' '),
            text,
            html,
            attachments: (attachments ?? []).map((a) => ({
              filename: a.filename,
              contentType: a.contentType,
              content: a.content,
              ...(a.cid ? { cid: a.cid, contentDisposition: 'inline' as const } : {}),
            })),
            messageId,
            headers: {
              'X-MQL-Handoff-Key': key,
              'Auto-Submitted': 'auto-generated',
            },
            disableFileAccess: true,
            disableUrlAccess: true,
          })
          .catch((e: unknown) => {
            throw smtpServiceError(call, e);
          });
        return { system: 'email', objectType: 'message', id: messageId };
      });
    },

    sendHandoffBrief: ({ to, brief, key }: { to: Recipient; brief: HandoffBrief; key: string }) =>
      once(to, key, brief.workflowId, 'send handoff brief email', () => briefEmail(brief)),
    sendNotice: ({ to, notice, key }: { to: Recipient; notice: Notice; key: string }) =>
      once(to, key, notice.brief.workflowId, `send ${notice.kind} notice email`, () => noticeEmail(notice)),
  };
}

function checkKey(key: string, call: EmailCall): void {
  if (typeof key !== 'string' || !key.trim()) {
    throw emailFailure(call, { status: 400, field: 'key', value: key }, 'expected a non-empty idempotency key');
  }
}

function checkRecipient(to: Recipient, call: EmailCall): void {
  const domain = emailDomain(to.email);
  if (!domain || !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(to.email)) {
    // The address is PII: name the recipient and the field, not the value.
    throw emailFailure(call, { status: 400, field: 'email' }, 'expected an email address');
  }
}

function checkedSmtpUrl(smtpUrl: string): string {
  let url: URL | null = null;
  try {
    url = new URL(smtpUrl);
  } catch {
    /* reported below */
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    // The URL may carry a password: describe it, never echo it.
    throw new Error('SMTP_URL: expected smtp://host:port or smtps://user:password@host:465');
  }
  return smtpUrl;
}

function checkedFrom(from: string): string {
  if (typeof from !== 'string' || !/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/.test(from.trim())) {
    throw new Error(
      `EMAIL_FROM = ${JSON.stringify(from)}: expected an address such as "MQL Handoff <mql-handoff@acme.example>"`,
    );
  }
  return from.trim();
}
