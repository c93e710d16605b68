/**
 * P2's yardstick: a workflow that does nothing but schedule as many no-op activities as a handoff runs up to its
 * Slack DM, in the same steps (activities a handoff starts together start together here), read from a recorded
 * history (history-shape.ts). The activity standing where the DM stands is told to report when it runs.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface BareShape {
  /** Activities per step, in order, e.g. [1, 1, 1, 1, 1, 2, 1, 3]. */
  steps: number[];
  /** Step and position of the activity standing for the DM. */
  mark: { step: number; index: number };
}

export interface BareActivities {
  /** Does nothing; `report` names the workflow whose DM-equivalent this is. */
  noop(report: string | null): Promise<void>;
}

const { noop } = proxyActivities<BareActivities>({ startToCloseTimeout: '1m' });

export async function bareHandoff(input: { shape: BareShape; workflowId: string }): Promise<void> {
  const { steps, mark } = input.shape;
  for (let step = 0; step < steps.length; step++) {
    await Promise.all(
      Array.from({ length: steps[step]! }, (_, index) =>
        noop(step === mark.step && index === mark.index ? input.workflowId : null),
      ),
    );
  }
}
