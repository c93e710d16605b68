/**
 * The handoff's activities: every side effect the workflow asks for, each a thin step over the ports
 * (src/activities/ports.ts). Created by a factory that closes over the injected ports, the org configuration and a
 * Temporal client (for the team roster), so the worker, the tests and the benches wire in what they need.
 *
 * Idempotency: every create receives a key the workflow derives from its id, the handoff cycle, the assignment
 * number and the step; the ports return the first result for a repeated key.
 */
import { activityInfo } from '@temporalio/activity';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { buildHandoffBrief, type BriefContext, type HandoffBrief, type Notice } from '../domain/brief';
import type { LeadSnapshot, LeadStatus } from '../domain/lead';
import type { OrgConfig } from '../domain/org-config';
import {
  claimRepUpdate,
  releaseRepSignal,
  TEAM_ROSTER_WORKFLOW_TYPE,
  teamRosterWorkflowId,
  type ClaimRepInput,
  type ClaimRepResult,
} from '../workflows/definitions';
import type {
  ChatMessageRef,
  ChatPort,
  EmailPort,
  ExternalRef,
  HandoffMessageState,
  MarketingCrm,
  OpenDeal,
  PushPort,
  Recipient,
  SalesCrm,
} from './ports';
import { toActivityFailure } from './service-error';
import type { LeadSummariser } from './summariser';

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
  timeZone: string;
}

export interface HandoffActivityDeps {
  /** The org configuration; a function so a reload is picked up by the next handoff. */
  config: () => OrgConfig;
  marketing: MarketingCrm;
  sales: SalesCrm;
  chat: ChatPort;
  email: EmailPort;
  /** Absent: no mobile push configured. */
  push?: PushPort;
  summariser: LeadSummariser;
  /** Client for the team roster workflows (same namespace as the worker). */
  temporal: Client;
  /** Keeps this deployment's rosters apart from others on the same cluster (see teamRosterWorkflowId). */
  rosterScope?: string;
}

export interface NotifyResult {
  chat: ChatMessageRef | null;
  emailed: boolean;
  pushed: boolean;
  /** What failed, for the timeline (no PII). */
  failures: string[];
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toActivityFailure(e);
  }
}

function describeFailure(channel: string, e: unknown): string {
  return `${channel}: ${e instanceof Error ? e.message : String(e)}`;
}

export function createHandoffActivities(deps: HandoffActivityDeps) {
  const { marketing, sales, chat, email, push, summariser, temporal } = deps;
  const scope = deps.rosterScope ?? '';

  return {
    /** The org configuration, recorded in history so every decision replays identically. */
    async loadHandoffPolicy(): Promise<OrgConfig> {
      return deps.config();
    },

    async loadLead(input: { contactId: string }): Promise<LeadSnapshot | null> {
      return guarded(() => marketing.getLead(input.contactId));
    },

    async recordDisqualification(input: { contactId: string; reasons: string[]; workflowId: string }): Promise<void> {
      await guarded(() =>
        marketing.updateContact(input.contactId, {
          disqualificationReasons: input.reasons.join('; '),
          handoffWorkflowId: input.workflowId,
        }),
      );
    },

    async findOpenDeal(input: { lead: LeadSnapshot }): Promise<OpenDeal | null> {
      return guarded(() => sales.findOpenDeal(input.lead));
    },

    /** Round-robin claim through the team's roster workflow (started on first use). */
    async claimRep(input: ClaimRepInput & { teamId: string }): Promise<ClaimRepResult> {
      const { teamId, ...claim } = input;
      return withRoster(temporal, teamRosterWorkflowId(teamId, scope), teamId, activityInfo().taskQueue, (handle) =>
        handle.executeUpdate(claimRepUpdate, { args: [claim], updateId: claim.claimKey }),
      );
    },

    async releaseRep(input: { teamId: string; repId: string; leadId: string }): Promise<void> {
      await withRoster(
        temporal,
        teamRosterWorkflowId(input.teamId, scope),
        input.teamId,
        activityInfo().taskQueue,
        (handle) => handle.signal(releaseRepSignal, { repId: input.repId, leadId: input.leadId }),
      );
    },

    /** Owner, lifecycle MQL (forward only) + MQL date, lead status New, the handoff's id on the contact. */
    async assignInCrm(input: {
      lead: LeadSnapshot;
      assignee: Assignee;
      workflowId: string;
      mqlAt: string;
    }): Promise<ExternalRef> {
      return guarded(async () => {
        const record = await sales.assignOwner({
          lead: input.lead,
          ownerId: input.assignee.salesOwnerId,
          handoffWorkflowId: input.workflowId,
        });
        await marketing.updateContact(input.lead.contactId, {
          ...(sales.system === 'hubspot' ? {} : { hubspotOwnerId: input.assignee.hubspotOwnerId ?? null }),
          lifecycle: { to: 'marketingqualifiedlead' },
          leadStatus: 'NEW',
          mqlDate: input.mqlAt,
          salesRejectedReason: null,
          disqualificationReasons: null,
          handoffWorkflowId: input.workflowId,
        });
        return record;
      });
    },

    async createDeal(input: {
      lead: LeadSnapshot;
      assignee: Assignee;
      name: string;
      key: string;
    }): Promise<ExternalRef> {
      return guarded(() =>
        sales.createDeal({ lead: input.lead, ownerId: input.assignee.salesOwnerId, name: input.name, key: input.key }),
      );
    },

    async createFollowUpTask(input: {
      lead: LeadSnapshot;
      assignee: Assignee;
      subject: string;
      body: string;
      dueAt: string;
      key: string;
    }): Promise<ExternalRef> {
      return guarded(() =>
        sales.createTask({
          lead: input.lead,
          ownerId: input.assignee.salesOwnerId,
          subject: input.subject,
          body: input.body,
          dueAt: input.dueAt,
          key: input.key,
        }),
      );
    },

    async closeFollowUpTask(input: {
      taskId: string;
      outcome: 'completed' | 'reassigned' | 'cancelled';
    }): Promise<void> {
      await guarded(() => sales.closeTask(input));
    },

    /** The brief, with the "why this lead" sentence from the summariser (deterministic today, pluggable). */
    async prepareBrief(input: Omit<BriefContext, 'whyThisLead'> & { now: string }): Promise<HandoffBrief> {
      const { now, ...ctx } = input;
      const whyThisLead = await summariser.summarise({ events: ctx.lead.events, now: new Date(now) });
      return buildHandoffBrief({ ...ctx, whyThisLead });
    },

    /**
     * Slack DM first; email as backup (always when configured, and whenever Slack fails); mobile push for high
     * priority. One channel failing never stops the others; throws only when no channel reached the person.
     */
    async notifyAssignee(input: {
      assignee: Assignee;
      brief: HandoffBrief;
      key: string;
      emailBackup: boolean;
      push: { targetId?: string } | null;
    }): Promise<NotifyResult> {
      const result: NotifyResult = { chat: null, emailed: false, pushed: false, failures: [] };
      try {
        result.chat = await chat.sendHandoffBrief({
          to: input.assignee,
          brief: input.brief,
          key: `${input.key}:slack`,
        });
      } catch (e) {
        result.failures.push(describeFailure('slack', e));
      }
      if (input.emailBackup || !result.chat) {
        try {
          await email.sendHandoffBrief({ to: input.assignee, brief: input.brief, key: `${input.key}:email` });
          result.emailed = true;
        } catch (e) {
          result.failures.push(describeFailure('email', e));
        }
      }
      if (input.push && push && input.assignee.salesforceUserId) {
        try {
          await push.notifyRep({
            salesforceUserId: input.assignee.salesforceUserId,
            title: `New ${input.brief.priority}-priority MQL`,
            body: input.brief.headline,
            targetId: input.push.targetId,
            key: `${input.key}:push`,
          });
          result.pushed = true;
        } catch (e) {
          result.failures.push(describeFailure('push', e));
        }
      }
      if (!result.chat && !result.emailed) {
        // Nobody heard: let Temporal retry (with backoff) rather than leave the rep uninformed.
        throw toActivityFailure(new Error(`could not reach ${input.assignee.id}: ${result.failures.join('; ')}`));
      }
      return result;
    },

    /** A reminder, escalation or review notice: Slack, plus email when the person prefers it. */
    async sendNotice(input: {
      to: Recipient | { channel: string };
      notice: Notice;
      key: string;
      alsoEmail: boolean;
    }): Promise<{ chat: ChatMessageRef | null; emailed: boolean; failures: string[] }> {
      const out = { chat: null as ChatMessageRef | null, emailed: false, failures: [] as string[] };
      try {
        out.chat = await chat.sendNotice({ to: input.to, notice: input.notice, key: `${input.key}:slack` });
      } catch (e) {
        out.failures.push(describeFailure('slack', e));
      }
      if ('email' in input.to && (input.alsoEmail || !out.chat)) {
        try {
          await email.sendNotice({ to: input.to, notice: input.notice, key: `${input.key}:email` });
          out.emailed = true;
        } catch (e) {
          out.failures.push(describeFailure('email', e));
        }
      }
      if (!out.chat && !out.emailed) {
        throw toActivityFailure(new Error(`notice ${input.notice.kind} reached nobody: ${out.failures.join('; ')}`));
      }
      return out;
    },

    async updateHandoffMessage(input: {
      ref: ChatMessageRef;
      brief: HandoffBrief;
      state: HandoffMessageState;
    }): Promise<void> {
      await guarded(() => chat.updateHandoffMessage(input));
    },

    /** Sales accepted: lifecycle SQL + SQL date. */
    async markAccepted(input: { lead: LeadSnapshot; at: string; workflowId: string }): Promise<void> {
      await guarded(() =>
        marketing.updateContact(input.lead.contactId, {
          lifecycle: { to: 'salesqualifiedlead' },
          leadStatus: 'CONNECTED',
          sqlDate: input.at,
          handoffWorkflowId: input.workflowId,
        }),
      );
    },

    /** Sales rejected: reason on the contact, lifecycle back to Lead, owner removed, enrolled in the re-nurture track. */
    async markRejected(input: {
      lead: LeadSnapshot;
      reason: string;
      leadStatus: LeadStatus;
      nurtureListId: string;
      workflowId: string;
    }): Promise<void> {
      await guarded(async () => {
        if (sales.system !== 'hubspot') await sales.removeOwner({ lead: input.lead });
        await marketing.updateContact(input.lead.contactId, {
          lifecycle: { to: 'lead', allowBackward: true },
          leadStatus: input.leadStatus,
          salesRejectedReason: input.reason,
          hubspotOwnerId: null,
          handoffWorkflowId: input.workflowId,
        });
        await marketing.enrollInList(input.lead.contactId, input.nurtureListId);
      });
    },
  };
}

export type HandoffActivities = ReturnType<typeof createHandoffActivities>;

/** Runs `fn` against the team's roster workflow, starting the roster on first use. */
async function withRoster<T>(
  client: Client,
  workflowId: string,
  teamId: string,
  taskQueue: string,
  fn: (handle: WorkflowHandle) => Promise<T>,
): Promise<T> {
  try {
    return await fn(client.workflow.getHandle(workflowId));
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
  try {
    await client.workflow.start(TEAM_ROSTER_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [{ teamId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
  return fn(client.workflow.getHandle(workflowId));
}
