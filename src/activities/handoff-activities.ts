/**
 * The handoff's activities: every side effect the workflow asks for, each a thin step over the ports
 * (src/activities/ports.ts). Created by a factory that closes over the injected ports, the org configuration and a
 * Temporal client (for the team roster), so the worker, the tests and the benches wire in what they need.
 *
 * Idempotency: every create receives a key the workflow derives from its id, the handoff cycle, the assignment
 * number and the step; the ports return the first result for a repeated key.
 */
import { activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { buildHandoffBrief } from '../domain/brief';
import type { OrgConfig } from '../domain/org-config';
import type { HandoffActivities, NoticeResult, NotifyResult } from '../workflows/activity-contracts';
import type { ChatPort, EmailPort, MarketingCrm, PushPort, SalesCrm } from './ports';
import { toActivityFailure } from './service-error';
import { createTeamRosterClient } from './team-roster-client';
import type { LeadSummariser } from './summariser';

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

export function createHandoffActivities(deps: HandoffActivityDeps): HandoffActivities {
  const { marketing, sales, chat, email, push, summariser, temporal } = deps;
  const rosters = createTeamRosterClient(temporal, deps.rosterScope);

  return {
    /** The org configuration, recorded in history so every decision replays identically. */
    async loadHandoffPolicy() {
      return deps.config();
    },

    async loadLead(input) {
      return guarded(() => marketing.getLead(input.contactId));
    },

    async recordDisqualification(input) {
      await guarded(() =>
        marketing.updateContact(input.contactId, {
          disqualificationReasons: input.reasons.join('; '),
          handoffWorkflowId: input.workflowId,
        }),
      );
    },

    async findOpenDeal(input) {
      return guarded(() => sales.findOpenDeal(input.lead));
    },

    /** Round-robin claim through the team's roster workflow (started on first use). */
    async claimRep(input) {
      const { teamId, ...claim } = input;
      return rosters.claim(teamId, claim, activityInfo().taskQueue);
    },

    async releaseRep(input) {
      await rosters.release(input.teamId, { repId: input.repId, leadId: input.leadId }, activityInfo().taskQueue);
    },

    /**
     * Owner, lifecycle MQL (forward only) + MQL date, lead status New, the handoff's id on the contact; the handoff's
     * deal (`dealId`, on reassignment) moves to the new owner with the lead.
     */
    async assignInCrm(input) {
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
        if (input.dealId) await sales.reassignDeal({ dealId: input.dealId, ownerId: input.assignee.salesOwnerId });
        return record;
      });
    },

    async createDeal(input) {
      return guarded(() =>
        sales.createDeal({ lead: input.lead, ownerId: input.assignee.salesOwnerId, name: input.name, key: input.key }),
      );
    },

    async createFollowUpTask(input) {
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

    async closeFollowUpTask(input) {
      await guarded(() => sales.closeTask(input));
    },

    /** The brief, with the "why this lead" sentence from the summariser (deterministic today, pluggable). */
    async prepareBrief(input) {
      const { now, ...ctx } = input;
      const whyThisLead = await summariser.summarise({ events: ctx.lead.events, now: new Date(now) });
      return buildHandoffBrief({ ...ctx, whyThisLead });
    },

    // One activity per channel: each retried on its own, so a Slack outage never holds back the email, and the
    // workflow decides the fallbacks. Keys get a channel suffix, the same as notifyAssignee's.
    async sendBriefDm(input) {
      return guarded(() =>
        chat.sendHandoffBrief({ to: input.assignee, brief: input.brief, key: `${input.key}:slack` }),
      );
    },

    async sendBriefEmail(input) {
      await guarded(() =>
        email.sendHandoffBrief({ to: input.assignee, brief: input.brief, key: `${input.key}:email` }),
      );
    },

    async pushBrief(input) {
      if (!push || !input.assignee.salesforceUserId) return false;
      const { salesforceUserId } = input.assignee;
      await guarded(() =>
        push.notifyRep({
          salesforceUserId,
          title: `New ${input.brief.priority}-priority MQL`,
          body: input.brief.headline,
          targetId: input.targetId,
          key: `${input.key}:push`,
        }),
      );
      return true;
    },

    /**
     * Slack DM first; email as backup (always when configured, and whenever Slack fails); mobile push for high
     * priority. One channel failing never stops the others; throws only when no channel reached the person.
     * Handoffs now schedule one activity per channel; this stays for those that scheduled it before.
     */
    async notifyAssignee(input) {
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
    async sendNotice(input) {
      const out: NoticeResult = { chat: null, emailed: false, failures: [] };
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

    /** The DM rewritten, or posted again when Slack no longer has it: where it is now. */
    async updateHandoffMessage(input) {
      return guarded(() => chat.updateHandoffMessage(input));
    },

    // The outcome, written marketing side first: if the sales side then refuses a write (a picklist value the org
    // lacks, say), the contact and the re-nurture track are right already and the failure names the sales field.

    /** First touch: lead status In progress on the contact, and the sales-side record marked as being worked. */
    async recordFirstTouch(input) {
      await guarded(async () => {
        await marketing.updateContact(input.lead.contactId, {
          leadStatus: 'IN_PROGRESS',
          handoffWorkflowId: input.workflowId,
        });
        await sales.markFirstTouch({ lead: input.lead, at: input.at });
      });
    },

    /**
     * Sales accepted: lifecycle SQL + SQL date on the contact; the sales-side record qualified (or converted); the
     * handoff's deal to the accepted stage, if one is configured.
     */
    async markAccepted(input) {
      await guarded(async () => {
        await marketing.updateContact(input.lead.contactId, {
          lifecycle: { to: 'salesqualifiedlead' },
          leadStatus: 'CONNECTED',
          sqlDate: input.at,
          handoffWorkflowId: input.workflowId,
        });
        await sales.markAccepted({ lead: input.lead, at: input.at, dealId: input.dealId ?? null });
        if (input.dealId) await sales.moveDealToAcceptedStage({ dealId: input.dealId });
      });
    },

    /**
     * Sales rejected: reason on the contact, lifecycle back to Lead, owner removed, enrolled in the re-nurture track;
     * on the sales side the reason, the status and the nurture queue as owner; the handoff's deal closed lost.
     */
    async markRejected(input) {
      await guarded(async () => {
        await marketing.updateContact(input.lead.contactId, {
          lifecycle: { to: 'lead', allowBackward: true },
          leadStatus: input.leadStatus,
          salesRejectedReason: input.reason,
          hubspotOwnerId: null,
          handoffWorkflowId: input.workflowId,
        });
        await marketing.enrollInList(input.lead.contactId, input.nurtureListId);
        await sales.markRejected({ lead: input.lead, reason: input.reason, reasonLabel: input.reasonLabel });
        if (input.dealId) {
          await sales.closeDealLost({ dealId: input.dealId, reason: input.reason, reasonLabel: input.reasonLabel });
        }
      });
    },
  };
}
