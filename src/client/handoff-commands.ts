/**
 * Starting and signalling handoffs so that retried, duplicated and out-of-order deliveries never make a second
 * execution for one MQL:
 *
 *  1. Start with conflict policy FAIL and reuse policy REJECT_DUPLICATE: succeeds only when this contact has never
 *     had a handoff (within the namespace's retention) → `started`.
 *  2. Otherwise the latest execution decides. Running → `attached`: it is told with the `mqlReturned` signal, which
 *     wakes a lead sleeping in re-nurture when the event is newer than the rejection (an open handoff ignores it).
 *     Closed, and the event happened before it closed → the event is already accounted for (a re-delivery, or an
 *     older event arriving late) → `duplicate`, nothing started. Closed before the event → a new MQL: start again
 *     allowing a new run, with conflict policy USE_EXISTING so a concurrent delivery attaches to the same run.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  HANDOFF_WORKFLOW_TYPE,
  handoffWorkflowId,
  mqlReturnedSignal,
  repActivitySignal,
  type MqlHandoffInput,
  type RepActivity,
} from '../workflows/definitions';

export type StartOutcome =
  | { outcome: 'started' | 'attached'; workflowId: string }
  | { outcome: 'duplicate'; workflowId: string; reason: string };

export async function startHandoff(
  client: Client,
  taskQueue: string,
  input: MqlHandoffInput,
  occurredAtMs: number,
): Promise<StartOutcome> {
  const workflowId = handoffWorkflowId(input.source, input.contactId);
  const start = (fresh: boolean) =>
    client.workflow.start(HANDOFF_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: fresh ? 'FAIL' : 'USE_EXISTING',
      workflowIdReusePolicy: fresh ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE',
    });
  try {
    await start(true);
    return { outcome: 'started', workflowId };
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
  const handle = client.workflow.getHandle(workflowId);
  let latest = await handle.describe();
  if (latest.status.name === 'RUNNING') {
    try {
      await handle.signal(mqlReturnedSignal, { trigger: input.trigger });
      return { outcome: 'attached', workflowId };
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
      latest = await handle.describe(); // it closed meanwhile: decide as for a closed one
    }
  }
  const closedAt = latest.closeTime?.getTime() ?? Number.POSITIVE_INFINITY;
  if (occurredAtMs <= closedAt) {
    return {
      outcome: 'duplicate',
      workflowId,
      reason: `the event happened before the last handoff closed (${latest.status.name.toLowerCase()} at ${latest.closeTime?.toISOString() ?? 'unknown'})`,
    };
  }
  await start(false);
  return { outcome: 'started', workflowId };
}

export type SignalOutcome = { outcome: 'signalled' } | { outcome: 'ignored'; reason: string };

/** Tells the running handoff the rep acted; a contact with no running handoff is not an error. */
export async function signalRepActivity(
  client: Client,
  workflowId: string,
  activity: RepActivity,
): Promise<SignalOutcome> {
  try {
    await client.workflow.getHandle(workflowId).signal(repActivitySignal, activity);
    return { outcome: 'signalled' };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError)
      return { outcome: 'ignored', reason: 'no running handoff for this contact' };
    throw e;
  }
}
