/**
 * ChatPort on Slack's Web API (official @slack/web-api client).
 *
 * Idempotency: every message we post carries message metadata `{ event_type: SLACK_METADATA_EVENT_TYPE,
 * event_payload: { key, wf } }`. Before posting, the conversation's recent history is read with
 * `include_all_metadata` and a message already carrying the key is returned instead of posting again, so a
 * retry after "posted, then the worker died before recording it" finds the first message.
 *
 * The handoff DM is kept current with chat.update; when Slack no longer has it (message_not_found /
 * channel_not_found) it is posted again, once, keyed by the message it replaces, and the new ref returned.
 *
 * Files (the weekly digest's chart) go up with files.uploadV2 (files.getUploadURLExternal, the bytes to the upload
 * URL, files.completeUploadExternal). Files carry no metadata, so the key is in the file's name
 * (`chart.<8 hex of sha256(key)>.png`); before uploading, files.list for the channel is searched for that name.
 */
import type { FilesUploadV2Arguments } from '@slack/web-api';
import { createHash } from 'node:crypto';
import type { HandoffBrief, Notice } from '../../domain/brief';
import { emailDomain } from '../../domain/lead';
import { briefBlocks, noticeBlocks, type SlackMessageContent } from '../brief-render/slack-blocks';
import type { ChatContent, ChatMessageRef, ChatPort, HandoffMessageState, Recipient, ReportChatPort } from '../ports';
import { ServiceError } from '../service-error';
import { SLACK_METADATA_EVENT_TYPE } from './interaction-contract';
import { createSlackWebClient, type SlackConnectionOptions } from './slack-client';
import { slackFailure, slackPlatformError, slackServiceError, type SlackCall } from './slack-errors';

export interface SlackChatOptions extends SlackConnectionOptions {
  /**
   * How much of a conversation the idempotency lookup reads before posting: messages newer than `days`, at most
   * `messages` of them (defaults 7 days, 1000 messages). Wider than any activity retry schedule.
   */
  lookback?: { days?: number; messages?: number };
}

const HISTORY_PAGE = 200;
const FILES_PAGE = 100;
const FILES_PAGES_MAX = 10;

/** The name a keyed file is shared under: `name.<8 hex>.ext`, the hex from the key. */
export function keyedFilename(filename: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? `${filename.slice(0, dot)}.${hash}${filename.slice(dot)}` : `${filename}.${hash}`;
}

export function createSlackChat(opts: SlackChatOptions): ChatPort & ReportChatPort {
  const client = createSlackWebClient(opts);
  const lookbackDays = positive('lookback.days', opts.lookback?.days ?? 7);
  const lookbackMessages = Math.floor(positive('lookback.messages', opts.lookback?.messages ?? 1000));

  async function call<T>(what: SlackCall, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw slackServiceError(what, e);
    }
  }

  function render(what: SlackCall, fn: () => SlackMessageContent): SlackMessageContent {
    try {
      return fn();
    } catch (e) {
      throw slackServiceError(what, e);
    }
  }

  async function userIdOf(to: Recipient): Promise<string> {
    if (to.slackUserId) return to.slackUserId;
    const operation = 'look up Slack user by email';
    const domain = emailDomain(to.email);
    if (!domain) {
      // The address is PII: name the recipient and the field, not the value.
      const what = { operation, object: `recipient ${to.id}` };
      throw slackFailure(
        what,
        { status: 400, field: 'email' },
        'expected an email address (the recipient has no slackUserId)',
      );
    }
    const what = { operation, object: `recipient ${to.id} (email at ${domain})` };
    const res = await call(what, () => client.users.lookupByEmail({ email: to.email }));
    const id = res.user?.id;
    if (!id) throw slackPlatformError(what, 'users_not_found');
    return id;
  }

  async function dmChannelOf(to: Recipient): Promise<string> {
    const userId = await userIdOf(to);
    const what = { operation: 'open DM', object: `user ${userId}` };
    const res = await call(what, () => client.conversations.open({ users: userId }));
    const channel = res.channel?.id;
    if (!channel) throw slackPlatformError(what, 'channel_not_found');
    return channel;
  }

  /** The ts of a message in `channel` that carries `key`, looking back a bounded window; null when none. */
  async function findByKey(channel: string, key: string): Promise<string | null> {
    const what = { operation: 'read conversation history (idempotency check)', object: `channel ${channel}` };
    const oldest = String(Math.floor(Date.now() / 1000) - lookbackDays * 86_400);
    let cursor: string | undefined;
    let read = 0;
    do {
      const res = await call(what, () =>
        client.conversations.history({
          channel,
          oldest,
          limit: Math.min(HISTORY_PAGE, lookbackMessages - read),
          include_all_metadata: true,
          ...(cursor ? { cursor } : {}),
        }),
      );
      const messages = res.messages ?? [];
      const hit = messages.find(
        (m) =>
          m.metadata?.event_type === SLACK_METADATA_EVENT_TYPE &&
          (m.metadata.event_payload as Record<string, unknown> | undefined)?.key === key,
      );
      if (hit?.ts) return hit.ts;
      read += messages.length;
      cursor = res.has_more ? res.response_metadata?.next_cursor || undefined : undefined;
    } while (cursor && read < lookbackMessages);
    return null;
  }

  /** The id of a file named `name` shared in `channel` within the lookback window; null when none. */
  async function findFile(channel: string, name: string): Promise<string | null> {
    const what = { operation: 'list files (idempotency check)', object: `channel ${channel}` };
    const tsFrom = String(Math.floor(Date.now() / 1000) - lookbackDays * 86_400);
    for (let page = 1; page <= FILES_PAGES_MAX; page++) {
      const res = await call(what, () => client.files.list({ channel, ts_from: tsFrom, count: FILES_PAGE, page }));
      const hit = (res.files ?? []).find((f) => f.name === name && f.id);
      if (hit?.id) return hit.id;
      if (!res.paging?.pages || page >= res.paging.pages) break;
    }
    return null;
  }

  async function update(what: SlackCall, ref: ChatMessageRef, content: SlackMessageContent): Promise<void> {
    await call(what, () =>
      client.chat.update({ channel: ref.channel, ts: ref.ts, text: content.text, blocks: content.blocks }),
    );
  }

  /** Posts once per key. `refresh`: a message already carrying the key is updated to `content` before it is returned. */
  async function postOnce(
    channel: string,
    content: SlackMessageContent | ChatContent,
    key: string,
    wf: string,
    operation: string,
    refresh = false,
  ): Promise<ChatMessageRef> {
    const existing = await findByKey(channel, key);
    const what = { operation, object: `workflow ${wf} in channel ${channel}` };
    if (existing) {
      if (refresh) await update(what, { channel, ts: existing }, content as SlackMessageContent);
      return { channel, ts: existing };
    }
    const res = await call(what, () =>
      client.chat.postMessage({
        channel,
        text: content.text,
        blocks: content.blocks as SlackMessageContent['blocks'],
        metadata: { event_type: SLACK_METADATA_EVENT_TYPE, event_payload: { key, wf } },
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (!res.ts) throw slackPlatformError(what, 'no_ts_returned');
    return { channel: res.channel ?? channel, ts: res.ts };
  }

  return {
    async sendHandoffBrief({ to, brief, key }: { to: Recipient; brief: HandoffBrief; key: string }) {
      const operation = 'post handoff brief';
      checkKey(key, operation);
      const content = render({ operation, object: `workflow ${brief.workflowId}` }, () =>
        briefBlocks(brief, { kind: 'open' }),
      );
      const channel = await dmChannelOf(to);
      return postOnce(channel, content, key, brief.workflowId, operation);
    },

    async sendNotice({ to, notice, key }: { to: Recipient | { channel: string }; notice: Notice; key: string }) {
      const operation = `post ${notice.kind} notice`;
      checkKey(key, operation);
      const wf = notice.brief.workflowId;
      const content = render({ operation, object: `workflow ${wf}` }, () => noticeBlocks(notice));
      const channel = 'channel' in to ? to.channel : await dmChannelOf(to);
      return postOnce(channel, content, key, wf, operation);
    },

    async postReport({ to, content, key, about }) {
      const operation = 'post report';
      checkKey(key, operation);
      const channel = 'channel' in to ? to.channel : await dmChannelOf(to);
      return postOnce(channel, content, key, about, operation);
    },

    async shareFile({ channel, file, comment, threadTs, key, about }) {
      const operation = 'share file';
      checkKey(key, operation);
      const name = keyedFilename(file.filename, key);
      const existing = await findFile(channel, name);
      if (existing) return { fileId: existing, channel };
      const what = { operation, object: `${about} in channel ${channel}` };
      const res = (await call(what, () =>
        client.files.uploadV2({
          file: file.bytes,
          filename: name,
          title: file.title,
          ...(file.altText ? { alt_text: file.altText } : {}),
          ...(comment ? { initial_comment: comment } : {}),
          ...(threadTs ? { channel_id: channel, thread_ts: threadTs } : { channel_id: channel }),
        } as FilesUploadV2Arguments),
      )) as { files?: { files?: { id?: string }[] }[] };
      const fileId = res.files?.[0]?.files?.[0]?.id;
      if (!fileId) throw slackPlatformError(what, 'no_file_id_returned');
      return { fileId, channel };
    },

    async updateHandoffMessage({
      ref,
      brief,
      state,
      to,
    }: {
      ref: ChatMessageRef;
      brief: HandoffBrief;
      state: HandoffMessageState;
      to?: Recipient;
    }) {
      const what = {
        operation: `update handoff message (${state.kind})`,
        object: `message ${ref.ts} in channel ${ref.channel}`,
      };
      const content = render(what, () => briefBlocks(brief, state));
      try {
        await update(what, ref, content);
        return ref;
      } catch (e) {
        const code = e instanceof ServiceError ? e.details.code : undefined;
        if (code !== 'message_not_found' && code !== 'channel_not_found') throw e;
        // Without the recipient there is no DM to open again: only the conversation the message was in.
        if (!to && code === 'channel_not_found') throw e;
        const channel = to ? await dmChannelOf(to) : ref.channel;
        // Keyed by the message it replaces: a re-run (or a later state sent to the same lost ref) finds this post.
        const key = `${brief.workflowId}:repost:${ref.channel}:${ref.ts}`;
        return postOnce(channel, content, key, brief.workflowId, `post handoff message again (${state.kind})`, true);
      }
    },
  };
}

function positive(option: string, n: number): number {
  if (!Number.isFinite(n) || n < 1) throw new Error(`Slack chat option ${option} = ${n}: expected a number ≥ 1`);
  return n;
}

function checkKey(key: string, operation: string): void {
  if (typeof key !== 'string' || !key.trim()) {
    throw slackFailure(
      { operation },
      { status: 400, field: 'key', value: key },
      'expected a non-empty idempotency key',
    );
  }
}
