/**
 * What a click on the handoff DM does: Accept → the `accept` update, a Reject option → the `reject` update,
 * "I've reached out" → the `repActivity` signal (type slack_ack). Slack wants its answer within 3 seconds, so an
 * update is started and waited on only until the workflow has accepted it (its validator ran) or `answerWithinMs`
 * passed; the workflow then updates the DM itself (chat.update) when its state changes. A refusal — not the
 * owner, no decision pending, the lead is closed — is told to the clicker only (chat.postEphemeral), also when it
 * arrives after Slack has had its answer.
 */
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import type { SlackResponder } from '../../activities/slack/slack-responder';
import type { OrgConfig } from '../../domain/org-config';
import { validateRejectReason } from '../../domain/rejection';
import { acceptUpdate, rejectUpdate, type DecisionResult } from '../../workflows/definitions';
import { signalRepActivity } from '../handoff-commands';
import { isTemporalUnavailable, type TemporalGateway } from '../temporal-gateway';
import type { HandoffClick } from './slack-interactions';

export type ClickOutcome = 'updated' | 'pending' | 'signalled' | 'refused' | 'ignored' | 'unavailable';

export interface ClickDeps {
  temporal: TemporalGateway;
  config: OrgConfig;
  slack?: SlackResponder;
  answerWithinMs: number;
  log: (entry: object) => void;
}

/** How long a started update may take in the background before the clicker is told it did not go through. */
const UPDATE_TIMEOUT_MS = 30_000;

export async function answerClick(click: HandoffClick, deps: ClickDeps): Promise<{ outcome: ClickOutcome }> {
  const tell = (text: string): Promise<void> => tellClicker(click, text, deps);
  if (click.kind === 'not_ours') return { outcome: 'ignored' };
  if (!click.rep) {
    await tell(
      `Your Slack account (${click.slackUserId}) is not a rep in the handoff configuration, so this button does nothing for you.`,
    );
    return { outcome: 'refused' };
  }
  const repId = click.rep.id;

  if (click.kind === 'reached_out') {
    try {
      const r = await deps.temporal.run((c) =>
        signalRepActivity(c, click.workflowId, {
          type: 'slack_ack',
          source: 'slack',
          repId,
          ...(click.actionTs ? { externalId: `slack-${click.channelId ?? 'dm'}-${click.actionTs}` } : {}),
        }),
      );
      if (r.outcome === 'signalled') return { outcome: 'signalled' };
      await tell('This lead’s handoff is already closed; nothing was recorded.');
      return { outcome: 'refused' };
    } catch (e) {
      return unreachableOr(e, tell);
    }
  }

  let start: (c: Client) => Promise<WorkflowUpdateHandle<DecisionResult>>;
  if (click.kind === 'accept') {
    start = (c) =>
      c.workflow.getHandle(click.workflowId).startUpdate(acceptUpdate, { args: [{ repId }], waitForStage: 'ACCEPTED' });
  } else {
    const invalid = validateRejectReason(deps.config, click.reason);
    if (invalid) {
      await tell(`Not recorded: ${invalid}.`);
      return { outcome: 'refused' };
    }
    const reason = click.reason;
    start = (c) =>
      c.workflow
        .getHandle(click.workflowId)
        .startUpdate(rejectUpdate, { args: [{ repId, reason }], waitForStage: 'ACCEPTED' });
  }

  // startUpdate returns once the workflow ran the validator; a refusal is then already known and result() throws
  // it at once, while an accepted decision completes as soon as the workflow has applied it.
  let accepted = false;
  const running = deps.temporal
    .run(
      async (c) => {
        const handle = await start(c);
        accepted = true;
        await handle.result();
      },
      { timeoutMs: UPDATE_TIMEOUT_MS },
    )
    .then(() => ({ done: 'completed' as const }))
    .catch((e: unknown) => ({ done: 'failed' as const, error: e }));
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    running,
    new Promise<{ done: 'waiting' }>((resolve) => {
      timer = setTimeout(() => resolve({ done: 'waiting' }), deps.answerWithinMs);
    }),
  ]);
  clearTimeout(timer);

  if (first.done === 'completed') return { outcome: 'updated' };
  if (first.done === 'failed') return refusalOf(first.error, tell);
  // Slack gets its answer now; the clicker hears later if the update is refused or never lands.
  void running.then(async (late) => {
    if (late.done !== 'failed') return;
    try {
      const r = await refusalOf(late.error, tell);
      deps.log({ level: 'info', msg: 'slack click settled late', kind: click.kind, outcome: r.outcome });
    } catch (e) {
      deps.log({ level: 'error', msg: 'slack click failed late', kind: click.kind, error: (e as Error).message });
    }
  });
  return { outcome: accepted ? 'updated' : 'pending' };
}

async function refusalOf(error: unknown, tell: (text: string) => Promise<void>): Promise<{ outcome: ClickOutcome }> {
  if (error instanceof WorkflowUpdateFailedError) {
    await tell(`Not recorded: ${reasonOf(error)}.`);
    return { outcome: 'refused' };
  }
  if (error instanceof WorkflowNotFoundError) {
    await tell('This lead’s handoff is already closed; nothing was recorded.');
    return { outcome: 'refused' };
  }
  return unreachableOr(error, tell);
}

async function unreachableOr(
  error: unknown,
  tell: (text: string) => Promise<void>,
): Promise<{ outcome: ClickOutcome }> {
  if (isTemporalUnavailable(error)) {
    await tell('The handoff service could not be reached, so nothing was recorded. Please try again in a minute.');
    return { outcome: 'unavailable' };
  }
  throw error;
}

/** The workflow's own words: the validator's message is the cause of the update failure. */
function reasonOf(e: WorkflowUpdateFailedError): string {
  const cause = e.cause as (Error & { cause?: Error }) | undefined;
  return (cause?.message || e.message).replace(/\.$/, '');
}

async function tellClicker(click: HandoffClick, text: string, deps: ClickDeps): Promise<void> {
  if (!deps.slack || !click.channelId) {
    deps.log({ level: 'warn', msg: 'cannot tell the clicker', slackUser: click.slackUserId, text });
    return;
  }
  try {
    await deps.slack.ephemeral(click.channelId, click.slackUserId, text);
  } catch (e) {
    deps.log({
      level: 'warn',
      msg: 'ephemeral reply failed',
      slackUser: click.slackUserId,
      error: (e as Error).message,
    });
  }
}
