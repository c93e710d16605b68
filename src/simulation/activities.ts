/**
 * The simulated reps' hands: they act through the same doors real reps do (the rep-activity signal, the accept and
 * reject updates), and only on a lead they still hold.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { RejectionReason } from '../domain/vocabulary';
import {
  acceptUpdate,
  rejectUpdate,
  repActivitySignal,
  statusQuery,
  type HandoffStatus,
} from '../workflows/definitions';

export type RepAct = { kind: 'touch' } | { kind: 'accept' } | { kind: 'reject'; reason: RejectionReason };

export interface SimulationActivities {
  /** True when the rep acted; false when the lead is no longer theirs to act on. */
  repActs(input: { leadWorkflowId: string; repId: string; act: RepAct }): Promise<boolean>;
}

export function createSimulationActivities(deps: {
  client: Client;
  /** Whether the rep still holds the lead (the sales CRM's owner), so a reassigned lead is left alone. */
  holds: (leadWorkflowId: string, repId: string) => boolean;
  /** A re-nurtured cycle's last status, before the lead continues as new. */
  onRenurtured: (status: HandoffStatus) => void;
}): SimulationActivities {
  return {
    async repActs({ leadWorkflowId, repId, act }) {
      if (!deps.holds(leadWorkflowId, repId)) return false;
      const handle = deps.client.workflow.getHandle(leadWorkflowId);
      if (act.kind === 'touch') {
        await handle.signal(repActivitySignal, { type: 'call', source: 'cli', repId, externalId: `sim-${repId}` });
        return true;
      }
      try {
        const decided =
          act.kind === 'accept'
            ? await handle.executeUpdate(acceptUpdate, { args: [{ repId }] })
            : await handle.executeUpdate(rejectUpdate, { args: [{ repId, reason: act.reason }] });
        if (decided.stage === 'renurturing') deps.onRenurtured(await handle.query(statusQuery));
      } catch (e) {
        if (e instanceof WorkflowUpdateFailedError) return false; // refused: reassigned or decided meanwhile
        throw e;
      }
      return true;
    },
  };
}
