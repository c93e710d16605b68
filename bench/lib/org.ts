/**
 * The org the bench hands leads to: the sample org (config/handoff.config.yaml, or HANDOFF_CONFIG) with its
 * default team staffed by many synthetic reps, so thousands of leads spread over the round-robin as they would over
 * a real sales floor (each rep's DM conversation stays short, as a real rep's does: the Slack adapter reads it back
 * before posting), and with ladders on the wall clock, so no rung fires during a run except P3's.
 *
 * Demo requests (P1, P2, P4) climb a ladder of hours; behavioural MQLs (P3) get their reminder after
 * `reminderAfter` (60 s in the full run).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import type { OrgConfig } from '../../src/domain/org-config';

export interface BenchOrgOptions {
  reps: number;
  capacity: number;
  /** The behavioural ladder's first rung (P3), e.g. "60s". */
  reminderAfter: string;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function benchOrg(opts: BenchOrgOptions): OrgConfig {
  const config = loadOrgConfigFile(resolveOrgConfigPath());
  const team = config.teams.find((t) => t.id === config.routing.defaultTeamId);
  if (!team) throw new Error(`routing.defaultTeamId "${config.routing.defaultTeamId}" is not a team of the org`);
  team.reps = Array.from({ length: opts.reps }, (_, i) => ({
    id: `bench-rep-${pad(i + 1, 4)}`,
    name: `Bench Rep ${i + 1}`,
    email: `bench.rep.${i + 1}@acme-analytics.example`,
    slackUserId: `U0BR${pad(i + 1, 5)}`,
    prefersEmail: false,
    crmOwnerIds: { hubspot: `72${pad(i + 1, 6)}`, salesforce: `0055g00000${pad(i + 1, 5)}AAA` },
    capacity: opts.capacity,
    outOfOffice: [],
  }));
  const hours = (ladder: 'reminder' | 'manager_escalation' | 'reassignment' | 'vp_review', after: string) => ({
    rung: ladder,
    after,
    clock: 'elapsed' as const,
    from: ladder === 'vp_review' ? ('mql' as const) : ('assignment' as const),
  });
  config.sla.ladders.demo_request = {
    ...config.sla.ladders.demo_request,
    rungs: [
      hours('reminder', '6h'),
      hours('manager_escalation', '12h'),
      hours('reassignment', '18h'),
      hours('vp_review', '24h'),
    ],
  };
  config.sla.ladders.behavioral = {
    ...config.sla.ladders.behavioral,
    rungs: [
      hours('reminder', opts.reminderAfter),
      hours('manager_escalation', '12h'),
      hours('reassignment', '18h'),
      hours('vp_review', '24h'),
    ],
  };
  return config;
}

/** Writes the org as JSON where every process of the bench reads it (HANDOFF_CONFIG); returns the path. */
export function writeOrg(config: OrgConfig, dir: string): string {
  const file = path.join(dir, 'bench-org.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  // The file must load as the processes will load it: validation errors surface here, not in a child.
  loadOrgConfigFile(file);
  return file;
}
