/**
 * Component 1, instant routing: validate the MQL on fresh CRM data, check for an open deal (no duplicate
 * routing), apply the routing rules (open-deal owner → named account → territory → size → industry → round-robin),
 * and write the owner to the CRM — a deal for high-intent leads included.
 */
import { ActivityFailure } from '@temporalio/workflow';
import { managerAssignee, repAssignee, type Assignee } from '../../domain/assignee';
import { createsDeal, inboundDealName } from '../../domain/handoff-rules';
import { findRep, findTeam, repByCrmOwnerId } from '../../domain/org';
import { qualifyLead } from '../../domain/qualification';
import { decideRoute, isOutOfOffice, rosterCandidates, type RouteDecision } from '../../domain/routing';
import { firstTouchDueAt } from '../../domain/sla';
import { crm, roster } from './activities';
import { failureMessage, type HandoffContext } from './context';
import { nextFirstTouchRung, slaCalendar } from './ladders';
import { createFollowUpTask } from './multi-channel-notification';
import type { ExternalRef } from '../activity-contracts';
import type { Assignment } from './state';

export type Routed = { outcome: 'disqualified' } | { assignee: Assignee; claimed: boolean; because: string };

/** Qualifies and routes a new MQL; ends in `routing` with an owner chosen, or `disqualified`. */
export async function qualifyAndRoute(h: HandoffContext): Promise<Routed> {
  const { s } = h;
  let unreadable: string | null = null;
  const lead = await crm.loadLead({ contactId: s.contactId }).catch((e: unknown) => {
    if (!(e instanceof ActivityFailure)) throw e;
    unreadable = failureMessage(e);
    return null;
  });
  if (!lead) {
    s.disqualificationReasons = [unreadable ?? `contact ${s.contactId} does not exist in HubSpot`];
    h.log('disqualified', 'disqualified', s.disqualificationReasons[0]);
    h.enter('disqualified');
    return { outcome: 'disqualified' };
  }
  s.lead = lead;
  const q = qualifyLead(lead, h.policy, h.now());
  s.leadType = q.leadType;
  s.priority = q.priority;
  s.qualification = { reasonForHandoff: q.reasonForHandoff, matchedBy: q.matchedBy };
  if (!q.qualified) {
    s.disqualificationReasons = q.reasons;
    h.log('disqualified', 'disqualified', q.reasons.join('; '));
    await h.tolerate('disqualification write-back', () =>
      crm.recordDisqualification({ contactId: s.contactId, reasons: q.reasons, workflowId: s.workflowId }),
    );
    h.enter('disqualified');
    return { outcome: 'disqualified' };
  }
  s.mqlAt = h.now().toISOString();
  h.log('qualified', 'qualified', q.reasonForHandoff);

  h.enter('routing');
  const openDeal = await crm.findOpenDeal({ lead });
  let openDealOwnerRepId: string | null = null;
  if (openDeal) {
    s.dealId = openDeal.id;
    openDealOwnerRepId = openDeal.ownerId
      ? (repByCrmOwnerId(h.policy, h.policy.salesCrm, openDeal.ownerId)?.id ?? null)
      : null;
    const owner = openDealOwnerRepId ? ` owned by ${openDealOwnerRepId}` : '';
    h.log('open_deal_found', 'open deal found', `${openDeal.id}${owner}: no new deal`);
  }
  const route = decideRoute(lead, h.policy, { openDealOwnerRepId });
  h.log('routed', 'routed', route.explanation);
  return { ...(await chooseAssignee(h, route)), because: route.explanation };
}

/** Direct owner when available; else round-robin in the pool; else the team's manager, flagged. */
async function chooseAssignee(
  h: HandoffContext,
  route: RouteDecision,
): Promise<{ assignee: Assignee; claimed: boolean }> {
  if (route.repId) {
    const found = findRep(h.policy, route.repId);
    if (found && !isOutOfOffice(found.rep, h.now()))
      return { assignee: repAssignee(h.policy, route.repId), claimed: false };
    h.log(
      'direct_owner_unavailable',
      'direct owner unavailable',
      `${route.repId} is out of office; round-robin in ${route.teamId}`,
    );
  }
  const repId = await claimFromRoster(h, route.teamId, route.candidateRepIds, []);
  if (repId) return { assignee: repAssignee(h.policy, repId), claimed: true };
  const manager = managerAssignee(h.policy, route.teamId);
  h.flag('no_rep_available');
  h.log(
    'no_rep_available',
    'no rep available',
    `routed to ${findTeam(h.policy, route.teamId)!.name}'s manager ${manager.name}`,
  );
  return { assignee: manager, claimed: false };
}

/** A rep from the team's roster, or null when nobody is available. */
export async function claimFromRoster(
  h: HandoffContext,
  teamId: string,
  repIds: string[],
  exclude: string[],
): Promise<string | null> {
  h.s.claims += 1;
  const claimKey = h.key(`claim-${h.s.claims}`);
  const claim = await h.tolerate('round-robin claim', () =>
    roster.claimRep({
      teamId,
      claimKey,
      leadId: h.s.workflowId,
      candidates: rosterCandidates(h.policy, teamId, repIds, h.now()),
      exclude,
    }),
  );
  return claim?.repId ?? null;
}

/** Gives a claimed rep's slot back to the roster when the lead leaves them. */
export async function releaseClaim(h: HandoffContext, a: Assignment): Promise<void> {
  if (!a.claimed) return;
  await h.tolerate('roster release', () =>
    roster.releaseRep({ teamId: a.assignee.teamId, repId: a.assignee.id, leadId: h.s.workflowId }),
  );
}

export interface WrittenAssignment {
  a: Assignment;
  /** The sales-side record (HubSpot contact, Salesforce Lead/Contact), unless the CRM refused the write. */
  record: ExternalRef | null;
  /** The follow-up task was written with the owner (else multi-channel notification writes it). */
  taskWritten: boolean;
}

/** Makes `assignee` the owner: a new assignment (its SLA clock starts now), the owner in the CRM, the deal. */
export async function writeAssignment(
  h: HandoffContext,
  assignee: Assignee,
  claimed: boolean,
  because: string,
): Promise<WrittenAssignment> {
  const { s } = h;
  const lead = s.lead!;
  const no = (s.assignment?.no ?? 0) + 1;
  const assignedAt = h.now();
  const ladder = h.policy.sla.ladders[s.leadType!];
  const slaDueAt = firstTouchDueAt(ladder, assignedAt, slaCalendar(h, assignee)).toISOString();
  const a: Assignment = {
    no,
    assignee,
    assignedAt: assignedAt.toISOString(),
    slaDueAt,
    claimed,
    taskId: null,
    chat: null,
    fired: [],
  };
  s.assignment = a;
  if (!s.previousAssignees.includes(assignee.id)) s.previousAssignees.push(assignee.id);
  s.rung = 'none';
  const firstRung = nextFirstTouchRung(h, a);
  s.nextDeadline = firstRung ? { what: firstRung.rung, at: firstRung.at } : null;
  h.log(
    'assigned',
    `assigned to ${assignee.name}`,
    `${assignee.kind} in ${assignee.teamId}; ${because}; first touch due ${slaDueAt}`,
  );

  const wantsDeal = createsDeal({
    assignmentNo: no,
    matchedBy: s.qualification?.matchedBy ?? null,
    hasDeal: s.dealId !== null,
  });
  const deal = () =>
    wantsDeal
      ? h.tolerate('deal creation', () =>
          crm.createDeal({ lead, assignee, name: inboundDealName(lead), key: h.key('deal') }),
        )
      : Promise.resolve(null);
  const record = await h.tolerate('CRM assignment', () =>
    crm.assignInCrm({ lead, assignee, workflowId: s.workflowId, mqlAt: s.mqlAt!, dealId: s.handoffDealId }),
  );
  if (record) s.salesRecordId = record.id;
  // The deal and the task both hang off the record the owner write made: together, in one round trip.
  const [created] = h.dealAndTaskTogether ? await Promise.all([deal(), createFollowUpTask(h, a)]) : [await deal()];
  if (created) {
    s.dealId = created.id;
    s.handoffDealId = created.id;
    h.log('deal_created', 'deal created', created.id);
  }
  return { a, record, taskWritten: h.dealAndTaskTogether };
}
