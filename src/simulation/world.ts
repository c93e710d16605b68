/**
 * The simulated quarter's CRMs and chat, in memory: the real activities run over these ports, so the handoff
 * workflows under simulation do exactly what they do in production. Creates are idempotent by key like the real
 * adapters'. A handoff DM reaching a rep is the moment that rep starts answering (`onBrief`).
 */
import type { Recipient } from '../domain/assignee';
import type { LeadSnapshot } from '../domain/lead';
import type { ChatPort, EmailPort, ExternalRef, MarketingCrm, SalesCrm } from '../activities/ports';

export interface BriefDelivered {
  leadWorkflowId: string;
  /** The assignment number, from the DM's idempotency key. */
  no: number;
  to: Recipient;
}

export class SimulatedWorld {
  readonly leads = new Map<string, LeadSnapshot>();
  /** Sales owner id → how many leads were assigned to them (every assignment, reassignments included). */
  readonly assignments = new Map<string, number>();
  /** Handoff workflow id → the sales owner id it was last assigned to. */
  readonly ownerOf = new Map<string, string>();
  private readonly keys = new Map<string, ExternalRef>();
  private seq = 0;

  constructor(private readonly onBrief: (b: BriefDelivered) => Promise<void>) {}

  private once(key: string, make: () => ExternalRef): ExternalRef {
    let ref = this.keys.get(key);
    if (!ref) this.keys.set(key, (ref = make()));
    return ref;
  }

  private id(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${this.seq}`;
  }

  ports(): { marketing: MarketingCrm; sales: SalesCrm; chat: ChatPort; email: EmailPort } {
    const marketing: MarketingCrm = {
      getLead: async (contactId) => this.leads.get(contactId) ?? null,
      updateContact: async () => undefined,
      enrollInList: async () => undefined,
    };
    const sales: SalesCrm = {
      system: 'hubspot',
      findOpenDeal: async () => null,
      assignOwner: async ({ lead, ownerId, handoffWorkflowId }) => {
        this.ownerOf.set(handoffWorkflowId, ownerId);
        return this.once(`owner:${handoffWorkflowId}:${ownerId}`, () => {
          this.assignments.set(ownerId, (this.assignments.get(ownerId) ?? 0) + 1);
          return { system: 'hubspot', objectType: 'contact', id: lead.contactId };
        });
      },
      removeOwner: async () => undefined,
      createDeal: async ({ key }) =>
        this.once(key, () => ({ system: 'hubspot', objectType: 'deal', id: this.id('deal') })),
      createTask: async ({ key }) =>
        this.once(key, () => ({ system: 'hubspot', objectType: 'task', id: this.id('task') })),
      closeTask: async () => undefined,
      markFirstTouch: async () => undefined,
      markAccepted: async () => undefined,
      markRejected: async () => undefined,
      reassignDeal: async () => undefined,
      moveDealToAcceptedStage: async () => undefined,
      closeDealLost: async () => undefined,
    };
    const chat: ChatPort = {
      sendHandoffBrief: async ({ to, brief, key }) => {
        // The rep starts answering (idempotent per lead and assignment), then the DM counts as delivered.
        const no = Number(/:notify-(\d+):slack$/.exec(key)?.[1] ?? 1);
        await this.onBrief({ leadWorkflowId: brief.workflowId, no, to });
        const ref = this.once(key, () => ({ system: 'slack', objectType: 'message', id: this.id('ts') }));
        return { channel: `D-${to.id}`, ts: ref.id };
      },
      sendNotice: async ({ key }) => ({
        channel: 'C-sim',
        ts: this.once(key, () => ({ system: 'slack', objectType: 'message', id: this.id('ts') })).id,
      }),
      updateHandoffMessage: async ({ ref }) => ref,
    };
    const email: EmailPort = {
      sendHandoffBrief: async ({ key }) => this.once(key, () => ({ system: 'email', objectType: 'message', id: key })),
      sendNotice: async ({ key }) => this.once(key, () => ({ system: 'email', objectType: 'message', id: key })),
    };
    return { marketing, sales, chat, email };
  }
}
