/**
 * A loopback SMTP server (smtp-server) that accepts every message, parses it (mailparser) and keeps it for
 * inspection. No TLS, no auth: it only listens on 127.0.0.1. Failure injection for the email adapter's tests:
 *  - `failNext({ code, stage })`: answer the next CONNECT / MAIL FROM / RCPT TO / DATA with an SMTP error
 *    (421 also closes the connection, as real servers do);
 *  - `dropAfterData()`: store the next message, then cut the connection before the 250 reply, the
 *    "accepted but the sender never heard" case SMTP cannot be asked about afterwards;
 *  - `setRandomFaults({ rate, codes, seed })`: each transaction has `rate` odds of a temporary failure (421 or 451
 *    by default) at MAIL FROM, drawn from a PRNG seeded with `seed` (the emulator kit's), so the same seed and the
 *    same mail give the same failures; `faultStats()` counts them.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import { createHash } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { FaultSpecError, SeededRandom } from '../emulator-kit';

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

/** Seeded random SMTP failures (temporary ones by default). */
export interface SmtpRandomFaults {
  /** Odds that a transaction fails at `stage`, 0 to 1. */
  rate: number;
  /** Reply codes drawn from, equally likely (default 421 and 451: temporary failures). */
  codes?: number[];
  /** PRNG seed, an integer (default 1). */
  seed?: number;
  /** Where to answer with it (default 'mail'). */
  stage?: SmtpStage;
}

export interface SmtpFaultStats {
  /** The random mode, with its defaults filled in; null when off. */
  random: Required<SmtpRandomFaults> | null;
  /** Commands seen at each stage (connections for 'connect'). */
  seen: Record<SmtpStage, number>;
  /** Failures answered, by reply code (one-off and random). */
  injected: Record<string, number>;
  /** Of those, drawn by the random mode. */
  injectedRandom: Record<string, number>;
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
  /** Turns the seeded random failures on (the PRNG restarting from `seed`); throws naming a bad field. */
  setRandomFaults(spec: SmtpRandomFaults): void;
  clearRandomFaults(): void;
  faultStats(): SmtpFaultStats;
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

  let random: Required<SmtpRandomFaults> | null = null;
  let rng = new SeededRandom(1);
  let stats = emptySmtpStats();

  const takeFault = (stage: SmtpStage): Error | null => {
    stats.seen[stage] += 1;
    const i = faults.findIndex((f) => f.stage === stage);
    let code: number;
    let message: string;
    if (i >= 0) {
      const [f] = faults.splice(i, 1);
      code = f!.code;
      message = f!.message;
    } else if (random && random.stage === stage && random.rate > 0 && rng.next() < random.rate) {
      code = rng.pick(random.codes);
      message = defaultText(code);
      stats.injectedRandom[code] = (stats.injectedRandom[code] ?? 0) + 1;
    } else {
      return null;
    }
    stats.injected[code] = (stats.injected[code] ?? 0) + 1;
    return Object.assign(new Error(message), { responseCode: code });
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
    setRandomFaults: (spec) => {
      random = resolveSmtpRandomFaults(spec);
      rng = new SeededRandom(random.seed);
    },
    clearRandomFaults: () => {
      random = null;
    },
    faultStats: () => ({
      random: random ? { ...random, codes: [...random.codes] } : null,
      seen: { ...stats.seen },
      injected: { ...stats.injected },
      injectedRandom: { ...stats.injectedRandom },
    }),
    clear: () => {
      messages = [];
      attachmentBytes = new Map();
      faults = [];
      dropNext = false;
      random = null;
      stats = emptySmtpStats();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SMTP_STAGES: readonly SmtpStage[] = ['connect', 'mail', 'rcpt', 'data'];

function emptySmtpStats(): Omit<SmtpFaultStats, 'random'> {
  return { seen: { connect: 0, mail: 0, rcpt: 0, data: 0 }, injected: {}, injectedRandom: {} };
}

/** Checks a random-failure spec and fills in the defaults. */
export function resolveSmtpRandomFaults(input: unknown): Required<SmtpRandomFaults> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new FaultSpecError('random', input, 'an object { rate, codes?, seed?, stage? }');
  }
  const spec = input as Record<string, unknown>;
  if (typeof spec.rate !== 'number' || !(spec.rate >= 0 && spec.rate <= 1)) {
    throw new FaultSpecError('random.rate', spec.rate, 'a number from 0 to 1');
  }
  const codes = spec.codes ?? [421, 451];
  if (
    !Array.isArray(codes) ||
    codes.length === 0 ||
    !codes.every((c) => Number.isInteger(c) && (c as number) >= 400 && (c as number) <= 599)
  ) {
    throw new FaultSpecError('random.codes', codes, 'a non-empty list of SMTP reply codes 400–599');
  }
  const seed = spec.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new FaultSpecError('random.seed', seed, 'an integer');
  }
  const stage = spec.stage ?? 'mail';
  if (typeof stage !== 'string' || !SMTP_STAGES.includes(stage as SmtpStage)) {
    throw new FaultSpecError('random.stage', stage, `one of ${SMTP_STAGES.join(', ')}`);
  }
  return { rate: spec.rate, codes: [...(codes as number[])], seed, stage: stage as SmtpStage };
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
