/**
 * In-memory implementations of the ports for workflow tests: they keep every call, honour idempotency keys the way
 * the real adapters must (same key → same object), and can be told to fail. Not a mock of Temporal: the workflows
 * under test run on real Temporal servers; only the CRMs and chat are replaced.
 *
 * The sales CRM is HubSpot by default; `{ salesCrm: 'salesforce' }` gives the Salesforce shape instead: the owner
 * lives on a Lead record upserted by HubSpot contact id (the HubSpot contact's owner is left alone), and records
 * come back as Salesforce Lead / Opportunity / Task refs.
 */
import type { Notice } from '../../src/domain/brief';
import { isLifecycleForward, type LeadSnapshot } from '../../src/domain/lead';
import type {
  ChatMessageRef,
  ChatPort,
  ContactUpdate,
  EmailPort,
  ExternalRef,
  HandoffMessageState,
  MarketingCrm,
  OpenDeal,
  PushPort,
  Recipient,
  SalesCrm,
} from '../../src/activities/ports';
import type { HandoffBrief } from '../../src/domain/brief';
import { ServiceError } from '../../src/activities/service-error';

export interface SentMessage {
  kind: 'brief' | 'notice';
  to: string;
  key: string;
  ref: ChatMessageRef;
  notice?: Notice;
  brief?: HandoffBrief;
}

export interface InMemoryDeal {
  key: string;
  ownerId: string;
  name: string;
  contactId: string;
  id: string;
  /** `open` as created; `accepted` when moved to the accepted stage; `closed_lost` on rejection. */
  stage: 'open' | 'accepted' | 'closed_lost';
  closedLostReason?: string;
}

export type SalesOutcome =
  | { kind: 'first_touch'; contactId: string; at: string }
  | { kind: 'accepted'; contactId: string; at: string; dealId: string | null }
  | { kind: 'rejected'; contactId: string; reason: string; reasonLabel: string };

export class InMemoryWorld {
  contacts = new Map<string, LeadSnapshot>();
  contactWrites: { contactId: string; update: ContactUpdate }[] = [];
  lists = new Map<string, Set<string>>();
  openDeals = new Map<string, OpenDeal>(); // by company domain
  deals = new Map<string, InMemoryDeal>();
  /** What the sales side heard about the outcome, in order (HubSpot writes nothing for it: see SalesCrm). */
  salesOutcomes: SalesOutcome[] = [];
  tasks = new Map<
    string,
    { key: string; ownerId: string; dueAt: string; subject: string; status: string; id: string }
  >();
  owners = new Map<string, string | null>(); // contactId -> sales owner
  /** Salesforce only: contactId -> Lead record id (upserted by the HubSpot contact id, so one per contact). */
  salesRecords = new Map<string, string>();
  chat: SentMessage[] = [];
  chatUpdates: { ref: ChatMessageRef; state: HandoffMessageState }[] = [];
  emails: { to: string; key: string; subject: string }[] = [];
  pushes: { to: string; key: string; title: string; targetId?: string }[] = [];
  /** Make the next N calls of an operation fail: 'slack' | 'email' | 'createDeal' … with the given error. */
  failures = new Map<string, { remaining: number; error: () => Error }>();
  /** Every call to reach this person on this channel fails with the error, until removed ('slack' | 'email'). */
  unreachable = new Map<string, () => Error>();
  /** Calls that failed because of `unreachable`, by `channel:recipient`. */
  unreachableAttempts = new Map<string, number>();
  private seq = 0;

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${this.seq}`;
  }

  failNext(operation: string, times: number, error: () => Error): void {
    this.failures.set(operation, { remaining: times, error });
  }

  maybeFailFor(channel: 'slack' | 'email', recipientId: string): void {
    const error = this.unreachable.get(`${channel}:${recipientId}`);
    if (!error) return;
    const k = `${channel}:${recipientId}`;
    this.unreachableAttempts.set(k, (this.unreachableAttempts.get(k) ?? 0) + 1);
    throw error();
  }

  maybeFail(operation: string): void {
    const f = this.failures.get(operation);
    if (f && f.remaining > 0) {
      f.remaining -= 1;
      throw f.error();
    }
  }

  /** Lifecycle as the CRM holds it now (forward-only unless allowBackward). */
  lifecycleOf(contactId: string): string | null {
    return this.contacts.get(contactId)?.lifecycleStage ?? null;
  }

  noticesOf(kind: Notice['kind']): SentMessage[] {
    return this.chat.filter((m) => m.kind === 'notice' && m.notice?.kind === kind);
  }

  briefsTo(recipientId: string): SentMessage[] {
    return this.chat.filter((m) => m.kind === 'brief' && m.to === recipientId);
  }
}

export function createInMemoryPorts(
  world: InMemoryWorld,
  opts: { salesCrm?: SalesCrm['system'] } = {},
): {
  marketing: MarketingCrm;
  sales: SalesCrm;
  chat: ChatPort;
  email: EmailPort;
  push: PushPort;
} {
  const salesSystem = opts.salesCrm ?? 'hubspot';
  const salesRef = (hubspotType: string, salesforceType: string, id: string, url?: string): ExternalRef =>
    salesSystem === 'hubspot'
      ? { system: 'hubspot', objectType: hubspotType, id, ...(url ? { url } : {}) }
      : { system: 'salesforce', objectType: salesforceType, id };

  const marketing: MarketingCrm = {
    async getLead(contactId) {
      world.maybeFail('getLead');
      const c = world.contacts.get(contactId);
      return c ? structuredClone(c) : null;
    },
    async updateContact(contactId, update) {
      world.maybeFail('updateContact');
      world.contactWrites.push({ contactId, update });
      const c = world.contacts.get(contactId);
      if (!c)
        throw new ServiceError(`hubspot: update contact ${contactId} failed (404)`, {
          service: 'hubspot',
          operation: 'update contact',
          status: 404,
        });
      if (
        update.lifecycle &&
        (update.lifecycle.allowBackward || isLifecycleForward(c.lifecycleStage, update.lifecycle.to))
      ) {
        c.lifecycleStage = update.lifecycle.to;
      }
      if (update.leadStatus) c.leadStatus = update.leadStatus;
      if (update.hubspotOwnerId !== undefined) c.hubspotOwnerId = update.hubspotOwnerId;
    },
    async enrollInList(contactId, listId) {
      world.maybeFail('enrollInList');
      const members = world.lists.get(listId) ?? new Set<string>();
      members.add(contactId);
      world.lists.set(listId, members);
    },
  };

  const sales: SalesCrm = {
    system: salesSystem,
    async findOpenDeal(lead) {
      world.maybeFail('findOpenDeal');
      const domain = lead.company?.domain ?? '';
      return world.openDeals.get(domain) ?? null;
    },
    async assignOwner({ lead, ownerId }) {
      world.maybeFail('assignOwner');
      world.owners.set(lead.contactId, ownerId);
      if (salesSystem === 'hubspot') {
        const c = world.contacts.get(lead.contactId);
        if (c) c.hubspotOwnerId = ownerId;
        return salesRef('contact', 'Lead', lead.contactId, lead.hubspotUrl ?? undefined);
      }
      let recordId = world.salesRecords.get(lead.contactId);
      if (!recordId) {
        recordId = world.nextId('00Q');
        world.salesRecords.set(lead.contactId, recordId);
      }
      return salesRef('contact', 'Lead', recordId);
    },
    async removeOwner({ lead }) {
      world.maybeFail('removeOwner');
      world.owners.set(lead.contactId, null);
    },
    async createDeal({ lead, ownerId, name, key }) {
      world.maybeFail('createDeal');
      const existing = [...world.deals.values()].find((d) => d.key === key);
      if (existing) return salesRef('deal', 'Opportunity', existing.id);
      const id = world.nextId('deal');
      world.deals.set(id, { id, key, ownerId, name, contactId: lead.contactId, stage: 'open' });
      return salesRef('deal', 'Opportunity', id);
    },
    async markFirstTouch({ lead, at }) {
      world.maybeFail('markFirstTouch');
      world.salesOutcomes.push({ kind: 'first_touch', contactId: lead.contactId, at });
    },
    async markAccepted({ lead, at, dealId }) {
      world.maybeFail('markAccepted');
      world.salesOutcomes.push({ kind: 'accepted', contactId: lead.contactId, at, dealId: dealId ?? null });
    },
    async markRejected({ lead, reason, reasonLabel }) {
      world.maybeFail('markRejected');
      world.salesOutcomes.push({ kind: 'rejected', contactId: lead.contactId, reason, reasonLabel });
      // As the adapters do: the rep no longer owns the sales-side record (Salesforce: the nurture queue does).
      if (world.owners.has(lead.contactId)) world.owners.set(lead.contactId, null);
    },
    // Deals as the adapters treat them: a missing deal is left alone, a closed one keeps its outcome.
    async reassignDeal({ dealId, ownerId }) {
      world.maybeFail('reassignDeal');
      const deal = world.deals.get(dealId);
      if (deal) deal.ownerId = ownerId;
    },
    async moveDealToAcceptedStage({ dealId }) {
      world.maybeFail('moveDealToAcceptedStage');
      const deal = world.deals.get(dealId);
      if (deal?.stage === 'open') deal.stage = 'accepted';
    },
    async closeDealLost({ dealId, reasonLabel }) {
      world.maybeFail('closeDealLost');
      const deal = world.deals.get(dealId);
      if (deal && deal.stage !== 'closed_lost') {
        deal.stage = 'closed_lost';
        deal.closedLostReason = reasonLabel;
      }
    },
    async createTask({ ownerId, subject, dueAt, key }) {
      world.maybeFail('createTask');
      const existing = [...world.tasks.values()].find((t) => t.key === key);
      if (existing) return salesRef('task', 'Task', existing.id);
      const id = world.nextId('task');
      world.tasks.set(id, { id, key, ownerId, subject, dueAt, status: 'NOT_STARTED' });
      return salesRef('task', 'Task', id);
    },
    async closeTask({ taskId, outcome }) {
      world.maybeFail('closeTask');
      const t = world.tasks.get(taskId);
      if (t) t.status = outcome === 'completed' ? 'COMPLETED' : `CLOSED_${outcome.toUpperCase()}`;
    },
  };

  const post = (
    kind: 'brief' | 'notice',
    to: Recipient | { channel: string },
    key: string,
    extra: Partial<SentMessage>,
  ): ChatMessageRef => {
    const existing = world.chat.find((m) => m.key === key);
    if (existing) return existing.ref;
    const target = 'channel' in to ? to.channel : to.id;
    const ref = { channel: 'channel' in to ? to.channel : `D-${to.id}`, ts: world.nextId('ts') };
    world.chat.push({ kind, to: target, key, ref, ...extra });
    return ref;
  };

  const chat: ChatPort = {
    async sendHandoffBrief({ to, brief, key }) {
      world.maybeFail('slack');
      world.maybeFailFor('slack', to.id);
      return post('brief', to, key, { brief });
    },
    async sendNotice({ to, notice, key }) {
      world.maybeFail('slack');
      if (!('channel' in to)) world.maybeFailFor('slack', to.id);
      return post('notice', to, key, { notice });
    },
    async updateHandoffMessage({ ref, state }) {
      world.maybeFail('slackUpdate');
      world.chatUpdates.push({ ref, state });
      return ref;
    },
  };

  const email: EmailPort = {
    async sendHandoffBrief({ to, brief, key }) {
      world.maybeFail('email');
      world.maybeFailFor('email', to.id);
      if (!world.emails.some((e) => e.key === key)) world.emails.push({ to: to.id, key, subject: brief.headline });
      return { system: 'email', objectType: 'message', id: key } satisfies ExternalRef;
    },
    async sendNotice({ to, notice, key }) {
      world.maybeFail('email');
      world.maybeFailFor('email', to.id);
      if (!world.emails.some((e) => e.key === key)) world.emails.push({ to: to.id, key, subject: notice.title });
      return { system: 'email', objectType: 'message', id: key };
    },
  };

  const push: PushPort = {
    async notifyRep({ salesforceUserId, title, targetId, key }) {
      world.maybeFail('push');
      if (!world.pushes.some((p) => p.key === key))
        world.pushes.push({ to: salesforceUserId, key, title, ...(targetId ? { targetId } : {}) });
      return { system: 'push', objectType: 'notification', id: key };
    },
  };

  return { marketing, sales, chat, email, push };
}
