/**
 * Who holds a lead and who hears about it: the assignee (a rep, or the team's manager when nobody on the team
 * was available) and the people we notify. Built from the org configuration only, so the workflow, the
 * activities and the adapters agree on one shape.
 */
import { calendarOf, findManager, findRep, findTeam, managerOf } from './org';
import type { BusinessCalendar, OrgConfig, Person, Rep, Team } from './org-config';

/** Someone we notify: a rep, a manager or the reviewer. */
export interface Recipient {
  id: string;
  name: string;
  email: string;
  slackUserId?: string;
}

/** Who holds the lead: a rep, or a manager when nobody on the team was available. */
export interface Assignee extends Recipient {
  kind: 'rep' | 'manager';
  teamId: string;
  /** Owner id in the sales CRM (HubSpot owner id or Salesforce user id). */
  salesOwnerId: string;
  /** HubSpot owner id (the contact owner in the marketing CRM), when known. */
  hubspotOwnerId?: string;
  /** Salesforce user id, for mobile push. */
  salesforceUserId?: string;
  /** The rep's own zone when set, else the team calendar's. */
  timeZone: string;
}

export function assigneeOf(policy: OrgConfig, person: Rep | Person, team: Team, kind: 'rep' | 'manager'): Assignee {
  const repZone = kind === 'rep' ? (person as Rep).timeZone : undefined;
  return {
    kind,
    id: person.id,
    name: person.name,
    email: person.email,
    slackUserId: person.slackUserId,
    teamId: team.id,
    salesOwnerId: person.crmOwnerIds[policy.salesCrm] ?? '',
    hubspotOwnerId: person.crmOwnerIds.hubspot,
    salesforceUserId: person.crmOwnerIds.salesforce,
    timeZone: repZone ?? calendarOf(policy, team.id).timeZone,
  };
}

/** The rep as an assignee; throws for an id the configuration does not know (callers validate first). */
export function repAssignee(policy: OrgConfig, repId: string): Assignee {
  const found = findRep(policy, repId);
  if (!found) throw new Error(`unknown rep "${repId}"`);
  return assigneeOf(policy, found.rep, found.team, 'rep');
}

/** The team's manager as the assignee of last resort. */
export function managerAssignee(policy: OrgConfig, teamId: string): Assignee {
  const team = findTeam(policy, teamId);
  const manager = team && findManager(policy, team.managerId);
  if (!team || !manager) throw new Error(`team "${teamId}" has no manager in the configuration`);
  return assigneeOf(policy, manager, team, 'manager');
}

/** The person above the assignee: a rep's manager, or for a manager-held lead the team's manager. */
export function managerAbove(policy: OrgConfig, a: Assignee): Person | null {
  return a.kind === 'rep' ? managerOf(policy, a.id) : findManager(policy, findTeam(policy, a.teamId)?.managerId ?? '');
}

/**
 * The calendar the assignee's SLA counts in: their team's working days, hours and holidays, in the assignee's own
 * time zone (a rep's zone where set, else the calendar's).
 */
export function assigneeCalendar(policy: OrgConfig, a: Pick<Assignee, 'teamId' | 'timeZone'>): BusinessCalendar {
  const team = calendarOf(policy, a.teamId);
  return team.timeZone === a.timeZone ? team : { ...team, timeZone: a.timeZone };
}

export function recipientOf(p: Recipient): Recipient {
  return { id: p.id, name: p.name, email: p.email, slackUserId: p.slackUserId };
}
