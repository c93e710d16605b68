/**
 * A loopback SMTP server (smtp-server) that accepts every message, parses it (mailparser) and keeps it for
 * inspection. No TLS, no auth: it only listens on 127.0.0.1. Failure injection for the email adapter's tests:
 *  - `failNext({ code, stage })`: answer the next CONNECT / MAIL FROM / RCPT TO / DATA with an SMTP error
 *    (421 also closes the connection, as real servers do);
 *  - `dropAfterData()`: store the next message, then cut the connection before the 250 reply, the
 *    "accepted but the sender never heard" case SMTP cannot be asked about afterwards.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import { createHash } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface SinkMessage {
  /** Envelope sender and recipients (MAIL FROM / RCPT TO). */
  envelope: { from: string; to: string[] };
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** As in the header, with angle brackets: `<…@mql-handoff>`. */
  messageId: string;
  headers: Record<string, string>;
  /** Attachments as received (their bytes: `attachmentBytes`); inline images keep their Content-ID. */
  attachments: SinkAttachment[];
}

export interface SinkAttachment {
  filename: string;
  contentType: string;
  /** Without angle brackets, as an HTML `cid:` link names it. */
  cid?: string;
  disposition: string;
  size: number;
  sha256: string;
}

export type SmtpStage = 'connect' | 'mail' | 'rcpt' | 'data';

export interface SmtpFault {
  /** SMTP reply code, e.g. 421, 451, 550. */
  code: number;
  /** Where to answer with it (default 'mail': the first command of a transaction). */
  stage?: SmtpStage;
  message?: string;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  /** For `createEmailSender({ smtpUrl })`. */
  readonly url: string;
  messages(): SinkMessage[];
  /** The bytes of an attachment received, by its sha256. */
  attachmentBytes(sha256: string): Buffer | undefined;
  failNext(fault: SmtpFault): void;
  dropAfterData(): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { port?: number } = {}): Promise<SmtpSink> {
  const host = '127.0.0.1';
  let messages: SinkMessage[] = [];
  let faults: Required<SmtpFault>[] = [];
  let dropNext = false;
  /** Attachment bytes by their sha256. */
  let attachmentBytes = new Map<string, Buffer>();
  const sockets = new Map<number, Socket>();

  const takeFault = (stage: SmtpStage): Error | null => {
    const i = faults.findIndex((f) => f.stage === stage);
    if (i < 0) return null;
    const [f] = faults.splice(i, 1);
    return Object.assign(new Error(f!.message), { responseCode: f!.code });
  };

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1000,
    size: 10 * 1024 * 1024,
    onConnect: (_session, cb) => cb(takeFault('connect') ?? undefined),
    onMailFrom: (_address, _session, cb) => cb(takeFault('mail') ?? undefined),
    onRcptTo: (_address, _session, cb) => cb(takeFault('rcpt') ?? undefined),
    onData: (stream, session, cb) => {
      // keepCidLinks: the HTML is kept as sent (`cid:` links), not rewritten to data: URIs.
      simpleParser(stream, { keepCidLinks: true })
        .then((parsed) => {
          const fault = takeFault('data');
          if (fault) return cb(fault);
          messages.push({
            envelope: envelopeOf(session),
            from: addresses(parsed.from)[0] ?? '',
            to: addresses(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            headers: Object.fromEntries([...parsed.headers].map(([k, v]) => [k, headerText(v)])),
            attachments: parsed.attachments.map((a) => {
              const bytes = Buffer.from(a.content);
              const sha256 = createHash('sha256').update(bytes).digest('hex');
              attachmentBytes.set(sha256, bytes);
              return {
                filename: a.filename ?? '',
                contentType: a.contentType,
                ...(a.cid ? { cid: a.cid.replace(/^<|>$/g, '') } : {}),
                disposition: a.contentDisposition ?? 'attachment',
                size: bytes.length,
                sha256,
              };
            }),
          });
          if (dropNext) {
            dropNext = false;
            sockets.get(session.remotePort)?.destroy();
            return;
          }
          cb();
        })
        .catch((e: Error) => cb(Object.assign(e, { responseCode: 451 })));
    },
  });
  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    socket.on('close', () => sockets.delete(port));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // smtp-server reports connection-level errors (e.g. a dropped client) here; they are expected in a sink.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    messages: () => [...messages],
    attachmentBytes: (sha256) => attachmentBytes.get(sha256),
    failNext: (f) => faults.push({ code: f.code, stage: f.stage ?? 'mail', message: f.message ?? defaultText(f.code) }),
    dropAfterData: () => {
      dropNext = true;
    },
    clear: () => {
      messages = [];
      attachmentBytes = new Map();
      faults = [];
      dropNext = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function envelopeOf(session: SMTPServerSession): SinkMessage['envelope'] {
  const from = session.envelope.mailFrom;
  return {
    from: from ? from.address : '',
    to: session.envelope.rcptTo.map((r) => r.address),
  };
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a]).flatMap((x) => x.value.map((v) => v.address ?? '')).filter(Boolean);
}

function headerText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text);
  if (v && typeof v === 'object' && 'value' in v) return String((v as { value: unknown }).value);
  return JSON.stringify(v);
}

function defaultText(code: number): string {
  switch (code) {
    case 421:
      return 'Service not available, closing transmission channel';
    case 450:
      return 'Requested mail action not taken: mailbox unavailable';
    case 451:
      return 'Requested action aborted: local error in processing';
    case 452:
      return 'Requested action not taken: insufficient system storage';
    case 550:
      return 'Requested action not taken: mailbox unavailable';
    case 554:
      return 'Transaction failed';
    default:
      return 'Sandbox-injected failure';
  }
}
