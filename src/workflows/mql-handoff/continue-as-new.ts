/**
 * Long-lived leads keep a bounded history: at any waiting point, when the server suggests it, the handoff hands
 * its whole state to a fresh run, which resumes at the same stage (see index.ts).
 */
import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { HandoffContext } from './context';
import type { mqlHandoff } from './index';

export function shouldContinueAsNew(): boolean {
  return workflowInfo().continueAsNewSuggested;
}

/**
 * Continues as new once every message handler has finished. Returns (without continuing) when an accept, reject
 * or reassignment arrived meanwhile: update handlers wait for the main loop to apply them first.
 */
export async function handOver(h: HandoffContext): Promise<void> {
  const pending = (): boolean => h.pendingDecision !== null || h.pendingReassign !== null;
  await condition(() => pending() || allHandlersFinished());
  if (pending()) return;
  await continueAsNew<typeof mqlHandoff>({ ...h.input, resume: { state: h.s } });
}
