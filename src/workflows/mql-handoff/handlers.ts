/**
 * How the outside world steers a handoff: the status query, the rep-activity signal, and the accept, reject and
 * reassign updates. Validators refuse a request that cannot apply (state untouched, the reason returned to the
 * caller); an accepted update hands its request to the main loop and waits for the result.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { decisionRefusal, reassignRefusal, rejectReasonRefusal } from '../../domain/handoff-rules';
import {
  acceptUpdate,
  mqlReturnedSignal,
  reassignUpdate,
  rejectUpdate,
  repActivitySignal,
  statusQuery,
  type DecisionResult,
} from '../definitions';
import type { HandoffContext, PendingDecision, PendingReassign } from './context';
import { statusOf } from './state';

/** How many rep-activity ids are remembered to recognise a re-delivered webhook. */
const SEEN_ACTIVITY_LIMIT = 200;

export function installHandlers(h: HandoffContext): void {
  const { s } = h;
  setHandler(statusQuery, () => statusOf(s));

  setHandler(repActivitySignal, (a) => {
    if (a.externalId) {
      if (s.seenActivityIds.includes(a.externalId)) return;
      s.seenActivityIds.push(a.externalId);
      if (s.seenActivityIds.length > SEEN_ACTIVITY_LIMIT) s.seenActivityIds.shift();
    }
    if (s.stage === 'awaiting_first_touch' && !s.pendingTouch) s.pendingTouch = a;
    else h.log('rep_activity', 'rep activity', `${a.type} via ${a.source}`);
  });

  setHandler(mqlReturnedSignal, ({ trigger }) => {
    // An open handoff reads the CRM itself; an event from before the rejection is the old MQL delivered again.
    if (s.stage !== 'renurturing' || !s.renurturingSince) return;
    if (!(Date.parse(trigger.at) > Date.parse(s.renurturingSince))) return;
    h.returned ??= trigger;
  });

  const standing = () => ({ workflowId: s.workflowId, stage: s.stage, ownerId: s.assignment?.assignee.id ?? null });
  const refuseIf = (problem: string | null): void => {
    if (problem) throw new Error(problem);
  };
  const decide = async (p: PendingDecision): Promise<DecisionResult> => {
    h.pendingDecision = p;
    await condition(() => p.result !== undefined);
    return p.result!;
  };
  const decisionRefused = (repId: string): string | null =>
    decisionRefusal({ ...standing(), decisionInProgress: h.pendingDecision?.kind ?? null }, repId);

  setHandler(acceptUpdate, (input) => decide({ kind: 'accept', input }), {
    validator: (input) => refuseIf(decisionRefused(input.repId)),
  });

  setHandler(rejectUpdate, (input) => decide({ kind: 'reject', input }), {
    validator: (input) => refuseIf(decisionRefused(input.repId) ?? rejectReasonRefusal(h.policyIfLoaded, input.reason)),
  });

  setHandler(
    reassignUpdate,
    async (input) => {
      const p: PendingReassign = { input };
      h.pendingReassign = p;
      await condition(() => p.result !== undefined || p.error !== undefined);
      if (p.error) throw ApplicationFailure.nonRetryable(p.error, 'ReassignRefused');
      return p.result!;
    },
    {
      validator: (input) =>
        refuseIf(
          reassignRefusal(
            { ...standing(), reassignInProgress: h.pendingReassign !== null },
            input,
            h.policyIfLoaded,
            h.now(),
          ),
        ),
    },
  );
}
