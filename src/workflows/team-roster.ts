/**
 * One entity workflow per team: the durable home of its round-robin state and open-lead counts. Handoffs claim a
 * rep through the `claimReps` update (a batch of claims, each idempotent per claim key; `claimRep` takes one) and
 * give the lead back with `releaseRep`. Updates and signals are handled one at a time and a batch in order, so
 * simultaneous MQLs never see the same "least loaded" rep. History is bounded by continuing-as-new with the state.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { claimRep, emptyRoster, releaseRep, type RosterState } from '../domain/round-robin';
import { claimRepsUpdate, claimRepUpdate, releaseRepSignal, rosterStateQuery, type ClaimRepInput } from './definitions';

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
    { validator: (claim) => validateClaim(claim) },
  );
  setHandler(
    claimRepsUpdate,
    ({ claims }) => {
      handled += 1;
      return claims.map((claim) => claimRep(state, claim));
    },
    {
      validator: ({ claims }) => {
        if (!Array.isArray(claims) || claims.length === 0) throw new Error('claims: expected a non-empty list');
        claims.forEach((claim, i) => validateClaim(claim, `claims.${i}.`));
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

function validateClaim(claim: ClaimRepInput, path = ''): void {
  if (!claim?.claimKey) throw new Error(`${path}claimKey: expected a non-empty idempotency key`);
  if (!Array.isArray(claim.candidates)) throw new Error(`${path}candidates: expected a list of reps`);
}
