/**
 * Lookups over a validated OrgConfig. Type-only imports: this file is safe (and small) in workflow bundles,
 * which must not pull in the zod schema.
 */
import type { BusinessCalendar, OrgConfig, Person, Rep, Team } from './org-config';

export function findRep(c: OrgConfig, repId: string): { rep: Rep; team: Team } | null {
  for (const team of c.teams) {
    const rep = team.reps.find((r) => r.id === repId);
    if (rep) return { rep, team };
  }
  return null;
}

export function findTeam(c: OrgConfig, teamId: string): Team | null {
  return c.teams.find((t) => t.id === teamId) ?? null;
}

export function findManager(c: OrgConfig, managerId: string): Person | null {
  return c.managers.find((m) => m.id === managerId) ?? null;
}

/** The rep's own manager override, else the team's manager. */
export function managerOf(c: OrgConfig, repId: string): Person | null {
  const found = findRep(c, repId);
  if (!found) return null;
  return findManager(c, found.rep.managerId ?? found.team.managerId);
}

export function calendarOf(c: OrgConfig, teamId: string): BusinessCalendar {
  const team = findTeam(c, teamId);
  const cal = c.calendars.find((x) => x.id === team?.calendarId) ?? c.calendars[0];
  if (!cal) throw new Error('configuration has no calendars');
  return cal;
}

/** Finds a rep by the owner id a CRM uses for them. */
export function repByCrmOwnerId(c: OrgConfig, system: 'hubspot' | 'salesforce', ownerId: string): Rep | null {
  for (const team of c.teams) {
    const rep = team.reps.find((r) => r.crmOwnerIds[system] === ownerId);
    if (rep) return rep;
  }
  return null;
}
