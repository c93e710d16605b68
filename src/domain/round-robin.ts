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

// Implementation: see the domain rules task (emptyRoster, pickRep, claimRep, releaseRep).
