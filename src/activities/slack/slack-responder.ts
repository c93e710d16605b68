/**
 * What the interaction bridge says back to the person who clicked: an ephemeral note ("this lead was already
 * reassigned to Ben") that only they see. The DM itself is updated by the workflow (ChatPort.updateHandoffMessage).
 */
import { createSlackWebClient, type SlackConnectionOptions } from './slack-client';
import { slackServiceError } from './slack-errors';

export interface SlackResponder {
  /** Shows `text` to `user` only, in `channel` (chat.postEphemeral). */
  ephemeral(channel: string, user: string, text: string): Promise<void>;
}

export function createSlackResponder(opts: SlackConnectionOptions): SlackResponder {
  const client = createSlackWebClient(opts);
  return {
    async ephemeral(channel, user, text) {
      const what = { operation: 'post ephemeral reply', object: `user ${user} in channel ${channel}` };
      try {
        await client.chat.postEphemeral({ channel, user, text });
      } catch (e) {
        throw slackServiceError(what, e);
      }
    },
  };
}
