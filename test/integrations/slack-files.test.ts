/**
 * Reports in Slack: the adapter's postReport and shareFile through the real @slack/web-api client (files.uploadV2:
 * files.getUploadURLExternal → the bytes to the upload URL → files.completeUploadExternal) against the Slack
 * emulator, and the emulator's file methods on the wire, with the errors Slack documents for them.
 */
import { WebClient } from '@slack/web-api';
import type { ReportChatPort } from '../../src/activities/ports';
import type { ServiceError } from '../../src/activities/service-error';
import { createSlackChat, keyedFilename } from '../../src/activities/slack/slack-chat';
import { startSlackEmulator, type SlackEmulator } from '../../src/sandbox/slack/slack-emulator';

const REVIEW = 'C0REVOPS01'; // the reviewer's channel in config/handoff.config.yaml; the app is a member
let slack: SlackEmulator;
let chat: ReportChatPort;
let web: WebClient;

beforeAll(async () => {
  slack = await startSlackEmulator();
  chat = createSlackChat({ token: slack.token, apiUrl: slack.apiUrl });
  web = new WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());
beforeEach(async () => {
  await fetch(`${slack.url}/_sandbox/reset`, { method: 'POST' });
});

/** 3,000 bytes that start like a PNG. */
const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2992, 7)]);
const file = { bytes, filename: 'handoff-health-2026-W48.png', title: 'Handoff health 2026-W48' };

async function api(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${slack.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('shareFile (files.uploadV2)', () => {
  it('uploads the bytes, shares them in the channel and names the file after the key', async () => {
    const shared = await chat.shareFile({ channel: REVIEW, file, key: 'weekly-digest:q:2026-W48:chart', about: 'x' });

    const [f, ...others] = slack.files();
    expect(others).toEqual([]);
    // printf '%s' 'weekly-digest:q:2026-W48:chart' | sha256sum | cut -c1-8
    expect(keyedFilename(file.filename, 'weekly-digest:q:2026-W48:chart')).toBe('handoff-health-2026-W48.3ffd118d.png');
    expect(f).toMatchObject({
      id: shared.fileId,
      name: 'handoff-health-2026-W48.3ffd118d.png',
      title: 'Handoff health 2026-W48',
      status: 'complete',
      mimetype: 'image/png',
      size: 3000,
      channels: [REVIEW],
    });
    expect(slack.fileBytes(shared.fileId)!.equals(bytes)).toBe(true);
    // The three calls files.uploadV2 makes, in order.
    expect(slack.requests.map((r) => r.path).filter((p) => !p.includes('files.list'))).toEqual([
      '/api/files.getUploadURLExternal',
      expect.stringMatching(/^\/upload\/v1\//),
      '/api/files.completeUploadExternal',
    ]);
    // The share is a message in the channel carrying the file.
    const [message] = slack.messages(REVIEW);
    expect(message).toMatchObject({ upload: true, files: [expect.objectContaining({ id: shared.fileId })] });
  });

  it('the same key again finds the file instead of uploading a second one', async () => {
    const key = 'weekly-digest:q:2026-W48:chart';
    const first = await chat.shareFile({ channel: REVIEW, file, key, about: 'x' });
    const again = await chat.shareFile({ channel: REVIEW, file, key, about: 'x' });
    expect(again).toEqual(first);
    expect(slack.files()).toHaveLength(1);
    expect(slack.messages(REVIEW)).toHaveLength(1);
    // Another key (another week) is another file.
    await chat.shareFile({ channel: REVIEW, file, key: 'weekly-digest:q:2026-W49:chart', about: 'x' });
    expect(slack.files()).toHaveLength(2);
  });

  it('a thread reply with a comment', async () => {
    const post = await chat.postReport({
      to: { channel: REVIEW },
      content: { text: 'digest', blocks: [] },
      key: 'k-post',
      about: 'x',
    });
    await chat.shareFile({ channel: REVIEW, file, comment: 'The chart', threadTs: post.ts, key: 'k-file', about: 'x' });
    expect(slack.messages(REVIEW).at(-1)).toMatchObject({ text: 'The chart', threadTs: post.ts, upload: true });
  });

  it('an app that is not in the channel gets not_in_channel: a 403 that is not retried', async () => {
    slack.addChannel({ id: 'C0PRIVATE01', name: 'private', botIsMember: false });
    const e = (await chat
      .shareFile({ channel: 'C0PRIVATE01', file, key: 'k', about: 'weekly digest 2026-W48' })
      .catch((x: unknown) => x)) as ServiceError;
    expect(e.details).toMatchObject({ service: 'slack', status: 403, code: 'not_in_channel' });
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('weekly digest 2026-W48 in channel C0PRIVATE01');
  });
});

describe('postReport', () => {
  it('posts once per key, to a channel or to a person by DM', async () => {
    const content = { text: 'Handoff health', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }] };
    const a = await chat.postReport({ to: { channel: REVIEW }, content, key: 'k1', about: 'weekly digest' });
    const b = await chat.postReport({ to: { channel: REVIEW }, content, key: 'k1', about: 'weekly digest' });
    expect(b).toEqual(a);
    expect(slack.messages(REVIEW)).toHaveLength(1);
    const dm = await chat.postReport({
      to: {
        id: 'vp-sales',
        name: 'Marcus Lind',
        email: 'marcus.lind@acme-analytics.example',
        slackUserId: 'U0VPSALES',
      },
      content,
      key: 'k2',
      about: 'weekly digest',
    });
    expect(dm.channel).toBe(slack.dmChannelOf('U0VPSALES'));
  });
});

describe('the emulator’s file methods on the wire', () => {
  it('files.getUploadURLExternal: upload_url and file_id; the argument errors Slack documents', async () => {
    const ok = await api('files.getUploadURLExternal', { filename: 'a.png', length: 4 });
    expect(ok).toMatchObject({ ok: true, file_id: expect.stringMatching(/^F/) });
    expect(String(ok.upload_url)).toMatch(new RegExp(`^${slack.url}/upload/v1/`));
    expect(await api('files.getUploadURLExternal', { filename: 'a.png', length: 0 })).toEqual({
      ok: false,
      error: 'missing_argument',
    });
    expect(await api('files.getUploadURLExternal', { length: 4 })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: filename [json-pointer:/filename]'] },
    });
    expect(
      await api('files.getUploadURLExternal', { filename: 'a.png', length: 4, alt_txt: 'x'.repeat(1001) }),
    ).toEqual({ ok: false, error: 'alt_txt_too_large' });
  });

  it('the upload URL takes raw bytes, answers 200 "OK - <bytes>", refuses a wrong length and a spent ticket', async () => {
    const { upload_url: url, file_id: id } = (await api('files.getUploadURLExternal', {
      filename: 'a.txt',
      length: 5,
    })) as { upload_url: string; file_id: string };
    const short = await fetch(url, { method: 'POST', body: 'abc' });
    expect(short.status).toBe(400);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'hello',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK - 5');
    expect((await fetch(url, { method: 'POST', body: 'hello' })).status).toBe(404);
    expect(slack.fileBytes(id)!.toString()).toBe('hello');
  });

  it('files.completeUploadExternal: shares in channel_id; refuses unknown or not-yet-uploaded files and bad channels', async () => {
    const { upload_url: url, file_id: id } = (await api('files.getUploadURLExternal', {
      filename: 'r.csv',
      length: 3,
    })) as { upload_url: string; file_id: string };
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: REVIEW })).toEqual({
      ok: false,
      error: 'file_not_found',
    });
    await fetch(url, { method: 'POST', body: 'a,b' });
    expect(await api('files.completeUploadExternal', { files: [{ id: 'F0NOPE' }] })).toEqual({
      ok: false,
      error: 'file_not_found',
    });
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: 'U0VPSALES' })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: {
        messages: ['[ERROR] input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]'],
      },
    });
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: 'C0NOSUCH99' })).toEqual({
      ok: false,
      error: 'invalid_channel',
    });
    expect(await api('files.completeUploadExternal', { channel_id: REVIEW })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
    const done = await api('files.completeUploadExternal', {
      files: [{ id, title: 'Report' }],
      channel_id: REVIEW,
      initial_comment: 'This week',
    });
    expect(done).toMatchObject({ ok: true, files: [{ id, title: 'Report', name: 'r.csv', channels: [REVIEW] }] });
    // Completed once: the ticket is spent.
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: REVIEW })).toEqual({
      ok: false,
      error: 'file_not_found',
    });
  });

  it('files.list filters by channel and time, pages, and lists only completed files; downloads need the token', async () => {
    const shared = await chat.shareFile({ channel: REVIEW, file, key: 'k', about: 'x' });
    await api('files.getUploadURLExternal', { filename: 'pending.png', length: 4 }); // never completed
    const listed = await web.files.list({ channel: REVIEW, count: 1, page: 1 });
    expect(listed.files?.map((f) => f.id)).toEqual([shared.fileId]);
    expect(listed.paging).toEqual({ count: 1, total: 1, page: 1, pages: 1 });
    expect((await web.files.list({ channel: 'C0OTHER001' })).files).toEqual([]);
    const later = String(Math.floor(Date.now() / 1000) + 3600);
    expect((await web.files.list({ ts_from: later })).files).toEqual([]);
    expect(await api('files.list', { types: 'movies' })).toEqual({ ok: false, error: 'unknown_type' });

    const url = listed.files![0]!.url_private_download!;
    expect((await fetch(url)).status).toBe(403);
    const got = await fetch(url, { headers: { authorization: `Bearer ${slack.token}` } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
