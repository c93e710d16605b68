/**
 * The Slack emulator's state file: what `npm start` gives it (<data dir>/sandbox/slack.json) so that a restart
 * remembers the DMs, messages and files live handoffs still point at. Without one the emulator keeps everything in
 * memory, as the tests do.
 */
import { ErrorCode, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import { SLACK_METADATA_EVENT_TYPE } from '../../src/activities/slack/interaction-contract';
import { startSandbox } from '../../src/sandbox';
import { startSlackEmulator, type SlackEmulator } from '../../src/sandbox/slack/slack-emulator';

let dir: string;
let stateFile: string;
const running: SlackEmulator[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'slack-state-'));
  stateFile = path.join(dir, 'sandbox', 'slack.json');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(file: string | null = stateFile): Promise<{ slack: SlackEmulator; web: WebClient }> {
  const slack = await startSlackEmulator(file ? { stateFile: file } : {});
  running.push(slack);
  const web = new WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  return { slack, web };
}

async function stop(slack: SlackEmulator): Promise<void> {
  running.splice(running.indexOf(slack), 1);
  await slack.close();
}

async function slackError(p: Promise<unknown>): Promise<string> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as WebAPIPlatformError | null;
  expect(err?.code).toBe(ErrorCode.PlatformError);
  return err!.data.error;
}

describe('with a state file', () => {
  it('a restarted emulator still has the DM, its message (with metadata) and chat.update works on it', async () => {
    const first = await start();
    const { channel } = await first.web.conversations.open({ users: 'U0REPANA1' });
    const posted = await first.web.chat.postMessage({
      channel: channel!.id!,
      text: 'New MQL for you',
      metadata: { event_type: SLACK_METADATA_EVENT_TYPE, event_payload: { key: 'k1', wf: 'mql-hubspot-1' } },
    });
    await stop(first.slack);
    expect(existsSync(stateFile)).toBe(true);

    const second = await start();
    expect(second.slack.dmChannelOf('U0REPANA1')).toBe(channel!.id);
    const history = await second.web.conversations.history({ channel: channel!.id!, include_all_metadata: true });
    expect(history.messages).toEqual([
      expect.objectContaining({
        ts: posted.ts,
        text: 'New MQL for you',
        metadata: { event_type: SLACK_METADATA_EVENT_TYPE, event_payload: { key: 'k1', wf: 'mql-hubspot-1' } },
      }),
    ]);
    const updated = await second.web.chat.update({ channel: channel!.id!, ts: posted.ts!, text: 'accepted' });
    expect(updated.ts).toBe(posted.ts);
    expect(second.slack.dmsTo('U0REPANA1')).toEqual([expect.objectContaining({ ts: posted.ts, text: 'accepted' })]);

    // A message posted after the restart gets a ts of its own.
    const later = await second.web.chat.postMessage({ channel: channel!.id!, text: 'later' });
    expect(later.ts).not.toBe(posted.ts);
  });

  it('keeps shared files and their bytes', async () => {
    const first = await start();
    const bytes = Buffer.from('hello chart');
    const res = (await first.web.files.uploadV2({
      file: bytes,
      filename: 'chart.txt',
      title: 'Chart',
      channel_id: 'C0REVOPS01',
    })) as unknown as { files: { files: { id: string }[] }[] };
    const fileId = res.files[0]!.files[0]!.id;
    await stop(first.slack);

    const second = await start();
    const info = await second.web.files.info({ file: fileId });
    expect(info.file).toMatchObject({ id: fileId, name: 'chart.txt', size: bytes.length });
    const download = await fetch(info.file!.url_private_download!, {
      headers: { authorization: `Bearer ${second.slack.token}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('a reset empties the file too', async () => {
    const first = await start();
    await first.web.chat.postMessage({ channel: 'U0REPANA1', text: 'hi' });
    await fetch(`${first.slack.url}/_sandbox/reset`, { method: 'POST' });
    await stop(first.slack);

    const second = await start();
    expect(second.slack.messages()).toEqual([]);
    expect(second.slack.dmChannelOf('U0REPANA1')).toBeUndefined();
  });

  it('refuses a file it cannot read, naming it and what it expected', async () => {
    const first = await start();
    await first.web.chat.postMessage({ channel: 'U0REPANA1', text: 'hi' });
    await stop(first.slack);
    writeFileSync(stateFile, '{"version": 1, "messages": ');

    await expect(startSlackEmulator({ stateFile })).rejects.toThrow(
      `Slack emulator state file ${stateFile}: not valid JSON`,
    );
    writeFileSync(stateFile, JSON.stringify({ version: 7 }));
    await expect(startSlackEmulator({ stateFile })).rejects.toThrow(
      /: version 7; expected the JSON the sandbox writes \(version 1\)/,
    );
  });
});

describe('without a state file', () => {
  it('a restart forgets the DMs (the in-memory sandbox the tests use)', async () => {
    const first = await start(null);
    await first.web.chat.postMessage({ channel: 'U0REPANA1', text: 'hi' });
    await stop(first.slack);

    const second = await start(null);
    expect(second.slack.dmChannelOf('U0REPANA1')).toBeUndefined();
    expect(await slackError(second.web.conversations.history({ channel: 'D0REPANA1' }))).toBe('channel_not_found');
  });
});

describe('startSandbox', () => {
  it('keeps the Slack workspace in <stateDir>/slack.json and says so in the banner', async () => {
    const stateDir = path.join(dir, 'sandbox');
    const sandbox = await startSandbox({
      config: loadOrgConfigFile(resolveOrgConfigPath()),
      services: ['slack'],
      stateDir,
    });
    try {
      const web = new WebClient(sandbox.slack!.token, {
        slackApiUrl: sandbox.slack!.apiUrl,
        retryConfig: { retries: 0 },
      });
      await web.chat.postMessage({ channel: 'U0REPANA1', text: 'hi' });
      expect(sandbox.describe().join('\n')).toContain(`kept in ${path.join(stateDir, 'slack.json')}`);
    } finally {
      await sandbox.close();
    }
    const saved = JSON.parse(readFileSync(path.join(stateDir, 'slack.json'), 'utf8')) as { messages: unknown[] };
    expect(saved.messages).toEqual([expect.objectContaining({ channel: 'D0REPANA1', text: 'hi' })]);
  });
});
