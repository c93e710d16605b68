/**
 * Load-balanced round-robin inside a team: skip reps out of office or at capacity, prefer the rep with the
 * fewest open leads, break ties by who was assigned least recently. Pure functions over a RosterState that the
 * team's roster workflow (src/workflows/team-roster.ts) keeps durably.
 */

export interface RosterCandidate {
  repId: string;
  capacity: number;
  /** Not out of office at the time of the claim (the caller decides from the org config). */
  available: boolean;
}

export interface RosterState {
  teamId: string;
  /** Open lead ids per rep. */
  open: Record<string, string[]>;
  /** Monotonic sequence number of each rep's last assignment (round-robin tiebreak). */
  lastAssignedSeq: Record<string, number>;
  seq: number;
  /** Recent claim keys → rep chosen (null: nobody was available), so a retried claim gets the same answer. */
  recentClaims: Record<string, string | null>;
  /** Claim keys oldest first, to bound `recentClaims`. */
  claimOrder: string[];
}

/** How many claim keys a roster remembers for idempotent retries. */
export const MAX_REMEMBERED_CLAIMS = 2_000;

export function emptyRoster(teamId: string): RosterState {
  return { teamId, open: {}, lastAssignedSeq: {}, seq: 0, recentClaims: {}, claimOrder: [] };
}

function openCount(state: RosterState, repId: string): number {
  return Object.hasOwn(state.open, repId) ? state.open[repId]!.length : 0;
}

function lastAssigned(state: RosterState, repId: string): number {
  return Object.hasOwn(state.lastAssignedSeq, repId) ? state.lastAssignedSeq[repId]! : -1;
}

/**
 * The next rep, without changing anything: skips reps who are unavailable, excluded or at capacity (open leads ≥
 * capacity); prefers the fewest open leads, then the rep assigned least recently (never assigned first), then
 * candidate order. Null when nobody can take the lead.
 */
export function pickRep(state: RosterState, candidates: RosterCandidate[], exclude: string[] = []): string | null {
  const eligible = candidates
    .map((c, order) => ({ ...c, order, open: openCount(state, c.repId), last: lastAssigned(state, c.repId) }))
    .filter((c) => c.available && !exclude.includes(c.repId) && c.open < c.capacity);
  eligible.sort((a, b) => a.open - b.open || a.last - b.last || a.order - b.order);
  return eligible[0]?.repId ?? null;
}

/**
 * Assigns the next rep and records the lead as open for them. MUTATES `state`. Idempotent per `claimKey`: a retried
 * claim returns the first answer (including "nobody", null) without a second assignment, for the last
 * MAX_REMEMBERED_CLAIMS keys.
 */
export function claimRep(
  state: RosterState,
  input: { claimKey: string; leadId: string; candidates: RosterCandidate[]; exclude?: string[] },
): { repId: string | null; openLeads: number } {
  if (Object.hasOwn(state.recentClaims, input.claimKey)) {
    const repId = state.recentClaims[input.claimKey]!;
    return { repId, openLeads: repId === null ? 0 : openCount(state, repId) };
  }
  const repId = pickRep(state, input.candidates, input.exclude);
  if (repId !== null) {
    const open = Object.hasOwn(state.open, repId) ? state.open[repId]! : (state.open[repId] = []);
    if (!open.includes(input.leadId)) open.push(input.leadId);
    state.seq += 1;
    state.lastAssignedSeq[repId] = state.seq;
  }
  state.recentClaims[input.claimKey] = repId;
  state.claimOrder.push(input.claimKey);
  while (state.claimOrder.length > MAX_REMEMBERED_CLAIMS) {
    delete state.recentClaims[state.claimOrder.shift()!];
  }
  return { repId, openLeads: repId === null ? 0 : openCount(state, repId) };
}

/** The lead is no longer open for the rep (accepted, rejected, reassigned away). No-op when it was not open. MUTATES `state`. */
export function releaseRep(state: RosterState, repId: string, leadId: string): void {
  if (!Object.hasOwn(state.open, repId)) return;
  state.open[repId] = state.open[repId]!.filter((id) => id !== leadId);
}
