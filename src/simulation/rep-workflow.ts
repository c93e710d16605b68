/**
 * A simulated rep answering one handoff DM, in workflow time on the time-skipping server: touches the lead when
 * the model says (src/simulation/model.ts, drawn when the DM arrived), then accepts or rejects it. Acts only while
 * the rep still holds the lead (the activity checks), so a lead reassigned meanwhile is left to its new owner.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { RepAct, SimulationActivities } from './activities';

const { repActs } = proxyActivities<SimulationActivities>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 5 },
});

export interface SimulatedRepInput {
  leadWorkflowId: string;
  repId: string;
  /** ISO-8601 server time. */
  touchAt: string;
  decideAt: string;
  decision: Exclude<RepAct, { kind: 'touch' }>;
}

export async function simulatedRep(input: SimulatedRepInput): Promise<void> {
  const { leadWorkflowId, repId } = input;
  await sleep(Math.max(1, Date.parse(input.touchAt) - Date.now()));
  if (!(await repActs({ leadWorkflowId, repId, act: { kind: 'touch' } }))) return;
  await sleep(Math.max(1, Date.parse(input.decideAt) - Date.now()));
  await repActs({ leadWorkflowId, repId, act: input.decision });
}
