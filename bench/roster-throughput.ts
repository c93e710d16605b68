/**
 * Roster throughput: how many round-robin claims one team's roster workflow decides per second, through the
 * activities' own roster client (src/activities/team-roster-client.ts: claims that arrive while an update is in
 * flight go together in the next `claimReps` update). `count` claims for the default team, all at once.
 */
import { createTeamRosterClient } from '../src/activities/team-roster-client';
import type { Row } from './lib/results';
import type { Stack } from './lib/stack';
import { nowMs } from './lib/stats';

export interface RosterResult {
  count: number;
  claimsPerS: number;
  assigned: number;
  /** Claims per rep, least and most (the round-robin's fairness). */
  spread: { min: number; max: number };
}

export async function rosterThroughput(stack: Stack, count: number): Promise<RosterResult> {
  const team = stack.config.teams.find((t) => t.id === stack.config.routing.defaultTeamId)!;
  const rosters = createTeamRosterClient(stack.client, `${stack.rosterScope}-claims-${Date.now().toString(36)}`);
  const candidates = team.reps.map((r) => ({ repId: r.id, capacity: 1_000_000, available: true }));
  // The roster workflow starts on the first claim; time the rest against a running roster.
  await rosters.claim(team.id, { claimKey: 'warm-up', leadId: 'warm-up', candidates }, stack.taskQueue);
  const t0 = nowMs();
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      rosters.claim(team.id, { claimKey: `bench-${i}`, leadId: `bench-lead-${i}`, candidates }, stack.taskQueue),
    ),
  );
  const elapsed = nowMs() - t0;
  const perRep = new Map<string, number>();
  for (const r of results) if (r.repId) perRep.set(r.repId, (perRep.get(r.repId) ?? 0) + 1);
  return {
    count,
    claimsPerS: count / (elapsed / 1000),
    assigned: results.filter((r) => r.repId).length,
    spread: { min: Math.min(...perRep.values()), max: Math.max(...perRep.values()) },
  };
}

export const CLAIMS_TARGET_PER_S = 50;

export function rosterRows(r: RosterResult): Row[] {
  return [
    {
      id: 'roster.claims_per_s',
      figure: `Roster claims/s, one team (${r.count} at once)`,
      unit: 'per_s',
      measured: r.claimsPerS,
      target: { op: '>=', value: CLAIMS_TARGET_PER_S },
      note: `${r.assigned} assigned; per rep ${r.spread.min}–${r.spread.max}`,
    },
  ];
}
