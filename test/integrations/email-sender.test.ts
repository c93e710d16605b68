/**
 * The email adapter through real nodemailer against the SMTP sink (smtp-server + mailparser).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmailSender, messageIdForKey } from '../../src/activities/email/email-sender';
import type { EmailPort, Recipient, ReportEmailPort } from '../../src/activities/ports';
import { startSmtpSink, type SmtpSink, type SmtpStage } from '../../src/sandbox/smtp/smtp-sink';
import { failureOf, HUGO, hostileBrief, sampleBrief, sampleNotice } from './brief-fixture';

let sink: SmtpSink;
let email: EmailPort & ReportEmailPort;
const FROM = 'MQL Handoff <mql-handoff@acme-analytics.example>';

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());
beforeEach(() => {
  sink.clear();
  email = createEmailSender({ smtpUrl: sink.url, from: FROM });
});

describe('sendHandoffBrief', () => {
  it('sends the brief as HTML and text with a Message-ID derived from the key', async () => {
    const ref = await email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'mql-hubspot-1001/0/brief-email' });

    // printf '%s' 'mql-hubspot-1001/0/brief-email' | sha256sum | cut -c1-32
    expect(ref).toEqual({
      system: 'email',
      objectType: 'message',
      id: '<66eebebc9d26028e479ed2e1673ddc4e@mql-handoff>',
    });
    expect(messageIdForKey('mql-hubspot-1001/0/brief-email')).toBe(ref.id);
    const [message, ...others] = sink.messages();
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      envelope: { from: 'mql-handoff@acme-analytics.example', to: ['hugo.laurent@acme-analytics.example'] },
      from: 'mql-handoff@acme-analytics.example',
      to: ['hugo.laurent@acme-analytics.example'],
      subject: 'New MQL: Demo request: Dana Ito, VP Operations at Globex (1,200 employees)',
      messageId: ref.id,
    });
    expect(message!.headers['x-mql-handoff-key']).toBe('mql-hubspot-1001/0/brief-email');
    expect(message!.headers['x-mql-handoff-workflow']).toBe('mql-hubspot-1001');
    expect(message!.headers['auto-submitted']).toBe('auto-generated');
    expect(message!.text).toContain('Why this lead:');
    expect(message!.text).toContain('First touch due: Tue 24 Nov, 12:00 EST (24 Nov 2026, 17:00 UTC)');
    expect(message!.html).toContain(
      '<a href="https://app.hubspot.com/contacts/4410001/record/0-1/1001">Open in HubSpot</a>',
    );
  });

  it('sends once per key from this worker; the same key always gets the same Message-ID', async () => {
    const first = await email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k1' });
    const again = await email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k1' });
    const other = await email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k2' });

    expect(again).toEqual(first);
    expect(other.id).not.toBe(first.id);
    expect(sink.messages().map((m) => m.messageId)).toEqual([first.id, other.id]);
  });

  it('concurrent sends with one key deliver once', async () => {
    const refs = await Promise.all(
      [1, 2, 3].map(() => email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'same' })),
    );
    expect(new Set(refs.map((r) => r.id)).size).toBe(1);
    expect(sink.messages()).toHaveLength(1);
  });

  it('escapes hostile names in the HTML part', async () => {
    await email.sendHandoffBrief({ to: HUGO, brief: hostileBrief(), key: 'hostile' });
    const [message] = sink.messages();
    expect(message!.html).not.toContain('<script>');
    expect(message!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message!.subject).not.toMatch(/[\r\n]/);
    expect(message!.to).toEqual(['hugo.laurent@acme-analytics.example']); // no Bcc smuggled in through the subject
  });
});

describe('crash after the write (SMTP cannot be asked afterwards)', () => {
  it('a retry resends with the same Message-ID, so mail clients can collapse the copies', async () => {
    sink.dropAfterData();
    const lost = await failureOf(email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'lost-ack' }));
    expect(lost.retryable).toBe(true);
    expect(sink.messages()).toHaveLength(1);

    const retried = await email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'lost-ack' });
    const ids = sink.messages().map((m) => m.messageId);
    expect(ids).toEqual([retried.id, retried.id]);
  });

  it('a new worker sending the same key uses the same Message-ID', async () => {
    const a = await email.sendNotice({ to: HUGO, notice: sampleNotice(), key: 'notice-1' });
    const restarted = createEmailSender({ smtpUrl: sink.url, from: FROM });
    const b = await restarted.sendNotice({ to: HUGO, notice: sampleNotice(), key: 'notice-1' });
    expect(b.id).toBe(a.id);
  });
});

describe('the sent-record: dedupe that survives a worker restart', () => {
  let dir: string;
  let record: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'email-sent-'));
    record = path.join(dir, 'data', 'email-sent.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const sender = () => createEmailSender({ smtpUrl: sink.url, from: FROM, sentRecord: record });

  it('a restarted worker does not send again what the first one sent', async () => {
    const first = await sender().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'mql-hubspot-1001/0/brief' });
    const restarted = sender();
    const again = await restarted.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'mql-hubspot-1001/0/brief' });
    expect(again).toEqual(first);
    expect(sink.messages().map((m) => m.messageId)).toEqual([first.id]);
  });

  it('two workers sharing the record send a key once, whichever sends first', async () => {
    const a = sender();
    const b = sender();
    const notice = await a.sendNotice({ to: HUGO, notice: sampleNotice(), key: 'notice-shared' });
    expect(await b.sendNotice({ to: HUGO, notice: sampleNotice(), key: 'notice-shared' })).toEqual(notice);
    const reportInput = {
      to: [{ email: 'revops@acme-analytics.example' }],
      subject: 'Handoff health 2026-W48',
      html: '<p>ok</p>',
      text: 'ok',
      key: 'weekly-digest:mql-handoff:2026-W48:email',
      about: 'weekly digest 2026-W48',
    };
    const report = await b.sendReport(reportInput);
    expect(await a.sendReport(reportInput)).toEqual(report);
    expect(sink.messages().map((m) => m.messageId)).toEqual([notice.id, report.id]);
  });

  it('a send that failed is not recorded: the next worker delivers it', async () => {
    sink.failNext({ code: 451, stage: 'data' });
    await failureOf(sender().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-failed' }));
    const ref = await sender().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-failed' });
    expect(sink.messages().map((m) => m.messageId)).toEqual([ref.id]);
  });

  it('holds Message-IDs only: no key, no address, no subject', async () => {
    const ref = await sender().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'mql-hubspot-1001/0/brief' });
    const text = readFileSync(record, 'utf8');
    expect(text).toContain(ref.id);
    expect(text).not.toContain('mql-hubspot-1001');
    expect(text).not.toContain('acme-analytics.example');
    expect(text).not.toContain('Dana');
  });

  it('keeps the newest entries when it grows past twice rememberKeys', async () => {
    const small = () => createEmailSender({ smtpUrl: sink.url, from: FROM, sentRecord: record, rememberKeys: 2 });
    const s1 = small();
    for (const key of ['g1', 'g2', 'g3', 'g4', 'g5']) {
      await s1.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key });
    }
    const lines = readFileSync(record, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines.join('\n')).toContain(messageIdForKey('g5'));
    sink.clear();
    await small().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'g5' });
    expect(sink.messages()).toEqual([]);
  });

  it('skips a torn last line (a worker killed mid-write) and reads the rest', async () => {
    const ref = await sender().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-torn' });
    writeFileSync(record, `${readFileSync(record, 'utf8')}{"messageId":"<abc`, { flag: 'w' });
    sink.clear();
    expect(await sender().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-torn' })).toEqual(ref);
    expect(sink.messages()).toEqual([]);
    await sender().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-after-torn' });
    const again = await sender().sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-after-torn' });
    expect(sink.messages().map((m) => m.messageId)).toEqual([again.id]);
  });

  it('a record that cannot be written stops the sender at construction, naming the file', () => {
    const notADirectory = path.join(dir, 'a-file');
    writeFileSync(notADirectory, '');
    const file = path.join(notADirectory, 'email-sent.jsonl');
    expect(() => createEmailSender({ smtpUrl: sink.url, from: FROM, sentRecord: file })).toThrow(
      `email sent-record ${file}: cannot be written`,
    );
  });
});

describe('sendNotice', () => {
  it('sends the notice with the lead, owner and due time', async () => {
    const ref = await email.sendNotice({ to: HUGO, notice: sampleNotice(), key: 'esc-1' });
    const [message] = sink.messages();
    expect(message).toMatchObject({
      subject: 'Escalation: Dana Ito (Globex) has waited 2 hours for first touch',
      messageId: ref.id,
    });
    expect(message!.text).toContain('Owner: Hugo Laurent');
    expect(message!.html).toContain('Hugo Laurent has not logged any activity yet.<br>');
  });
});

describe('failures become ServiceErrors Temporal can act on', () => {
  const send = () => email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'fail' });

  it.each<[number, SmtpStage, boolean, number]>([
    [421, 'mail', true, 503],
    [421, 'connect', true, 503],
    [450, 'rcpt', true, 503],
    [451, 'data', true, 503],
    [452, 'rcpt', true, 503],
    [535, 'mail', false, 401],
    [550, 'rcpt', false, 422],
    [552, 'data', false, 413],
    [554, 'data', false, 400],
  ])('SMTP %i at %s: retryable=%s', async (code, stage, retryable, status) => {
    sink.failNext({ code, stage });
    const err = await failureOf(send());
    expect(err.details).toMatchObject({ service: 'email', code: `SMTP ${code}`, status });
    expect(err.retryable).toBe(retryable);
    expect(sink.messages()).toEqual([]);
  });

  it('a failed send is not remembered: the retry delivers', async () => {
    sink.failNext({ code: 451, stage: 'data' });
    await failureOf(send());
    const ref = await send();
    expect(sink.messages().map((m) => m.messageId)).toEqual([ref.id]);
  });

  it('keeps recipient addresses quoted by the server out of the message', async () => {
    sink.failNext({ code: 550, stage: 'rcpt', message: '5.1.1 <hugo.laurent@acme-analytics.example> no such user' });
    const err = await failureOf(send());
    expect(err.message).toContain('…@acme-analytics.example');
    expect(err.message).not.toContain('hugo.laurent@');
    expect(err.details.field).toBe('to');
  });

  it('an unreachable server is a retryable transport error', async () => {
    const nowhere = createEmailSender({ smtpUrl: 'smtp://127.0.0.1:9', from: FROM, timeoutMs: 2000 });
    const err = await failureOf(nowhere.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'x' }));
    expect(err.details).toMatchObject({ transport: true });
    expect(err.retryable).toBe(true);
  });

  it('a recipient without a usable email is refused without echoing it', async () => {
    const noEmail: Recipient = { ...HUGO, email: 'hugo at acme' };
    const err = await failureOf(email.sendHandoffBrief({ to: noEmail, brief: sampleBrief(), key: 'x' }));
    expect(err.details).toMatchObject({ status: 400, field: 'email' });
    expect(err.message).toContain('recipient rep-hugo');
    expect(err.message).not.toContain('hugo at acme');
  });

  it('a brief that cannot be rendered is refused before anything is sent', async () => {
    const err = await failureOf(
      email.sendHandoffBrief({ to: HUGO, brief: sampleBrief({ slaDueAt: 'soon' }), key: 'x' }),
    );
    expect(err.details).toMatchObject({ status: 400, code: 'invalid_brief', field: 'slaDueAt' });
    expect(err.message).toContain('field slaDueAt = "soon": expected an ISO-8601 date-time');
    expect(err.retryable).toBe(false);
    expect(sink.messages()).toEqual([]);
  });

  it('an empty idempotency key is refused before anything is sent', async () => {
    const err = await failureOf(email.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: '' }));
    expect(err.details).toMatchObject({ service: 'email', status: 400, field: 'key', value: '' });
    expect(err.message).toContain('expected a non-empty idempotency key');
    expect(sink.messages()).toEqual([]);
  });

  it.each([
    ['an SMTP URL that is not one', { smtpUrl: 'https://user:s3cret@mail.example', from: FROM }, 'SMTP_URL: expected'],
    [
      'a sender that is not an address',
      { smtpUrl: 'smtp://127.0.0.1:25', from: 'MQL Handoff' },
      'EMAIL_FROM = "MQL Handoff"',
    ],
  ])('refuses %s at construction', (_n, opts, message) => {
    expect(() => createEmailSender(opts)).toThrow(message);
  });

  it('never echoes the SMTP password', () => {
    const build = () => createEmailSender({ smtpUrl: 'https://user:s3cret@mail.example', from: FROM });
    expect(build).toThrow('SMTP_URL');
    expect(build).not.toThrow(/s3cret/);
  });
});

describe('sendReport (the weekly digest)', () => {
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(500, 1)]);
  const report = {
    to: [
      { name: 'Marcus Lind', email: 'marcus.lind@acme-analytics.example' },
      { email: 'revops@acme-analytics.example' },
    ],
    subject: 'Handoff health 2026-W48: 1 of 5 metrics on target, 10 MQLs',
    html: '<p>SLA compliance 70%</p><img src="cid:chart@mql-handoff">',
    text: 'SLA compliance 70%',
    attachments: [{ filename: 'chart.png', contentType: 'image/png', cid: 'chart@mql-handoff', content: png }],
    key: 'weekly-digest:mql-handoff:2026-W48:email',
    about: 'weekly digest 2026-W48',
  };

  it('sends HTML, text and the inline chart to every recipient, once per key', async () => {
    const first = await email.sendReport(report);
    const again = await email.sendReport(report);
    expect(again).toEqual(first);
    expect(first.id).toBe(messageIdForKey(report.key));
    const [message, ...others] = sink.messages();
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      to: ['marcus.lind@acme-analytics.example', 'revops@acme-analytics.example'],
      subject: report.subject,
      text: 'SLA compliance 70%',
      messageId: first.id,
    });
    // The HTML keeps its cid: link, and the part it names is there, inline, byte for byte.
    expect(message!.html).toContain('<img src="cid:chart@mql-handoff">');
    expect(message!.attachments).toEqual([
      expect.objectContaining({ filename: 'chart.png', contentType: 'image/png', cid: 'chart@mql-handoff', size: 508 }),
    ]);
    expect(sink.attachmentBytes(message!.attachments[0]!.sha256)!.equals(png)).toBe(true);
    expect(message!.headers['x-mql-handoff-key']).toBe(report.key);
  });

  it('refuses no recipients or a bad address, naming the position and not the value', async () => {
    expect((await failureOf(email.sendReport({ ...report, to: [] }))).details).toMatchObject({
      status: 400,
      field: 'to',
    });
    const bad = await failureOf(email.sendReport({ ...report, to: [{ email: 'not-an-address' }] }));
    expect(bad.details).toMatchObject({ status: 400, field: 'email' });
    expect(bad.message).toContain('to[0]');
    expect(bad.message).not.toContain('not-an-address');
    expect(sink.messages()).toEqual([]);
  });
});
