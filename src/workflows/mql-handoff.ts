/**
 * One durable execution per MQL, from "qualified" to accepted, rejected or recycled — the framework of the seeds:
 *
 *   qualify → dedupe → route → write to the CRM → notify with context → SLA ladder → accept / reject → recycle
 *
 * Deterministic orchestration only: the rules live in src/domain, every side effect is an activity. The whole
 * state is one serialisable object, so a long-lived lead can continue-as-new at any waiting point and resume.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Assignee, HandoffActivities } from '../activities/handoff-activities';
import type { ChatMessageRef, HandoffMessageState, Recipient } from '../activities/ports';
import type { HandoffBrief, NoticeKind } from '../domain/brief';
import { formatInZone } from '../domain/business-hours';
import { parseDurationMs } from '../domain/duration';
import { fullName, type LeadSnapshot, type LeadType, type Priority } from '../domain/lead';
import { composeNotice } from '../domain/notices';
import { calendarOf, findManager, findRep, findTeam, managerOf, repByCrmOwnerId } from '../domain/org';
import type { OrgConfig, Person, Rep, Team } from '../domain/org-config';
import { qualifyLead, type Qualification } from '../domain/qualification';
import { rejectionPicklist, rejectionTrack, validateRejectReason } from '../domain/rejection';
import { decideRoute, isOutOfOffice, rosterCandidates, type RouteDecision } from '../domain/routing';
import { firstTouchDueAt, planDecisionLadder, planLadder } from '../domain/sla';
import type { RejectionReason, SlaRungKind } from '../domain/vocabulary';
import {
  acceptUpdate,
  reassignUpdate,
  rejectUpdate,
  repActivitySignal,
  SA,
  statusQuery,
  type AcceptInput,
  type CurrentRung,
  type DecisionResult,
  type HandoffOutcome,
  type HandoffResult,
  type HandoffStatus,
  type LeadStage,
  type MqlHandoffInput,
  type ReassignInput,
  type ReassignResult,
  type RejectInput,
  type RepActivity,
  type TimelineEntry,
} from './definitions';

// ---------------------------------------------------------------------------------------------------------------
// Activities: explicit timeouts and retries. CRM/notification calls retry with backoff until they succeed, unless
// the adapter says the request itself is wrong (non-retryable ServiceRejected) — those are handled below.
// ---------------------------------------------------------------------------------------------------------------

const NON_RETRYABLE = ['ServiceRejected', 'ConfigurationError'];

/** Workflow changes made while leads may be sleeping in older versions (see test/histories). */
const PATCH_READY_BEFORE_NOTIFY = 'ready-for-decisions-before-notify';

const act = proxyActivities<HandoffActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes: NON_RETRYABLE },
});
/** The roster answers in milliseconds when idle; under a burst of MQLs its updates queue, so allow a minute before
 *  retrying, and give up (the lead goes to the team's manager) after 20 attempts. */
const roster = proxyActivities<HandoffActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

// ---------------------------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------------------------

interface Assignment {
  no: number;
  assignee: Assignee;
  assignedAt: string;
  slaDueAt: string;
  /** Claimed from the team roster (released when the lead leaves this rep). */
  claimed: boolean;
  taskId: string | null;
  chat: ChatMessageRef | null;
  /** Assignment-anchored rungs already fired for this rep. */
  fired: SlaRungKind[];
}

export interface HandoffState {
  workflowId: string;
  contactId: string;
  cycle: number;
  stage: LeadStage;
  lead: LeadSnapshot | null;
  leadType: LeadType | null;
  priority: Priority | null;
  qualification: Pick<Qualification, 'reasonForHandoff' | 'matchedBy'> | null;
  mqlAt: string | null;
  firstTouchAt: string | null;
  assignment: Assignment | null;
  previousAssignees: string[];
  autoReassignments: number;
  reassignments: number;
  /** MQL-anchored rungs (VP review) already fired, across reassignments. */
  firedMqlRungs: SlaRungKind[];
  /** Decision-ladder rungs already fired. */
  firedDecisionRungs: string[];
  rung: CurrentRung;
  nextDeadline: { what: string; at: string } | null;
  brief: HandoffBrief | null;
  dealId: string | null;
  salesRecordId: string | null;
  outcome: HandoffOutcome | null;
  rejectReason: RejectionReason | null;
  disqualificationReasons: string[];
  flags: string[];
  timeline: TimelineEntry[];
  /** External ids of rep activities already seen (bounded), so a re-delivered webhook counts once. */
  seenActivityIds: string[];
  /** Roster claims made so far: each claim gets its own idempotency key. */
  claims: number;
  /** A rep activity received while awaiting first touch, not yet handled (kept in state so continue-as-new keeps it). */
  pendingTouch: RepActivity | null;
}

const TIMELINE_LIMIT = 300;

function initialState(input: MqlHandoffInput): HandoffState {
  return {
    workflowId: workflowInfo().workflowId,
    contactId: input.contactId,
    cycle: input.cycle ?? 0,
    stage: 'qualifying',
    lead: null,
    leadType: null,
    priority: null,
    qualification: null,
    mqlAt: null,
    firstTouchAt: null,
    assignment: null,
    previousAssignees: [],
    autoReassignments: 0,
    reassignments: 0,
    firedMqlRungs: [],
    firedDecisionRungs: [],
    rung: 'none',
    nextDeadline: null,
    brief: null,
    dealId: null,
    salesRecordId: null,
    outcome: null,
    rejectReason: null,
    disqualificationReasons: [],
    flags: [],
    timeline: [...(input.carriedTimeline ?? [])],
    seenActivityIds: [],
    claims: 0,
    pendingTouch: null,
  };
}

/** Input to resume a handoff from a continue-as-new at a waiting point. */
export interface MqlHandoffResume {
  state: HandoffState;
}

type PendingDecision =
  | { kind: 'accept'; input: AcceptInput; result?: DecisionResult }
  | { kind: 'reject'; input: RejectInput; result?: DecisionResult };

// ---------------------------------------------------------------------------------------------------------------
// The workflow
// ---------------------------------------------------------------------------------------------------------------

export async function mqlHandoff(input: MqlHandoffInput & { resume?: MqlHandoffResume }): Promise<HandoffResult> {
  const s: HandoffState = input.resume?.state ?? initialState(input);
  s.pendingTouch ??= null; // state carried from a run that predates the field
  const key = (step: string): string => `${s.workflowId}:c${s.cycle}:${step}`;
  const now = (): Date => new Date();
  const log = (event: string, detail?: string): void => {
    s.timeline.push(
      detail === undefined ? { at: now().toISOString(), event } : { at: now().toISOString(), event, detail },
    );
    if (s.timeline.length > TIMELINE_LIMIT) s.timeline.splice(1, s.timeline.length - TIMELINE_LIMIT);
  };

  let policy: OrgConfig | null = null;
  let pendingDecision: PendingDecision | null = null;
  let pendingReassign: { input: ReassignInput; result?: ReassignResult; error?: string } | null = null;

  // ---- steering ----
  setHandler(statusQuery, () => statusOf(s));

  setHandler(repActivitySignal, (a) => {
    if (a.externalId) {
      if (s.seenActivityIds.includes(a.externalId)) return;
      s.seenActivityIds.push(a.externalId);
      if (s.seenActivityIds.length > 200) s.seenActivityIds.shift();
    }
    if (s.stage === 'awaiting_first_touch' && !s.pendingTouch) s.pendingTouch = a;
    else log('rep activity', `${a.type} via ${a.source}`);
  });

  const decisionOpen = (repId: string): void => {
    if (s.stage !== 'awaiting_first_touch' && s.stage !== 'awaiting_decision') {
      throw new Error(`lead ${s.workflowId} is not awaiting a decision (stage: ${s.stage})`);
    }
    if (pendingDecision)
      throw new Error(`a ${pendingDecision.kind} decision is already being recorded for ${s.workflowId}`);
    const owner = s.assignment?.assignee;
    if (!owner || owner.id !== repId) {
      throw new Error(`rep "${repId}" is not the owner of ${s.workflowId} (owner: ${owner?.id ?? 'nobody'})`);
    }
  };

  setHandler(
    acceptUpdate,
    async (i) => {
      const p: PendingDecision = { kind: 'accept', input: i };
      pendingDecision = p;
      await condition(() => p.result !== undefined);
      return p.result!;
    },
    { validator: (i) => decisionOpen(i.repId) },
  );

  setHandler(
    rejectUpdate,
    async (i) => {
      const p: PendingDecision = { kind: 'reject', input: i };
      pendingDecision = p;
      await condition(() => p.result !== undefined);
      return p.result!;
    },
    {
      validator: (i) => {
        decisionOpen(i.repId);
        const problem = policy ? validateRejectReason(policy, i.reason) : 'the handoff policy is not loaded yet';
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(
    reassignUpdate,
    async (i) => {
      const p: { input: ReassignInput; result?: ReassignResult; error?: string } = { input: i };
      pendingReassign = p;
      await condition(() => p.result !== undefined || p.error !== undefined);
      if (p.error) throw ApplicationFailure.nonRetryable(p.error, 'ReassignRefused');
      return p.result!;
    },
    {
      validator: (i) => {
        if (s.stage !== 'awaiting_first_touch' && s.stage !== 'awaiting_decision') {
          throw new Error(`lead ${s.workflowId} cannot be reassigned in stage ${s.stage}`);
        }
        if (pendingReassign) throw new Error(`a reassignment of ${s.workflowId} is already in progress`);
        if (!i.reason?.trim()) throw new Error('reason: expected a non-empty reason for the reassignment');
        if (i.toRepId !== undefined) {
          const found = policy && findRep(policy, i.toRepId);
          if (!found) throw new Error(`unknown rep "${i.toRepId}"`);
          if (i.toRepId === s.assignment?.assignee.id)
            throw new Error(`rep "${i.toRepId}" already owns ${s.workflowId}`);
          if (isOutOfOffice(found.rep, now())) throw new Error(`rep "${i.toRepId}" is out of office`);
        }
      },
    },
  );

  // ---- search attributes: kept current at every transition ----
  const publish = (): void => {
    const a = s.assignment;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: SA.LeadStage, value: s.stage },
      { key: SA.SlaRung, value: s.rung },
    ];
    pairs.push(a ? { key: SA.AssignedRep, value: a.assignee.id } : { key: SA.AssignedRep, value: null });
    pairs.push(a ? { key: SA.Team, value: a.assignee.teamId } : { key: SA.Team, value: null });
    pairs.push(
      s.stage === 'awaiting_first_touch' && a
        ? { key: SA.SlaDueAt, value: new Date(a.slaDueAt) }
        : s.stage === 'awaiting_decision' && s.nextDeadline
          ? { key: SA.SlaDueAt, value: new Date(s.nextDeadline.at) }
          : { key: SA.SlaDueAt, value: null },
    );
    if (s.priority) pairs.push({ key: SA.Priority, value: s.priority });
    if (s.leadType) pairs.push({ key: SA.LeadType, value: s.leadType });
    if (s.mqlAt) pairs.push({ key: SA.MqlAt, value: new Date(s.mqlAt) });
    if (s.firstTouchAt) pairs.push({ key: SA.FirstTouchAt, value: new Date(s.firstTouchAt) });
    pairs.push({ key: SA.RejectReason, value: s.rejectReason });
    upsertSearchAttributes(pairs);
  };
  const enter = (stage: LeadStage): void => {
    if (s.stage !== stage) log(`stage: ${stage}`);
    s.stage = stage;
    publish();
  };

  /** Runs a side effect that may be refused for good (4xx): records it and carries on rather than drop the lead. */
  const tolerate = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      const message = e.cause instanceof Error ? e.cause.message : e.message;
      s.flags.push(`${what} failed`);
      log(`${what} failed`, message);
      return null;
    }
  };

  // ---- people ----
  const P = (): OrgConfig => policy!;
  const timeZoneOf = (teamId: string, rep?: Rep): string => rep?.timeZone ?? calendarOf(P(), teamId).timeZone;
  const asAssignee = (person: Rep | Person, team: Team, kind: 'rep' | 'manager'): Assignee => ({
    kind,
    id: person.id,
    name: person.name,
    email: person.email,
    slackUserId: person.slackUserId,
    teamId: team.id,
    salesOwnerId: person.crmOwnerIds[P().salesCrm] ?? '',
    hubspotOwnerId: person.crmOwnerIds.hubspot,
    salesforceUserId: person.crmOwnerIds.salesforce,
    timeZone: timeZoneOf(team.id, kind === 'rep' ? (person as Rep) : undefined),
  });
  const recipient = (p: Person | Assignee): Recipient => ({
    id: p.id,
    name: p.name,
    email: p.email,
    slackUserId: p.slackUserId,
  });
  const managerFor = (a: Assignee): Person | null =>
    a.kind === 'rep' ? managerOf(P(), a.id) : findManager(P(), findTeam(P(), a.teamId)?.managerId ?? '');

  // ---- routing and assignment ----

  /** A rep from the team's roster, or null when nobody is available. */
  const claimFromRoster = async (teamId: string, repIds: string[], exclude: string[]): Promise<string | null> => {
    s.claims += 1;
    const claim = await tolerate('round-robin claim', () =>
      roster.claimRep({
        teamId,
        claimKey: key(`claim-${s.claims}`),
        leadId: s.workflowId,
        candidates: rosterCandidates(P(), teamId, repIds, now()),
        exclude,
      }),
    );
    return claim?.repId ?? null;
  };

  const assigneeForRep = (repId: string): Assignee => {
    const found = findRep(P(), repId)!;
    return asAssignee(found.rep, found.team, 'rep');
  };

  /** Direct owner when available; else round-robin in the pool; else the team's manager, flagged. */
  const chooseAssignee = async (route: RouteDecision): Promise<{ assignee: Assignee; claimed: boolean }> => {
    if (route.repId) {
      const found = findRep(P(), route.repId);
      if (found && !isOutOfOffice(found.rep, now()))
        return { assignee: asAssignee(found.rep, found.team, 'rep'), claimed: false };
      log('direct owner unavailable', `${route.repId} is out of office; round-robin in ${route.teamId}`);
    }
    const repId = await claimFromRoster(route.teamId, route.candidateRepIds, []);
    if (repId) return { assignee: assigneeForRep(repId), claimed: true };
    return { assignee: managerAssignee(route.teamId), claimed: false };
  };

  const managerAssignee = (teamId: string): Assignee => {
    const team = findTeam(P(), teamId)!;
    const manager = findManager(P(), team.managerId)!;
    s.flags.push('no_rep_available');
    log('no rep available', `routed to ${team.name}'s manager ${manager.name}`);
    return asAssignee(manager, team, 'manager');
  };

  /** Writes the assignment everywhere and tells the assignee. */
  const assign = async (assignee: Assignee, claimed: boolean, routedBecause: string): Promise<void> => {
    const lead = s.lead!;
    const no = (s.assignment?.no ?? 0) + 1;
    const assignedAt = now();
    const ladder = P().sla.ladders[s.leadType!];
    const slaDueAt = firstTouchDueAt(ladder, assignedAt, calendarOf(P(), assignee.teamId)).toISOString();
    s.assignment = {
      no,
      assignee,
      assignedAt: assignedAt.toISOString(),
      slaDueAt,
      claimed,
      taskId: null,
      chat: null,
      fired: [],
    };
    if (s.previousAssignees.indexOf(assignee.id) < 0) s.previousAssignees.push(assignee.id);
    s.rung = 'none';
    const firstRung = nextRung(s.assignment);
    s.nextDeadline = firstRung ? { what: firstRung.rung, at: firstRung.at } : null;
    log(
      `assigned to ${assignee.name}`,
      `${assignee.kind} in ${assignee.teamId}; ${routedBecause}; first touch due ${slaDueAt}`,
    );

    const record = await tolerate('CRM assignment', () =>
      act.assignInCrm({ lead, assignee, workflowId: s.workflowId, mqlAt: s.mqlAt! }),
    );
    if (record) s.salesRecordId = record.id;

    if (no === 1 && s.qualification?.matchedBy === 'high_intent' && !s.dealId) {
      const company = lead.company?.name ?? fullName(lead);
      const deal = await tolerate('deal creation', () =>
        act.createDeal({ lead, assignee, name: `${company} — inbound MQL`, key: key('deal') }),
      );
      if (deal) {
        s.dealId = deal.id;
        log('deal created', deal.id);
      }
    }

    const task = await tolerate('task creation', () =>
      act.createFollowUpTask({
        lead,
        assignee,
        subject: `Follow up: ${fullName(lead)}${lead.company?.name ? ` (${lead.company.name})` : ''} — new MQL`,
        body: `${s.qualification?.reasonForHandoff ?? 'New MQL'}. First touch due ${formatInZone(new Date(slaDueAt), assignee.timeZone)}.`,
        dueAt: slaDueAt,
        key: key(`task-${no}`),
      }),
    );
    s.assignment.taskId = task?.id ?? null;

    s.brief = await act.prepareBrief({
      workflowId: s.workflowId,
      lead,
      leadType: s.leadType!,
      priority: s.priority!,
      reasonForHandoff: s.qualification?.reasonForHandoff ?? '',
      routedBecause,
      slaDueAt,
      timeZone: assignee.timeZone,
      rep: { id: assignee.id, name: assignee.name },
      links: [
        ...(lead.hubspotUrl ? [{ label: 'HubSpot contact', url: lead.hubspotUrl }] : []),
        ...(record?.url && record.url !== lead.hubspotUrl
          ? [{ label: `Salesforce ${record.objectType}`, url: record.url }]
          : []),
      ],
      rejectReasons: rejectionPicklist(P()),
      now: now().toISOString(),
    });

    // A rep may click Accept the moment the DM lands: be ready for decisions before notifying.
    // (Histories recorded before this change entered the stage only after notifying.)
    if (s.stage === 'routing' && patched(PATCH_READY_BEFORE_NOTIFY)) enter('awaiting_first_touch');
    const notified = await act.notifyAssignee({
      assignee,
      brief: s.brief,
      key: key(`notify-${no}`),
      emailBackup: P().notifications.emailBackup,
      push:
        P().notifications.mobilePush && s.priority === 'high'
          ? // The notification opens the Salesforce record when Salesforce is the sales CRM.
            { targetId: P().salesCrm === 'salesforce' ? (s.salesRecordId ?? undefined) : undefined }
          : null,
    });
    s.assignment.chat = notified.chat;
    const channels = [
      notified.chat && 'Slack DM',
      notified.emailed && 'email',
      notified.pushed && 'mobile push',
    ].filter(Boolean);
    log(
      'rep notified',
      channels.join(', ') + (notified.failures.length ? `; failed: ${notified.failures.join('; ')}` : ''),
    );
    publish();
  };

  const release = async (a: Assignment): Promise<void> => {
    if (!a.claimed) return;
    await tolerate('roster release', () =>
      roster.releaseRep({ teamId: a.assignee.teamId, repId: a.assignee.id, leadId: s.workflowId }),
    );
  };

  const updateMessage = async (state: HandoffMessageState): Promise<void> => {
    const a = s.assignment;
    if (!a?.chat || !s.brief) return;
    const ref = a.chat;
    const brief = s.brief;
    await tolerate('Slack message update', () => act.updateHandoffMessage({ ref, brief, state }));
  };

  const notify = async (
    kind: NoticeKind,
    to: Person | Assignee | { channel: string },
    step: string,
    ctx: { repName?: string; toRepName?: string; reason?: string; reasonLabel?: string; waitedMs?: number } = {},
  ): Promise<void> => {
    const person = 'channel' in to ? null : to;
    const zone = person && 'timeZone' in person ? person.timeZone : (s.assignment?.assignee.timeZone ?? 'UTC');
    const notice = composeNotice(kind, s.brief!, {
      now: now(),
      timeZone: zone,
      managerName: s.assignment ? managerFor(s.assignment.assignee)?.name : undefined,
      ...ctx,
    });
    const target = 'channel' in to ? to : recipient(to);
    const alsoEmail = person !== null && 'prefersEmail' in person && person.prefersEmail === true;
    await tolerate(`${kind} notice`, () => act.sendNotice({ to: target, notice, key: key(step), alsoEmail }));
    log(`notice: ${kind}`, 'channel' in to ? `to channel ${to.channel}` : `to ${to.name}`);
  };

  const reviewerTarget = (): Person | { channel: string } =>
    P().reviewer.slackChannel ? { channel: P().reviewer.slackChannel! } : P().reviewer;

  /** Hands the lead to another rep; returns the new owner, or null when nobody could take it. */
  const reassign = async (
    toRepId: string | undefined,
    reason: string,
    by: string,
    auto: boolean,
  ): Promise<Assignee | null> => {
    const from = s.assignment!;
    const teamId = toRepId ? findRep(P(), toRepId)!.team.id : from.assignee.teamId;
    const pool = toRepId ? [toRepId] : findTeam(P(), teamId)!.reps.map((r) => r.id);
    const got = await claimFromRoster(teamId, pool, toRepId ? [] : [...s.previousAssignees]);
    if (!got) return null;
    const next = assigneeForRep(got);
    const claimed = true;
    await release(from);
    if (from.taskId) {
      const taskId = from.taskId;
      await tolerate('task close', () => act.closeFollowUpTask({ taskId, outcome: 'reassigned' }));
    }
    await updateMessage({ kind: 'reassigned', at: now().toISOString(), toName: next.name, reason });
    const previous = from.assignee;
    s.reassignments += 1;
    if (auto) s.autoReassignments += 1;
    log(`reassigned from ${previous.name} to ${next.name}`, `${reason} (by ${by})`);
    await assign(next, claimed, `Reassigned from ${previous.name}: ${reason}`);
    await notify('reassigned_away', previous, `reassigned-away-${from.no}`, {
      repName: previous.name,
      toRepName: next.name,
      reason,
    });
    const manager = managerFor(previous);
    if (manager) {
      await notify('reassignment_manager_notice', manager, `reassigned-manager-${from.no}`, {
        repName: previous.name,
        toRepName: next.name,
        reason,
      });
    }
    return next;
  };

  const handleReassignRequest = async (): Promise<void> => {
    const p = pendingReassign!;
    const from = s.assignment!.assignee.id;
    try {
      const next = await reassign(p.input.toRepId, p.input.reason, p.input.requestedBy, false);
      if (!next) {
        p.error = p.input.toRepId
          ? `rep "${p.input.toRepId}" cannot take more leads (at capacity or unavailable)`
          : `nobody else in ${s.assignment!.assignee.teamId} is available`;
      } else {
        p.result = { fromRepId: from, toRepId: next.id, at: now().toISOString() };
        if (s.stage === 'awaiting_decision') {
          // The new rep has not touched the lead yet: back to the first-touch ladder.
          s.firstTouchAt = null;
          enter('awaiting_first_touch');
        }
      }
    } finally {
      pendingReassign = null;
    }
  };

  // ---- decisions ----

  const recordFirstTouch = async (how: string): Promise<void> => {
    const at = now();
    s.firstTouchAt = at.toISOString();
    const waited = at.getTime() - Date.parse(s.assignment!.assignedAt);
    log('first touch', `${how} after ${Math.round(waited / 1000)} s`);
    const taskId = s.assignment!.taskId;
    if (taskId) await tolerate('task close', () => act.closeFollowUpTask({ taskId, outcome: 'completed' }));
    await updateMessage({ kind: 'reached_out', at: s.firstTouchAt });
  };

  /** Applies an accept/reject; 'renurture' when the lead goes on to the re-nurture timer. */
  const applyDecision = async (): Promise<HandoffOutcome | 'renurture'> => {
    const d = pendingDecision!;
    const at = now().toISOString();
    const lead = s.lead!;
    const a = s.assignment!;
    if (!s.firstTouchAt) await recordFirstTouch(`${d.kind} decision by ${a.assignee.name}`);
    let outcome: HandoffOutcome | 'renurture';
    if (d.kind === 'accept') {
      await tolerate('CRM acceptance', () => act.markAccepted({ lead, at, workflowId: s.workflowId }));
      await updateMessage({ kind: 'accepted', at, by: a.assignee.name });
      log('accepted', `by ${a.assignee.name}${d.input.note ? `: ${d.input.note}` : ''}`);
      outcome = 'accepted';
    } else {
      const track = rejectionTrack(P(), d.input.reason)!;
      await tolerate('CRM rejection', () =>
        act.markRejected({
          lead,
          reason: track.reason,
          leadStatus: track.leadStatus,
          nurtureListId: track.nurtureListId,
          workflowId: s.workflowId,
        }),
      );
      if (a.taskId) {
        const taskId = a.taskId;
        await tolerate('task close', () => act.closeFollowUpTask({ taskId, outcome: 'cancelled' }));
      }
      await updateMessage({ kind: 'rejected', at, by: a.assignee.name, reasonLabel: track.label });
      s.rejectReason = track.reason;
      log('rejected', `${track.label} by ${a.assignee.name}${d.input.note ? `: ${d.input.note}` : ''}`);
      await notify('lead_rejected', reviewerTarget(), 'rejected', { reason: track.reason, reasonLabel: track.label });
      outcome = track.reevaluate ? 'renurture' : 'rejected';
    }
    await release(a);
    s.rung = 'none';
    s.nextDeadline = null;
    if (outcome === 'renurture') {
      enter('renurturing');
    } else {
      s.outcome = outcome;
      enter(outcome);
    }
    d.result = { stage: s.stage, at };
    pendingDecision = null;
    return outcome;
  };

  // ---- the ladders ----

  /** Long-lived leads keep a bounded history: any waiting point may hand over to a fresh run. */
  const shouldContinueAsNew = (): boolean => workflowInfo().continueAsNewSuggested;
  const somethingHappened = (): boolean =>
    s.pendingTouch !== null || pendingDecision !== null || pendingReassign !== null || shouldContinueAsNew();

  /** Waits for first touch, firing the SLA rungs as they come due. */
  const firstTouchLadder = async (): Promise<HandoffOutcome | 'renurture' | null> => {
    for (;;) {
      if (pendingDecision) return applyDecision();
      if (pendingReassign) {
        await handleReassignRequest();
        continue;
      }
      if (s.pendingTouch) {
        const t: RepActivity = s.pendingTouch;
        s.pendingTouch = null;
        await recordFirstTouch(`${t.type} via ${t.source}`);
        s.rung = 'none';
        enter('awaiting_decision');
        return null;
      }
      if (shouldContinueAsNew()) return null;
      const a = s.assignment!;
      const next = nextRung(a);
      s.nextDeadline = next ? { what: next.rung, at: next.at } : null;
      publish();
      if (!next) {
        await condition(somethingHappened);
        continue;
      }
      if (await condition(somethingHappened, Math.max(1, Date.parse(next.at) - now().getTime()))) continue;
      await fireRung(next.rung, a);
      if (shouldContinueAsNew()) return null;
    }
  };

  /** The next rung of the ladder for the current rep, if any is left. */
  const nextRung = (a: Assignment) =>
    planLadder({
      ladder: P().sla.ladders[s.leadType!],
      assignedAt: new Date(a.assignedAt),
      mqlAt: new Date(s.mqlAt!),
      calendar: calendarOf(P(), a.assignee.teamId),
      reassignments: s.autoReassignments,
      maxReassignments: P().sla.maxReassignments,
      fired: s.firedMqlRungs,
    }).filter((r) => !a.fired.includes(r.rung))[0];

  const fireRung = async (rung: SlaRungKind, a: Assignment): Promise<void> => {
    const ladder = P().sla.ladders[s.leadType!];
    const fromMql = ladder.rungs.find((r) => r.rung === rung)?.from === 'mql';
    if (fromMql) s.firedMqlRungs.push(rung);
    else a.fired.push(rung);
    s.rung = rung;
    const waitedMs = now().getTime() - Date.parse(a.assignedAt);
    log(`SLA rung: ${rung}`, `${a.assignee.name} has not touched the lead after ${Math.round(waitedMs / 60_000)} min`);
    switch (rung) {
      case 'reminder':
        await notify('reminder', a.assignee, `reminder-${a.no}`, { repName: a.assignee.name, waitedMs });
        break;
      case 'manager_escalation': {
        const manager = managerFor(a.assignee);
        if (manager)
          await notify('manager_escalation', manager, `escalation-${a.no}`, { repName: a.assignee.name, waitedMs });
        break;
      }
      case 'reassignment': {
        const next = await reassign(undefined, 'no first touch within the SLA', 'SLA ladder', true);
        if (!next) {
          s.flags.push('reassignment_found_nobody');
          log('reassignment found nobody', `${a.assignee.name} keeps the lead`);
          const manager = managerFor(a.assignee);
          if (manager)
            await notify('manager_escalation', manager, `escalation-nobody-${a.no}`, {
              repName: a.assignee.name,
              waitedMs,
            });
        }
        break;
      }
      case 'vp_review':
        s.flags.push('vp_review');
        await notify('vp_review', reviewerTarget(), 'vp-review', {
          repName: a.assignee.name,
          waitedMs: now().getTime() - Date.parse(s.mqlAt!),
        });
        break;
    }
    publish();
  };

  /** After first touch: wait for accept or reject, escalating if sales sits on it. */
  const decisionLadder = async (): Promise<HandoffOutcome | 'renurture' | null> => {
    for (;;) {
      if (pendingDecision) return applyDecision();
      if (pendingReassign) {
        await handleReassignRequest();
        if (s.stage === 'awaiting_first_touch') return null;
        continue;
      }
      if (shouldContinueAsNew()) return null;
      const a = s.assignment!;
      const plan = planDecisionLadder({
        decision: P().sla.decision,
        firstTouchAt: new Date(s.firstTouchAt!),
        calendar: calendarOf(P(), a.assignee.teamId),
      }).filter((r) => !s.firedDecisionRungs.includes(r.rung));
      const next = plan[0];
      s.nextDeadline = next ? { what: next.rung, at: next.at } : null;
      publish();
      const ready = () => pendingDecision !== null || pendingReassign !== null || shouldContinueAsNew();
      if (!next) {
        await condition(ready);
        continue;
      }
      if (await condition(ready, Math.max(1, Date.parse(next.at) - now().getTime()))) continue;
      s.firedDecisionRungs.push(next.rung);
      s.rung = next.rung;
      const waitedMs = now().getTime() - Date.parse(s.firstTouchAt!);
      log(`decision rung: ${next.rung}`, `no accept/reject from ${a.assignee.name}`);
      if (next.rung === 'decision_escalation') {
        const manager = managerFor(a.assignee);
        if (manager)
          await notify('decision_overdue', manager, `decision-escalation-${a.no}`, {
            repName: a.assignee.name,
            waitedMs,
          });
      } else {
        s.flags.push('decision_review');
        await notify('decision_review', reviewerTarget(), `decision-review-${a.no}`, {
          repName: a.assignee.name,
          waitedMs,
        });
      }
      if (shouldContinueAsNew()) return null;
    }
  };

  const finish = (outcome: HandoffOutcome): HandoffResult => {
    s.outcome = outcome;
    s.nextDeadline = null;
    publish();
    return { outcome, status: statusOf(s) };
  };

  /** "Timing not right": a durable re-nurture timer, then a fresh evaluation; still qualified → a fresh handoff. */
  const renurture = async (): Promise<HandoffResult> => {
    const delayMs = parseDurationMs(P().rejection.renurtureDelay);
    const until = new Date(Date.now() + delayMs);
    s.nextDeadline = { what: 're-evaluation', at: until.toISOString() };
    log('re-nurture', `re-evaluation on ${until.toISOString()}`);
    enter('renurturing');
    await condition(() => false, delayMs);

    const lead = await act.loadLead({ contactId: s.contactId });
    const q = lead ? qualifyLead(lead, P(), new Date()) : null;
    if (!lead || !q?.qualified) {
      log('recycled', lead ? `no longer qualified: ${q!.reasons.join('; ')}` : 'contact no longer exists');
      s.outcome = 'recycled';
      enter('recycled');
      return finish('recycled');
    }
    log('re-evaluated: still qualified', 'starting a fresh handoff');
    return continueAsNew<typeof mqlHandoff>({
      source: input.source,
      contactId: input.contactId,
      trigger: { kind: 'renurture', at: new Date().toISOString(), detail: `after ${P().rejection.renurtureDelay}` },
      cycle: s.cycle + 1,
      carriedTimeline: s.timeline.slice(-50),
    });
  };

  // =============================================================================================================
  // The handoff
  // =============================================================================================================

  policy = await act.loadHandoffPolicy();

  if (!input.resume) {
    log(`MQL trigger: ${input.trigger.kind}`, input.trigger.detail);
    publish();

    // 1. Qualify, on fresh data from the CRM.
    let unreadable: string | null = null;
    const lead = await act.loadLead({ contactId: s.contactId }).catch((e: unknown) => {
      if (!(e instanceof ActivityFailure)) throw e;
      unreadable = e.cause instanceof Error ? e.cause.message : e.message;
      return null;
    });
    if (!lead) {
      s.disqualificationReasons = [unreadable ?? `contact ${s.contactId} does not exist in HubSpot`];
      log('disqualified', s.disqualificationReasons[0]);
      enter('disqualified');
      return finish('disqualified');
    }
    s.lead = lead;
    const q = qualifyLead(lead, P(), now());
    s.leadType = q.leadType;
    s.priority = q.priority;
    s.qualification = { reasonForHandoff: q.reasonForHandoff, matchedBy: q.matchedBy };
    if (!q.qualified) {
      s.disqualificationReasons = q.reasons;
      log('disqualified', q.reasons.join('; '));
      await tolerate('disqualification write-back', () =>
        act.recordDisqualification({ contactId: s.contactId, reasons: q.reasons, workflowId: s.workflowId }),
      );
      enter('disqualified');
      return finish('disqualified');
    }
    s.mqlAt = now().toISOString();
    log('qualified', q.reasonForHandoff);

    // 2. Dedupe against an open deal/opportunity, 3. route.
    enter('routing');
    const openDeal = await act.findOpenDeal({ lead });
    let openDealOwnerRepId: string | null = null;
    if (openDeal) {
      s.dealId = openDeal.id;
      const owner = openDeal.ownerId ? (repByCrmOwnerId(P(), P().salesCrm, openDeal.ownerId)?.id ?? null) : null;
      openDealOwnerRepId = owner;
      log('open deal found', `${openDeal.id}${owner ? ` owned by ${owner}` : ''}: no new deal`);
    }
    const route = decideRoute(lead, P(), { openDealOwnerRepId });
    log('routed', route.explanation);

    // 4–6. Write to the CRM, create the deal and the task, notify with context.
    const { assignee, claimed } = await chooseAssignee(route);
    await assign(assignee, claimed, route.explanation);
    if (s.stage === 'routing') enter('awaiting_first_touch');
  } else {
    log('resumed after continue-as-new', `stage ${s.stage}`);
  }

  // 7–9. SLA ladder, decision, recycle.
  for (;;) {
    let result: HandoffOutcome | 'renurture' | null = null;
    if (s.stage === 'awaiting_first_touch') result = await firstTouchLadder();
    else if (s.stage === 'awaiting_decision') result = await decisionLadder();
    else if (s.stage === 'renurturing') result = 'renurture';
    else return finish(s.outcome ?? 'disqualified');

    if (result === 'renurture') return renurture();
    if (result) return finish(result);
    if (shouldContinueAsNew()) {
      // Update handlers wait for this loop to apply them: apply any pending ones before handing over.
      const pending = (): boolean => pendingDecision !== null || pendingReassign !== null;
      await condition(() => pending() || allHandlersFinished());
      if (pending()) continue;
      await continueAsNew<typeof mqlHandoff>({ ...input, resume: { state: s } });
    }
  }
}

function statusOf(s: HandoffState): HandoffStatus {
  const a = s.assignment;
  return {
    workflowId: s.workflowId,
    contactId: s.contactId,
    cycle: s.cycle,
    stage: s.stage,
    leadType: s.leadType,
    priority: s.priority,
    owner: a ? { repId: a.assignee.id, name: a.assignee.name } : null,
    team: a?.assignee.teamId ?? null,
    rung: s.rung,
    nextDeadline: s.nextDeadline,
    mqlAt: s.mqlAt,
    slaDueAt: a?.slaDueAt ?? null,
    firstTouchAt: s.firstTouchAt,
    speedToContactMs: s.firstTouchAt && a ? Date.parse(s.firstTouchAt) - Date.parse(s.mqlAt ?? a.assignedAt) : null,
    reassignments: s.reassignments,
    outcome: s.outcome,
    rejectReason: s.rejectReason,
    disqualificationReasons: s.disqualificationReasons,
    flags: [...new Set(s.flags)],
    timeline: s.timeline,
  };
}
