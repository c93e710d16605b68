/**
 * The Slack emulator answers the real WebClient the way Slack does: what the adapter tests rely on.
 */
import { ErrorCode, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { interactionFormBody, slackSignatureHeaders } from '../../src/sandbox/slack/interaction-payload';
import { startSlackEmulator, type SlackEmulator } from '../../src/sandbox/slack/slack-emulator';

let slack: SlackEmulator;
let web: WebClient;

beforeAll(async () => {
  slack = await startSlackEmulator();
  web = new WebClient(slack.token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
});
afterAll(() => slack.close());
beforeEach(async () => {
  await fetch(`${slack.url}/_sandbox/reset`, { method: 'POST' });
});

async function slackError(p: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as WebAPIPlatformError | null;
  expect(err?.code).toBe(ErrorCode.PlatformError);
  return err!.data;
}

describe('workspace seeded from config/handoff.config.yaml', () => {
  it.each([
    ['ana.ruiz@acme-analytics.example', 'U0REPANA1'],
    ['Priya.Shah@acme-analytics.example', 'U0MGRSDR1'],
    ['marcus.lind@acme-analytics.example', 'U0VPSALES'],
  ])('users.lookupByEmail %s → %s', async (email, id) => {
    const res = await web.users.lookupByEmail({ email });
    expect(res.user?.id).toBe(id);
    expect(res.user?.profile?.email).toBe(email.toLowerCase());
  });

  it('answers users_not_found for an unknown email and user_not_found for an unknown id', async () => {
    expect((await slackError(web.users.lookupByEmail({ email: 'nobody@nowhere.example' }))).error).toBe(
      'users_not_found',
    );
    expect((await slackError(web.users.info({ user: 'U0NOBODY1' }))).error).toBe('user_not_found');
  });

  it('has the review channel with the bot in it', async () => {
    const res = await web.chat.postMessage({ channel: 'C0REVOPS01', text: 'hello' });
    expect(res.channel).toBe('C0REVOPS01');
    const auth = await web.auth.test();
    expect(auth.user_id).toBe(slack.botUserId);
  });
});

describe('auth', () => {
  it.each([
    ['a wrong token', 'invalid_auth', 'xoxb-wrong'],
    ['no token', 'not_authed', undefined],
  ])('%s → %s', async (_n, error, token) => {
    const client = new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    expect((await slackError(client.auth.test())).error).toBe(error);
  });

  it('unknown methods → unknown_method', async () => {
    expect((await slackError(web.apiCall('chat.frobnicate', {}))).error).toBe('unknown_method');
  });
});

describe('chat.postMessage', () => {
  it("rejects blocks that break Block Kit limits with Slack's messages", async () => {
    const data = await slackError(
      web.chat.postMessage({
        channel: 'C0REVOPS01',
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      }),
    );
    expect(data.error).toBe('invalid_blocks');
    expect(data.response_metadata?.messages).toEqual([
      '[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    ]);
    expect(slack.messages()).toEqual([]);
  });

  it.each([
    ['no text and no blocks', {}, 'no_text'],
    ['metadata without event_type', { text: 'x', metadata: { event_payload: {} } }, 'invalid_metadata_format'],
    ['a channel that does not exist', { text: 'x', channel: 'C0MISSING' }, 'channel_not_found'],
  ])('rejects %s', async (_n, args, error) => {
    expect((await slackError(web.apiCall('chat.postMessage', { channel: 'C0REVOPS01', ...args }))).error).toBe(error);
  });

  it("posting to a user id posts in the bot's DM with them", async () => {
    const res = await web.chat.postMessage({ channel: 'U0REPBEN1', text: 'hi Ben' });
    expect(res.channel).toBe(slack.dmChannelOf('U0REPBEN1'));
    expect(slack.dmsTo('U0REPBEN1').map((m) => m.text)).toEqual(['hi Ben']);
  });

  it('accepts JSON bodies as Slack does', async () => {
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        channel: 'C0REVOPS01',
        text: 'json',
        metadata: { event_type: 't', event_payload: { a: 1 } },
      }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C0REVOPS01', message: { text: 'json' } });
    expect(slack.messages('C0REVOPS01')[0]?.metadata).toEqual({ event_type: 't', event_payload: { a: 1 } });
  });
});

describe('conversations.history', () => {
  it('returns metadata only with include_all_metadata, newest first, paged by cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await web.chat.postMessage({
        channel: 'C0REVOPS01',
        text: `m${i}`,
        metadata: { event_type: 'mql_handoff', event_payload: { key: `k${i}` } },
      });
    }
    const plain = await web.conversations.history({ channel: 'C0REVOPS01', limit: 2 });
    expect(plain.messages?.map((m) => m.text)).toEqual(['m4', 'm3']);
    expect(plain.messages?.[0]?.metadata).toBeUndefined();
    expect(plain.has_more).toBe(true);

    const page2 = await web.conversations.history({
      channel: 'C0REVOPS01',
      limit: 2,
      include_all_metadata: true,
      cursor: plain.response_metadata?.next_cursor,
    });
    expect(page2.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([
      ['m2', { key: 'k2' }],
      ['m1', { key: 'k1' }],
    ]);
  });

  it('filters by oldest (exclusive)', async () => {
    const a = await web.chat.postMessage({ channel: 'C0REVOPS01', text: 'a' });
    await web.chat.postMessage({ channel: 'C0REVOPS01', text: 'b' });
    const res = await web.conversations.history({ channel: 'C0REVOPS01', oldest: a.ts });
    expect(res.messages?.map((m) => m.text)).toEqual(['b']);
  });

  it.each([
    ['a channel the bot was not invited to', 'not_in_channel', 'C0PRIVATE1'],
    ['a channel that does not exist', 'channel_not_found', 'C0NOTHERE'],
  ])('%s → %s', async (_n, error, channel) => {
    slack.addChannel({ id: 'C0PRIVATE1', name: 'private', members: ['U0REPANA1'], botIsMember: false });
    expect((await slackError(web.conversations.history({ channel }))).error).toBe(error);
    expect((await slackError(web.chat.postMessage({ channel, text: 'x' }))).error).toBe(error);
  });
});

describe('chat.update and chat.postEphemeral', () => {
  it('updates a bot message in place and records the update', async () => {
    const posted = await web.chat.postMessage({ channel: 'C0REVOPS01', text: 'before' });
    const res = await web.chat.update({ channel: 'C0REVOPS01', ts: posted.ts!, text: 'after' });
    expect(res.ts).toBe(posted.ts);
    expect(slack.messages('C0REVOPS01')).toEqual([expect.objectContaining({ ts: posted.ts, text: 'after' })]);
    expect(slack.updates()).toEqual([expect.objectContaining({ via: 'chat.update', text: 'after' })]);
    expect((await slackError(web.chat.update({ channel: 'C0REVOPS01', ts: '1.000001', text: 'x' }))).error).toBe(
      'message_not_found',
    );
  });

  it("chat.delete removes the bot's message; a second delete, or an update of it, is message_not_found", async () => {
    const posted = await web.chat.postMessage({ channel: 'C0REVOPS01', text: 'soon gone' });
    const res = await web.chat.delete({ channel: 'C0REVOPS01', ts: posted.ts! });
    expect(res).toMatchObject({ ok: true, channel: 'C0REVOPS01', ts: posted.ts });
    expect(slack.messages('C0REVOPS01')).toEqual([]);
    expect((await slackError(web.chat.delete({ channel: 'C0REVOPS01', ts: posted.ts! }))).error).toBe(
      'message_not_found',
    );
    expect((await slackError(web.chat.update({ channel: 'C0REVOPS01', ts: posted.ts!, text: 'x' }))).error).toBe(
      'message_not_found',
    );
  });

  it('a forgotten conversation is channel_not_found until conversations.open makes it again, empty', async () => {
    const posted = await web.chat.postMessage({ channel: 'U0REPANA1', text: 'brief' });
    slack.forgetConversation(posted.channel!);
    expect((await slackError(web.chat.update({ channel: posted.channel!, ts: posted.ts!, text: 'x' }))).error).toBe(
      'channel_not_found',
    );
    const reopened = await web.conversations.open({ users: 'U0REPANA1' });
    expect(reopened.channel?.id).toBe(posted.channel);
    expect(reopened.already_open).toBeUndefined();
    expect((await web.conversations.history({ channel: posted.channel! })).messages).toEqual([]);
  });

  it('ephemeral messages go to members only', async () => {
    await web.chat.postEphemeral({ channel: 'C0REVOPS01', user: 'U0VPSALES', text: 'only you' });
    expect(slack.ephemerals('U0VPSALES')).toEqual([expect.objectContaining({ text: 'only you' })]);
    expect(
      (await slackError(web.chat.postEphemeral({ channel: 'C0REVOPS01', user: 'U0REPANA1', text: 'x' }))).error,
    ).toBe('user_not_in_channel');
  });
});

describe('interactions', () => {
  async function postedWithButton() {
    return web.chat.postMessage({
      channel: 'U0REPANA1',
      text: 'brief',
      blocks: [
        {
          type: 'actions',
          block_id: 'handoff_actions',
          elements: [
            {
              type: 'button',
              action_id: 'handoff_accept',
              text: { type: 'plain_text', text: 'Accept' },
              value: '{"wf":"w"}',
            },
          ],
        },
      ],
    });
  }

  it('builds a block_actions payload from the stored message, with a working response_url', async () => {
    const posted = await postedWithButton();
    const payload = slack.blockAction({
      channel: posted.channel!,
      ts: posted.ts!,
      user: 'U0REPANA1',
      actionId: 'handoff_accept',
    });
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0REPANA1' },
      container: { type: 'message', message_ts: posted.ts, channel_id: posted.channel },
      actions: [{ type: 'button', action_id: 'handoff_accept', block_id: 'handoff_actions', value: '{"wf":"w"}' }],
    });

    const ephemeral = await fetch(payload.response_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Already accepted by Ben' }),
    });
    expect(ephemeral.status).toBe(200);
    expect(slack.ephemerals('U0REPANA1')).toEqual([
      expect.objectContaining({ via: 'response_url', text: 'Already accepted by Ben' }),
    ]);
  });

  it('a response_url works five times, then expires', async () => {
    const posted = await postedWithButton();
    const { response_url } = slack.blockAction({
      channel: posted.channel!,
      ts: posted.ts!,
      user: 'U0REPANA1',
      actionId: 'handoff_accept',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(response_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text":"x"}',
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
  });

  it('signs interaction requests as Slack does', () => {
    const body = interactionFormBody({ type: 'block_actions' } as Parameters<typeof interactionFormBody>[0]);
    expect(body).toBe(`payload=${encodeURIComponent('{"type":"block_actions"}')}`);
    // printf '%s' 'v0:1700000000:<body>' | openssl dgst -sha256 -hmac shh
    expect(slackSignatureHeaders(body, 'shh', 1_700_000_000)).toEqual({
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': '1700000000',
      'x-slack-signature': 'v0=59a0977b9c4197322b02adf7ef91082f1b907347f0282616ebf3dea89a167ddc',
    });
  });
});

describe('onMessage (what the bench times arrivals by)', () => {
  it('tells a listener of every message the bot posts or updates, with its metadata, until unsubscribed', async () => {
    const seen: { method: string; text: string; key: unknown }[] = [];
    const off = slack.onMessage(({ method, message }) =>
      seen.push({ method, text: message.text, key: message.metadata?.event_payload.key }),
    );
    const posted = await web.chat.postMessage({
      channel: 'C0REVOPS01',
      text: 'first',
      metadata: { event_type: 'mql_handoff', event_payload: { key: 'k-1' } },
    });
    await web.chat.update({ channel: 'C0REVOPS01', ts: posted.ts!, text: 'edited' });
    off();
    await web.chat.postMessage({ channel: 'C0REVOPS01', text: 'after unsubscribing' });
    expect(seen).toEqual([
      { method: 'chat.postMessage', text: 'first', key: 'k-1' },
      { method: 'chat.update', text: 'edited', key: 'k-1' },
    ]);
  });
});
