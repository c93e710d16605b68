/**
 * Clicks on the handoff DM read from Slack's block_actions payloads, as the Slack emulator builds them from a real
 * DM rendered by the adapter.
 */
import { encodeActionValue, SLACK_ACTIONS } from '../../src/activities/slack/interaction-contract';
import { parseSlackInteraction } from '../../src/client/bridge/slack-interactions';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import { interactionFormBody, type BlockActionsPayload } from '../../src/sandbox/slack/interaction-payload';
import { startSlackEmulator, type SlackEmulator } from '../../src/sandbox/slack/slack-emulator';

const config = loadOrgConfigFile(resolveOrgConfigPath());
const WF = 'mql-hubspot-1001';
let slack: SlackEmulator;
let ts: string;

beforeAll(async () => {
  slack = await startSlackEmulator({ config });
  // A DM with the three handoff elements, as the brief renderer lays them out.
  const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      channel: 'U0REPANA1',
      text: 'New MQL',
      blocks: [
        {
          type: 'actions',
          block_id: 'handoff_actions',
          elements: [
            {
              type: 'button',
              action_id: SLACK_ACTIONS.accept,
              text: { type: 'plain_text', text: 'Accept' },
              value: encodeActionValue({ wf: WF }),
            },
            {
              type: 'static_select',
              action_id: SLACK_ACTIONS.reject,
              placeholder: { type: 'plain_text', text: 'Reject…' },
              options: [
                {
                  text: { type: 'plain_text', text: 'Timing not right' },
                  value: encodeActionValue({ wf: WF, reason: 'timing_not_right' }),
                },
              ],
            },
            {
              type: 'button',
              action_id: SLACK_ACTIONS.reachedOut,
              text: { type: 'plain_text', text: "I've reached out" },
              value: encodeActionValue({ wf: WF }),
            },
          ],
        },
      ],
    }),
  });
  ts = ((await res.json()) as { ts: string }).ts;
});
afterAll(async () => {
  await slack.close();
});

const parse = (p: BlockActionsPayload) => parseSlackInteraction(Buffer.from(interactionFormBody(p)), config);
const clickAs = (user: string, actionId: string, optionValue?: string) =>
  slack.blockAction({ channel: 'D0REPANA1', ts, user, actionId, optionValue });

test.each([
  ['Accept', SLACK_ACTIONS.accept, undefined, { kind: 'accept' }],
  [
    'a Reject option',
    SLACK_ACTIONS.reject,
    encodeActionValue({ wf: WF, reason: 'timing_not_right' }),
    { kind: 'reject', reason: 'timing_not_right' },
  ],
  ["I've reached out", SLACK_ACTIONS.reachedOut, undefined, { kind: 'reached_out' }],
])('%s by the rep → the handoff, the rep and where to answer', (_name, actionId, optionValue, expected) => {
  const click = parse(clickAs('U0REPANA1', actionId, optionValue));
  expect(click).toMatchObject({
    ...expected,
    workflowId: WF,
    rep: { id: 'rep-ana' },
    slackUserId: 'U0REPANA1',
    channelId: 'D0REPANA1',
    actionTs: expect.any(String),
  });
});

test('a clicker who is not a rep has no rep (the bridge tells them)', () => {
  expect(parse(clickAs('U0MGRSDR1', SLACK_ACTIONS.accept))).toMatchObject({
    kind: 'accept',
    rep: null,
    slackUserId: 'U0MGRSDR1',
  });
});

test('another app’s element is not ours', () => {
  const p = clickAs('U0REPANA1', SLACK_ACTIONS.accept);
  p.actions = [{ ...p.actions[0]!, action_id: 'somebody_else' } as BlockActionsPayload['actions'][number]];
  expect(parse(p)).toMatchObject({ kind: 'not_ours', actionId: 'somebody_else' });
});

test('a reject option without a reason is refused', () => {
  const p = clickAs('U0REPANA1', SLACK_ACTIONS.reject, encodeActionValue({ wf: WF, reason: 'timing_not_right' }));
  const action = p.actions[0] as Extract<BlockActionsPayload['actions'][number], { type: 'static_select' }>;
  action.selected_option = { ...action.selected_option, value: encodeActionValue({ wf: WF }) };
  expect(parse(p)).toEqual({
    problem: expect.objectContaining({ field: 'payload.actions[0].selected_option.value' }),
  });
});
