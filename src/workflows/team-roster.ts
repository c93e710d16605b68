/**
 * One entity workflow per team: the durable home of its round-robin state and open-lead counts. Handoffs claim a
 * rep through the `claimRep` update (idempotent per claim key) and give the lead back with `releaseRep`. Updates
 * and signals are handled one at a time, so simultaneous MQLs never see the same "least loaded" rep. History is
 * bounded by continuing-as-new with the state.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { claimRep, emptyRoster, releaseRep, type RosterState } from '../domain/round-robin';
import { claimRepUpdate, releaseRepSignal, rosterStateQuery } from './definitions';

/** Handled events per run before continuing as new. */
const EVENTS_PER_RUN = 500;

export async function teamRoster(input: { teamId: string; state?: RosterState }): Promise<void> {
  const state = input.state ?? emptyRoster(input.teamId);
  let handled = 0;

  setHandler(
    claimRepUpdate,
    (claim) => {
      handled += 1;
      return claimRep(state, claim);
    },
    {
      validator: (claim) => {
        if (!claim.claimKey) throw new Error('claimKey: expected a non-empty idempotency key');
        if (!Array.isArray(claim.candidates)) throw new Error('candidates: expected a list of reps');
      },
    },
  );
  setHandler(releaseRepSignal, ({ repId, leadId }) => {
    handled += 1;
    releaseRep(state, repId, leadId);
  });
  setHandler(rosterStateQuery, () => state);

  await condition(() => handled >= EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof teamRoster>({ teamId: input.teamId, state });
}
