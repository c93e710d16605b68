/**
 * The Slack adapter through the real @slack/web-api WebClient against the Slack emulator.
 */
import { WebClient } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import type { ChatMessageRef, ChatPort, Recipient } from '../../src/activities/ports';
import { toActivityFailure, type ServiceError } from '../../src/activities/service-error';
import {
  decodeActionValue,
  SLACK_ACTIONS,
  SLACK_METADATA_EVENT_TYPE,
} from '../../src/activities/slack/interaction-contract';
import { createSlackChat } from '../../src/activities/slack/slack-chat';
import { createSlackResponder } from '../../src/activities/slack/slack-responder';
import { startSlackEmulator, type SlackEmulator } from '../../src/sandbox/slack/slack-emulator';
import { ANA_BY_EMAIL, failureOf, HUGO, PRIYA, sampleBrief, sampleNotice } from './brief-fixture';

let slack: SlackEmulator;
let chat: ChatPort;

beforeAll(async () => {
  slack = await startSlackEmulator();
  chat = createSlackChat({ token: slack.token, apiUrl: slack.apiUrl });
});
afterAll(() => slack.close());
beforeEach(async () => {
  await fetch(`${slack.url}/_sandbox/reset`, { method: 'POST' });
});

function actionIds(blocks: unknown[] | undefined): string[] {
  return (blocks ?? [])
    .filter((b) => (b as { type: string }).type === 'actions')
    .flatMap((b) => ((b as { elements: { action_id: string }[] }).elements ?? []).map((e) => e.action_id));
}

describe('sendHandoffBrief', () => {
  it('DMs the rep the brief with the three actions and idempotency metadata', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'mql-hubspot-1001/0/brief' });

    expect(ref.channel).toBe(slack.dmChannelOf('U0REPHUG1'));
    const [message, ...others] = slack.dmsTo('U0REPHUG1');
    expect(others).toHaveLength(0);
    expect(message).toMatchObject({
      ts: ref.ts,
      user: slack.botUserId,
      text: 'New MQL for you: Dana Ito (Globex). First touch due Tue 24 Nov, 12:00 EST',
      metadata: {
        event_type: SLACK_METADATA_EVENT_TYPE,
        event_payload: { key: 'mql-hubspot-1001/0/brief', wf: 'mql-hubspot-1001' },
      },
    });
    expect(actionIds(message!.blocks)).toEqual([SLACK_ACTIONS.accept, SLACK_ACTIONS.reject, SLACK_ACTIONS.reachedOut]);
  });

  it('finds a recipient without a Slack id by email', async () => {
    const ref = await chat.sendHandoffBrief({ to: ANA_BY_EMAIL, brief: sampleBrief(), key: 'k-ana' });

    expect(slack.requests.map((r) => r.path)).toContain('/api/users.lookupByEmail');
    expect(ref.channel).toBe(slack.dmChannelOf('U0REPANA1'));
    expect(slack.dmsTo('U0REPANA1').map((m) => m.ts)).toEqual([ref.ts]);
  });

  it('posts once per key: the same key returns the first message, a new key posts again', async () => {
    const first = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k1' });
    const again = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k1' });
    const other = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k2' });

    expect(again).toEqual(first);
    expect(other.ts).not.toBe(first.ts);
    expect(slack.dmsTo('U0REPHUG1')).toHaveLength(2);
  });
});

describe('the idempotency lookup window', () => {
  async function seedDm(count: number): Promise<string[]> {
    const web = new WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const { channel } = await web.conversations.open({ users: 'U0REPHUG1' });
    const ts: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await web.chat.postMessage({
        channel: channel!.id!,
        text: `earlier ${i}`,
        metadata: { event_type: SLACK_METADATA_EVENT_TYPE, event_payload: { key: `old-${i}`, wf: 'w' } },
      });
      ts.push(res.ts!);
    }
    return ts;
  }

  it('pages back through history to find the key', async () => {
    const ts = await seedDm(205);
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'old-0' });
    expect(ref.ts).toBe(ts[0]);
    expect(slack.dmsTo('U0REPHUG1')).toHaveLength(205);
  });

  it('reads no further than the configured window', async () => {
    await seedDm(5);
    const narrow = createSlackChat({ token: slack.token, apiUrl: slack.apiUrl, lookback: { messages: 3 } });
    await narrow.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'old-0' });
    expect(slack.dmsTo('U0REPHUG1')).toHaveLength(6);
  });
});

describe('crash after the write: a retry with the same key finds the message instead of posting again', () => {
  it.each<[string, (key: string) => Promise<ChatMessageRef>, () => unknown[]]>([
    [
      'handoff brief DM',
      (key) => chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key }),
      () => slack.dmsTo('U0REPHUG1'),
    ],
    [
      'notice to the review channel',
      (key) => chat.sendNotice({ to: { channel: 'C0REVOPS01' }, notice: sampleNotice({ kind: 'vp_review' }), key }),
      () => slack.messages('C0REVOPS01'),
    ],
    [
      'notice DM to a manager',
      (key) => chat.sendNotice({ to: PRIYA, notice: sampleNotice(), key }),
      () => slack.dmsTo('U0MGRSDR1'),
    ],
  ])('%s', async (_name, send, stored) => {
    slack.faults.inject({ kind: 'drop_after_write', path: '/api/chat.postMessage' });

    const lost = await failureOf(send('crash-key'));
    expect(lost.details).toMatchObject({ service: 'slack', transport: true });
    expect(lost.retryable).toBe(true);
    expect(stored()).toHaveLength(1);

    const retried = await send('crash-key');
    expect(stored()).toHaveLength(1);
    expect(retried.ts).toBe((stored()[0] as { ts: string }).ts);
  });
});

describe('updateHandoffMessage', () => {
  it('re-renders the DM without buttons once accepted, saying who and when', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-accept' });
    const click = slack.blockAction({ ...ref, user: 'U0REPHUG1', actionId: SLACK_ACTIONS.accept });
    expect(decodeActionValue(click.actions[0]!.type === 'button' ? click.actions[0]!.value : '')).toEqual({
      wf: 'mql-hubspot-1001',
    });

    await chat.updateHandoffMessage({
      ref,
      brief: sampleBrief(),
      state: { kind: 'accepted', at: '2026-11-24T15:30:00Z', by: 'U0REPHUG1' },
    });

    const [message] = slack.dmsTo('U0REPHUG1');
    expect(message!.text).toBe('MQL accepted: Dana Ito (Globex)');
    expect(actionIds(message!.blocks)).toEqual([]);
    expect(JSON.stringify(message!.blocks)).toContain('Accepted by <@U0REPHUG1>');
    expect(slack.updates()).toHaveLength(1);
    expect(message!.metadata?.event_payload).toEqual({ key: 'k-accept', wf: 'mql-hubspot-1001' });
    expect(() => slack.blockAction({ ...ref, user: 'U0REPHUG1', actionId: SLACK_ACTIONS.accept })).toThrow(
      /no interactive element handoff_accept/,
    );
  });

  it("shows a reassignment on the original rep's DM", async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-reassign' });
    await chat.updateHandoffMessage({
      ref,
      brief: sampleBrief(),
      state: {
        kind: 'reassigned',
        at: '2026-11-24T21:00:00Z',
        toName: 'Isla Novak',
        reason: 'no first touch in 4 hours',
      },
    });
    const [message] = slack.dmsTo('U0REPHUG1');
    expect(message!.text).toBe('MQL reassigned to Isla Novak: Dana Ito (Globex)');
    expect(JSON.stringify(message!.blocks)).toContain('Reassigned to Isla Novak: no first touch in 4 hours');
    expect(actionIds(message!.blocks)).toEqual([]);
  });

  it('answers the ref it updated in place', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-in-place' });
    const after = await chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: reachedOut });
    expect(after).toEqual(ref);
    expect(slack.dmsTo('U0REPHUG1')).toHaveLength(1);
  });
});

const reachedOut = { kind: 'reached_out', at: '2026-11-24T15:00:00Z' } as const;
const accepted = { kind: 'accepted', at: '2026-11-24T15:30:00Z', by: 'U0REPHUG1' } as const;

describe('updateHandoffMessage when the DM is gone: posted again, once', () => {
  const web = () => new WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });

  it('a deleted message is posted again in the DM with the new state; a re-run finds that post', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-deleted' });
    await web().chat.delete({ channel: ref.channel, ts: ref.ts });

    const moved = await chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: reachedOut });
    expect(moved.channel).toBe(ref.channel);
    expect(moved.ts).not.toBe(ref.ts);
    const [message, ...others] = slack.dmsTo('U0REPHUG1');
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      ts: moved.ts,
      text: 'MQL Dana Ito (Globex): outreach logged, waiting for accept or reject',
    });
    // Still answerable: the buttons are on the new message, and its metadata names the handoff.
    expect(actionIds(message!.blocks)).toEqual([SLACK_ACTIONS.accept, SLACK_ACTIONS.reject, SLACK_ACTIONS.reachedOut]);
    expect(message!.metadata).toMatchObject({
      event_type: SLACK_METADATA_EVENT_TYPE,
      event_payload: { wf: 'mql-hubspot-1001' },
    });

    // The activity runs again (its result was lost): the same message, not a second one.
    const again = await chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: reachedOut });
    expect(again).toEqual(moved);
    expect(slack.dmsTo('U0REPHUG1').map((m) => m.ts)).toEqual([moved.ts]);

    // A later state sent to the old ref (the new one was never stored) lands on the re-posted message too.
    await chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: accepted });
    expect(slack.dmsTo('U0REPHUG1')).toEqual([
      expect.objectContaining({ ts: moved.ts, text: 'MQL accepted: Dana Ito (Globex)' }),
    ]);
  });

  it('a conversation the workspace forgot (a sandbox restarted without its state) is opened again', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-forgotten' });
    slack.forgetConversation(ref.channel);

    const moved = await chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: accepted });
    expect(moved.channel).toBe(slack.dmChannelOf('U0REPHUG1'));
    expect(slack.dmsTo('U0REPHUG1')).toEqual([
      expect.objectContaining({ ts: moved.ts, text: 'MQL accepted: Dana Ito (Globex)' }),
    ]);
    expect(await chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: accepted })).toEqual(moved);
    expect(slack.dmsTo('U0REPHUG1')).toHaveLength(1);
    // And the new ref is updated in place from then on.
    expect(await chat.updateHandoffMessage({ ref: moved, to: HUGO, brief: sampleBrief(), state: accepted })).toEqual(
      moved,
    );
    expect(slack.dmsTo('U0REPHUG1')).toHaveLength(1);
  });

  it('crash after the re-post: the retry finds it instead of posting a second time', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-crash-repost' });
    slack.forgetConversation(ref.channel);
    slack.faults.inject({ kind: 'drop_after_write', path: '/api/chat.postMessage' });

    const lost = await failureOf(chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: accepted }));
    expect(lost.retryable).toBe(true);
    expect(slack.dmsTo('U0REPHUG1')).toHaveLength(1);

    const retried = await chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: accepted });
    expect(slack.dmsTo('U0REPHUG1').map((m) => m.ts)).toEqual([retried.ts]);
  });

  it('without the recipient (scheduled by an older handoff): re-posted in the same conversation when it exists', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-no-recipient' });
    await web().chat.delete({ channel: ref.channel, ts: ref.ts });
    const moved = await chat.updateHandoffMessage({ ref, brief: sampleBrief(), state: accepted });
    expect(slack.dmsTo('U0REPHUG1').map((m) => m.ts)).toEqual([moved.ts]);

    slack.forgetConversation(ref.channel);
    const err = await failureOf(chat.updateHandoffMessage({ ref: moved, brief: sampleBrief(), state: accepted }));
    expect(err.details).toMatchObject({
      status: 404,
      code: 'channel_not_found',
      operation: 'update handoff message (accepted)',
    });
    expect(err.retryable).toBe(false);
    expect(slack.dmsTo('U0REPHUG1')).toEqual([]);
  });

  it('other refusals are not papered over with a new post', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'k-refused' });
    slack.failNext('chat.update', 'cant_update_message');
    const err = await failureOf(chat.updateHandoffMessage({ ref, to: HUGO, brief: sampleBrief(), state: accepted }));
    expect(err.details).toMatchObject({ status: 403, code: 'cant_update_message' });
    expect(slack.dmsTo('U0REPHUG1').map((m) => m.ts)).toEqual([ref.ts]);
  });
});

describe('sendNotice', () => {
  it('posts to a channel once per key', async () => {
    const notice = sampleNotice({ kind: 'vp_review', title: 'VP review: Dana Ito (Globex) untouched for 24 hours' });
    const a = await chat.sendNotice({ to: { channel: 'C0REVOPS01' }, notice, key: 'review-1' });
    const b = await chat.sendNotice({ to: { channel: 'C0REVOPS01' }, notice, key: 'review-1' });
    expect(b).toEqual(a);
    expect(slack.messages('C0REVOPS01')).toEqual([
      expect.objectContaining({ ts: a.ts, text: 'VP review: Dana Ito (Globex) untouched for 24 hours' }),
    ]);
  });
});

describe('failures become ServiceErrors Temporal can act on', () => {
  const send = (c: ChatPort = chat, to: Recipient = HUGO) =>
    c.sendHandoffBrief({ to, brief: sampleBrief(), key: 'fail-key' });

  it("ratelimited (429) carries Slack's Retry-After", async () => {
    slack.faults.inject({ kind: 'rate_limit', path: '/api/chat.postMessage', retryAfterSeconds: 7 });
    const err = await failureOf(send());
    expect(err.details).toMatchObject({ status: 429, code: 'ratelimited', retryAfterSeconds: 7 });
    const failure = toActivityFailure(err) as ApplicationFailure;
    expect(failure.type).toBe('RateLimited');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe('7s');
    expect(slack.dmsTo('U0REPHUG1')).toHaveLength(0);
  });

  it.each<[string, () => void, Partial<ServiceError['details']>, boolean]>([
    [
      'internal_error',
      () => slack.failNext('chat.postMessage', 'internal_error'),
      { status: 503, code: 'internal_error' },
      true,
    ],
    [
      'fatal_error',
      () => slack.failNext('conversations.history', 'fatal_error'),
      { status: 503, code: 'fatal_error' },
      true,
    ],
    [
      'HTTP 503',
      () => slack.faults.inject({ kind: 'server_error', status: 503, path: '/api/conversations.open' }),
      { status: 503 },
      true,
    ],
    [
      'missing_scope',
      () =>
        slack.failNext('conversations.history', 'missing_scope', {
          needed: 'im:history',
          provided: 'chat:write,im:write',
        }),
      { status: 403, code: 'missing_scope', field: 'scope', value: 'im:history' },
      false,
    ],
    [
      'account_inactive',
      () => slack.failNext('conversations.open', 'account_inactive'),
      { status: 401, code: 'account_inactive' },
      false,
    ],
    [
      'invalid_blocks',
      () => slack.failNext('chat.postMessage', 'invalid_blocks'),
      { status: 400, code: 'invalid_blocks' },
      false,
    ],
  ])('%s', async (_name, inject, details, retryable) => {
    inject();
    const err = await failureOf(send());
    expect(err.details).toMatchObject({ service: 'slack', ...details });
    expect(err.retryable).toBe(retryable);
    expect((toActivityFailure(err) as ApplicationFailure).nonRetryable).toBe(!retryable);
  });

  it('missing_scope names the scope to add', async () => {
    slack.failNext('conversations.history', 'missing_scope', { needed: 'im:history', provided: 'chat:write' });
    const err = await failureOf(send());
    expect(err.message).toContain('needs the im:history scope');
  });

  it('invalid_auth for a bad token, without the token in the message', async () => {
    const badChat = createSlackChat({ token: 'xoxb-not-the-right-one', apiUrl: slack.apiUrl });
    const err = await failureOf(send(badChat));
    expect(err.details).toMatchObject({ status: 401, code: 'invalid_auth' });
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('xoxb-not-the-right-one');
  });

  it("users_not_found names the email's domain only", async () => {
    const stranger: Recipient = { id: 'rep-zoe', name: 'Zoe Stranger', email: 'zoe.stranger@elsewhere.example' };
    const err = await failureOf(send(chat, stranger));
    expect(err.details).toMatchObject({ status: 404, code: 'users_not_found' });
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('elsewhere.example');
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain('zoe.stranger');
  });

  it('channel_not_found for an unknown channel', async () => {
    const err = await failureOf(chat.sendNotice({ to: { channel: 'C0NOSUCH1' }, notice: sampleNotice(), key: 'x' }));
    expect(err.details).toMatchObject({
      status: 404,
      code: 'channel_not_found',
      object: expect.stringContaining('C0NOSUCH1'),
    });
    expect(err.retryable).toBe(false);
  });

  it('a dropped connection is a retryable transport error', async () => {
    slack.faults.inject({ kind: 'drop_after_write', path: '/api/conversations.open' });
    const err = await failureOf(send());
    expect(err.details).toMatchObject({ transport: true });
    expect(err.retryable).toBe(true);
  });

  it('an unreachable Slack is a retryable transport error', async () => {
    const nowhere = createSlackChat({ token: slack.token, apiUrl: 'http://127.0.0.1:9/api/' });
    const err = await failureOf(send(nowhere));
    expect(err.details).toMatchObject({ transport: true, code: 'ECONNREFUSED' });
  });

  it('a brief that cannot be rendered is rejected before anything is posted', async () => {
    const err = await failureOf(
      chat.sendHandoffBrief({
        to: HUGO,
        brief: sampleBrief({ links: [{ label: 'CRM', url: 'javascript:alert(1)' }] }),
        key: 'bad-brief',
      }),
    );
    expect(err.details).toMatchObject({ status: 400, code: 'invalid_brief', field: 'links.0.url' });
    expect(err.message).toContain('field links.0.url = "javascript:alert(1)": expected an absolute http(s) URL');
    expect(slack.requests.filter((r) => r.path.startsWith('/api/'))).toEqual([]);
  });

  it.each([
    ['an empty token', { token: '' }, 'SLACK_BOT_TOKEN: expected a Slack bot token'],
    ['a token that is not one', { token: 'hunter2' }, 'SLACK_BOT_TOKEN: expected a Slack token starting with "xoxb-"'],
    [
      'an API URL that is not a URL',
      { token: 'xoxb-x', apiUrl: 'slack' },
      'SLACK_API_URL = "slack": expected an http(s) URL',
    ],
  ])('refuses %s at construction', (_n, opts, message) => {
    expect(() => createSlackChat(opts)).toThrow(message);
  });

  it('refuses an idempotency window that would read nothing', () => {
    expect(() => createSlackChat({ token: 'xoxb-x', lookback: { messages: 0 } })).toThrow(
      'Slack chat option lookback.messages = 0: expected a number ≥ 1',
    );
  });

  it('never echoes the token in a construction error', () => {
    const build = () => createSlackChat({ token: 'hunter2' });
    expect(build).toThrow('SLACK_BOT_TOKEN');
    expect(build).not.toThrow(/hunter2/);
  });

  it('refuses an empty idempotency key before calling Slack', async () => {
    const err = await failureOf(chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: ' ' }));
    expect(err.details).toMatchObject({ service: 'slack', status: 400, field: 'key', value: ' ' });
    expect(err.message).toContain('expected a non-empty idempotency key');
    expect(err.retryable).toBe(false);
    expect(slack.requests.filter((r) => r.path.startsWith('/api/'))).toEqual([]);
  });

  it('refuses a recipient with neither a Slack id nor an email, without echoing the address', async () => {
    const nobody: Recipient = { id: 'rep-zoe', name: 'Zoe Stranger', email: 'zoe at elsewhere' };
    const err = await failureOf(send(chat, nobody));
    expect(err.details).toMatchObject({ status: 400, field: 'email', object: 'recipient rep-zoe' });
    expect(err.retryable).toBe(false);
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain('zoe at');
    expect(slack.requests.filter((r) => r.path.startsWith('/api/'))).toEqual([]);
  });
});

describe('createSlackResponder', () => {
  const responder = () => createSlackResponder({ token: slack.token, apiUrl: slack.apiUrl });

  it('tells only the clicker why a click was refused', async () => {
    const ref = await chat.sendHandoffBrief({ to: HUGO, brief: sampleBrief(), key: 'eph' });
    await responder().ephemeral(ref.channel, 'U0REPHUG1', 'This lead was already reassigned to Isla Novak.');
    expect(slack.ephemerals('U0REPHUG1')).toEqual([
      expect.objectContaining({ channel: ref.channel, text: 'This lead was already reassigned to Isla Novak.' }),
    ]);
  });

  it('a clicker outside the channel is a non-retryable ServiceError', async () => {
    const err = await failureOf(responder().ephemeral('C0REVOPS01', 'U0REPHUG1', 'x'));
    expect(err.details).toMatchObject({ service: 'slack', status: 403, code: 'user_not_in_channel' });
    expect(err.retryable).toBe(false);
  });
});
