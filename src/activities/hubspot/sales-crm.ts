/**
 * HubSpot as the sales CRM: the contact's owner, the deal in the configured pipeline at the MQL stage, and the
 * rep's follow-up task.
 *
 * Idempotency (the worker may die after HubSpot wrote but before we heard back):
 *  - Deals carry the caller's key in `mql_handoff_key`, a unique-value property. We first read the deal by that
 *    key (`GET …/deals/{key}?idProperty=mql_handoff_key`) and otherwise create it with a batch upsert keyed on it.
 *    Both go through the unique-value index, which is consistent at once; HubSpot's search index lags writes by
 *    seconds, so "search, then create" would create a second deal on a quick retry. Associations are then made
 *    with the default-association PUT, which is idempotent, so a crash between upsert and association is repaired
 *    by the retry.
 *  - Tasks are created with their contact association in the same request, and carry the key in
 *    `mql_handoff_key`. A retry lists the contact's tasks through associations v4 (read from the record store,
 *    not the search index) and returns the one holding the key.
 *  - The handoff's deal (reassignDeal, moveDealToAcceptedStage, closeDealLost) is read by id first; nothing is sent
 *    when it already has the owner / stage, is closed, or was deleted.
 *
 * The outcome on the sales record (markFirstTouch / markAccepted / markRejected) writes nothing here: with HubSpot
 * as the sales CRM the contact is that record, and the marketing side's updateContact already sets its lead status,
 * lifecycle, SQL date, rejection reason and owner.
 */
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/tasks';
import { AssociationTypes } from '@hubspot/api-client';
import type { LeadSnapshot } from '../../domain/lead';
import type { OrgConfig } from '../../domain/org-config';
import type { ExternalRef, OpenDeal, SalesCrm } from '../ports';
import {
  associatedRecords,
  batchRead,
  isHubSpotId,
  OBJECT_TYPE_ID,
  recordUrl,
  requireRecordId,
  text,
} from './crm-records';
import { CONTACT_PROPERTY, HANDOFF_KEY_PROPERTY } from './custom-properties';
import type { HubSpotApis } from './hubspot-client';
import { callHubSpot, invalidInput, isNotFound } from './hubspot-errors';
import { describeServiceFailure, ServiceError } from '../service-error';

const DEAL_PROPERTIES = ['dealname', 'dealstage', 'pipeline', 'hubspot_owner_id', 'hs_is_closed', 'createdate'];
/** HubSpot-defined deal property (text) for why a deal was lost. */
const CLOSED_LOST_REASON = 'closed_lost_reason';
const MAX_KEY_LENGTH = 200;

const CLOSE_NOTES: Record<'reassigned' | 'cancelled', string> = {
  reassigned: 'Closed by the MQL handoff: the lead was reassigned to another rep.',
  cancelled: 'Closed by the MQL handoff: the handoff ended (accepted, rejected or closed elsewhere).',
};

/** The argument the SalesCrm port gives a method, declared once in ports.ts. */
type Input<M extends Exclude<keyof SalesCrm, 'system'>> = Parameters<SalesCrm[M]>[0];

export class HubSpotSalesCrm implements SalesCrm {
  readonly system = 'hubspot' as const;

  constructor(
    private readonly apis: HubSpotApis,
    private readonly config: OrgConfig,
  ) {}

  async findOpenDeal(lead: LeadSnapshot): Promise<OpenDeal | null> {
    const companyId = lead.company?.id;
    if (!companyId) return null;
    requireRecordId('find open deal', 'company', companyId);
    const linked = await associatedRecords(this.apis, 'companies', companyId, 'deals', 'find open deal');
    if (!linked.length) return null;
    const deals = await batchRead(
      (input) => this.apis.dealsBatch.read(input),
      linked.map((d) => d.id),
      DEAL_PROPERTIES,
      { operation: 'find open deal', object: `company ${companyId}` },
    );
    const open = deals
      .filter((d) => d.properties.hs_is_closed !== 'true')
      .sort((a, b) => Date.parse(b.properties.createdate ?? '') - Date.parse(a.properties.createdate ?? ''))[0];
    if (!open) return null;
    return {
      id: open.id,
      name: text(open.properties.dealname) ?? `Deal ${open.id}`,
      ownerId: text(open.properties.hubspot_owner_id),
      url: recordUrl(this.config, OBJECT_TYPE_ID.deal, open.id),
    };
  }

  async assignOwner(input: Input<'assignOwner'>): Promise<ExternalRef> {
    const contactId = requireRecordId('assign owner', 'contact', input.lead.contactId);
    const ownerId = this.ownerId('assign owner', `contact ${contactId}`, input.ownerId);
    const properties = { hubspot_owner_id: ownerId, [CONTACT_PROPERTY.workflowId]: input.handoffWorkflowId };
    await callHubSpot({ operation: 'assign owner', object: `contact ${contactId}`, sent: properties }, () =>
      this.apis.contacts.update(contactId, { properties }),
    );
    return this.contactRef(contactId);
  }

  async removeOwner(input: Input<'removeOwner'>): Promise<void> {
    const contactId = requireRecordId('remove owner', 'contact', input.lead.contactId);
    await callHubSpot({ operation: 'remove owner', object: `contact ${contactId}` }, () =>
      this.apis.contacts.update(contactId, { properties: { hubspot_owner_id: '' } }),
    );
  }

  async createDeal(input: Input<'createDeal'>): Promise<ExternalRef> {
    const operation = 'create deal';
    const key = this.key(operation, input.key);
    const object = `deal with key ${key}`;
    const contactId = requireRecordId(operation, 'contact', input.lead.contactId);
    const companyId = input.lead.company?.id ? requireRecordId(operation, 'company', input.lead.company.id) : null;
    const ownerId = this.ownerId(operation, object, input.ownerId);
    if (!input.name.trim()) throw invalidInput(operation, object, 'name', input.name, 'a non-empty deal name');

    let dealId = await this.dealIdByKey(key);
    if (!dealId) {
      const properties = {
        dealname: input.name.trim(),
        pipeline: this.config.hubspot.pipelineId,
        dealstage: this.config.hubspot.mqlDealStageId,
        hubspot_owner_id: ownerId,
        dealtype: 'newbusiness',
      };
      const res = await callHubSpot({ operation, object, sent: properties }, () =>
        this.apis.dealsBatch.upsert({ inputs: [{ idProperty: HANDOFF_KEY_PROPERTY, id: key, properties }] }),
      );
      dealId = res.results[0]?.id ?? null;
      if (!dealId) {
        // Retryable: the upsert is keyed, so trying again cannot create a second deal.
        const details = { service: 'hubspot' as const, operation, object };
        throw new ServiceError(
          describeServiceFailure(details, 'HubSpot answered the upsert without the deal'),
          details,
        );
      }
    }
    await this.associateDefault('deals', dealId, 'contacts', contactId, operation);
    if (companyId) await this.associateDefault('deals', dealId, 'companies', companyId, operation);
    return {
      system: 'hubspot',
      objectType: 'deal',
      id: dealId,
      url: recordUrl(this.config, OBJECT_TYPE_ID.deal, dealId),
    };
  }

  async createTask(input: Input<'createTask'>): Promise<ExternalRef> {
    const operation = 'create task';
    const key = this.key(operation, input.key);
    const object = `task with key ${key}`;
    const contactId = requireRecordId(operation, 'contact', input.lead.contactId);
    const ownerId = this.ownerId(operation, object, input.ownerId);
    if (!input.subject.trim()) throw invalidInput(operation, object, 'subject', input.subject, 'a non-empty subject');
    const due = Date.parse(input.dueAt);
    if (Number.isNaN(due)) throw invalidInput(operation, object, 'dueAt', input.dueAt, 'an ISO-8601 date-time');

    const existing = await this.taskIdByKey(contactId, key);
    if (existing) return this.taskRef(existing, contactId);
    const properties = {
      hs_task_subject: input.subject.trim(),
      hs_task_body: taskBodyHtml(input.body),
      hs_timestamp: new Date(due).toISOString(),
      hubspot_owner_id: ownerId,
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'HIGH',
      hs_task_type: 'TODO',
      [HANDOFF_KEY_PROPERTY]: key,
    };
    const created = await callHubSpot({ operation, object, sent: properties }, () =>
      this.apis.tasks.create({
        properties,
        associations: [
          {
            to: { id: contactId },
            types: [
              {
                associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
                associationTypeId: AssociationTypes.taskToContact,
              },
            ],
          },
        ],
      }),
    );
    return this.taskRef(created.id, contactId);
  }

  async closeTask(input: Input<'closeTask'>): Promise<void> {
    const operation = 'close task';
    const taskId = requireRecordId(operation, 'task', input.taskId);
    const object = `task ${taskId}`;
    if (!['completed', 'reassigned', 'cancelled'].includes(input.outcome)) {
      throw invalidInput(operation, object, 'outcome', input.outcome, 'completed, reassigned or cancelled');
    }
    let task;
    try {
      task = await callHubSpot({ operation, object }, () =>
        this.apis.tasks.getById(taskId, ['hs_task_status', 'hs_task_body']),
      );
    } catch (e) {
      // A task someone deleted is as closed as it gets.
      if (isNotFound(e)) return;
      throw e;
    }
    if (task.properties.hs_task_status === 'COMPLETED') return;
    const properties: Record<string, string> = { hs_task_status: 'COMPLETED' };
    if (input.outcome !== 'completed') {
      properties.hs_task_body = `${task.properties.hs_task_body ?? ''}<p><em>${CLOSE_NOTES[input.outcome]}</em></p>`;
    }
    await callHubSpot({ operation, object, sent: properties }, () => this.apis.tasks.update(taskId, { properties }));
  }

  async markFirstTouch(input: Input<'markFirstTouch'>): Promise<void> {
    requireRecordId('mark first touch', 'contact', input.lead.contactId);
  }

  async markAccepted(input: Input<'markAccepted'>): Promise<void> {
    requireRecordId('mark accepted', 'contact', input.lead.contactId);
  }

  async markRejected(input: Input<'markRejected'>): Promise<void> {
    requireRecordId('mark rejected', 'contact', input.lead.contactId);
  }

  async reassignDeal(input: Input<'reassignDeal'>): Promise<void> {
    const operation = 'reassign deal';
    const dealId = requireRecordId(operation, 'deal', input.dealId);
    const object = `deal ${dealId}`;
    const ownerId = this.ownerId(operation, object, input.ownerId);
    const deal = await this.deal(operation, dealId, ['hubspot_owner_id']);
    if (!deal || deal.properties.hubspot_owner_id === ownerId) return;
    const properties = { hubspot_owner_id: ownerId };
    await callHubSpot({ operation, object, sent: properties }, () => this.apis.deals.update(dealId, { properties }));
  }

  async moveDealToAcceptedStage(input: Input<'moveDealToAcceptedStage'>): Promise<void> {
    const operation = 'move deal to accepted stage';
    const dealId = requireRecordId(operation, 'deal', input.dealId);
    const stage = this.config.hubspot.acceptedDealStageId;
    if (!stage) return;
    const deal = await this.deal(operation, dealId, ['dealstage', 'pipeline']);
    // Only from the stage (and pipeline) the handoff created it at: a deal sales moved on, to another pipeline or
    // closed stays where they put it.
    const { dealstage, pipeline } = deal?.properties ?? {};
    if (!deal || dealstage !== this.config.hubspot.mqlDealStageId || pipeline !== this.config.hubspot.pipelineId)
      return;
    const properties = { dealstage: stage };
    await callHubSpot({ operation, object: `deal ${dealId}`, sent: properties }, () =>
      this.apis.deals.update(dealId, { properties }),
    );
  }

  async closeDealLost(input: Input<'closeDealLost'>): Promise<void> {
    const operation = 'close deal lost';
    const dealId = requireRecordId(operation, 'deal', input.dealId);
    const object = `deal ${dealId}`;
    if (typeof input.reasonLabel !== 'string' || !input.reasonLabel.trim()) {
      throw invalidInput(operation, object, 'reasonLabel', input.reasonLabel, 'the rejection reason as text');
    }
    const deal = await this.deal(operation, dealId, ['dealstage', 'pipeline', 'hs_is_closed']);
    // Closed already (lost, or won by a rep who moved fast): the outcome there stands.
    if (!deal || deal.properties.hs_is_closed === 'true') return;
    const properties = {
      dealstage: await this.closedLostStage(operation, deal.properties.pipeline ?? 'default'),
      [CLOSED_LOST_REASON]: input.reasonLabel.trim(),
      closedate: new Date().toISOString(),
    };
    await callHubSpot({ operation, object, sent: properties }, () => this.apis.deals.update(dealId, { properties }));
  }

  /** The deal's properties, or null when it no longer exists. */
  private async deal(operation: string, dealId: string, properties: string[]) {
    try {
      return await callHubSpot({ operation, object: `deal ${dealId}` }, () =>
        this.apis.deals.getById(dealId, properties),
      );
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /**
   * The closed-lost stage: the configured one in the configured pipeline; in a pipeline sales moved the deal to, that
   * pipeline's closed stage with probability 0 (HubSpot's own definition of closed lost).
   */
  private async closedLostStage(operation: string, pipelineId: string): Promise<string> {
    if (pipelineId === this.config.hubspot.pipelineId) return this.config.hubspot.closedLostDealStageId;
    const pipeline = await callHubSpot(
      { operation: `${operation}: read pipeline`, object: `pipeline ${pipelineId}` },
      () => this.apis.pipelines.getById('deals', pipelineId),
    );
    const lost = pipeline.stages.find(
      (st) => st.metadata?.isClosed === 'true' && Number(st.metadata?.probability) === 0,
    );
    if (!lost) {
      throw invalidInput(operation, `pipeline ${pipelineId}`, 'dealstage', null, 'a closed stage with probability 0');
    }
    return lost.id;
  }

  private async dealIdByKey(key: string): Promise<string | null> {
    try {
      const deal = await callHubSpot({ operation: 'look up deal by key', object: `deal with key ${key}` }, () =>
        this.apis.deals.getById(key, ['hs_object_id'], undefined, undefined, undefined, HANDOFF_KEY_PROPERTY),
      );
      return deal.id;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  private async taskIdByKey(contactId: string, key: string): Promise<string | null> {
    const linked = await associatedRecords(this.apis, 'contacts', contactId, 'tasks', 'look up task by key');
    if (!linked.length) return null;
    const tasks = await batchRead(
      (input) => this.apis.tasksBatch.read(input),
      linked.map((t) => t.id),
      [HANDOFF_KEY_PROPERTY],
      { operation: 'look up task by key', object: `contact ${contactId}` },
    );
    return tasks.find((t) => t.properties[HANDOFF_KEY_PROPERTY] === key)?.id ?? null;
  }

  private async associateDefault(
    fromType: string,
    fromId: string,
    toType: string,
    toId: string,
    operation: string,
  ): Promise<void> {
    await callHubSpot(
      { operation: `${operation}: associate ${toType}`, object: `${fromType} ${fromId} → ${toType} ${toId}` },
      () => this.apis.associations.createDefault(fromType, fromId, toType, toId),
    );
  }

  private ownerId(operation: string, object: string, ownerId: string): string {
    if (!isHubSpotId(ownerId)) {
      throw invalidInput(operation, object, 'ownerId', ownerId, 'a HubSpot owner id (digits)');
    }
    return ownerId;
  }

  private key(operation: string, key: string): string {
    if (typeof key !== 'string' || !key.trim() || key.length > MAX_KEY_LENGTH) {
      throw invalidInput(
        operation,
        undefined,
        'key',
        key,
        `a non-empty idempotency key of at most ${MAX_KEY_LENGTH} characters`,
      );
    }
    return key;
  }

  private contactRef(contactId: string): ExternalRef {
    return {
      system: 'hubspot',
      objectType: 'contact',
      id: contactId,
      url: recordUrl(this.config, OBJECT_TYPE_ID.contact, contactId),
    };
  }

  /** Tasks have no record page of their own; the link opens the contact, where the task sits on the timeline. */
  private taskRef(taskId: string, contactId: string): ExternalRef {
    return {
      system: 'hubspot',
      objectType: 'task',
      id: taskId,
      url: recordUrl(this.config, OBJECT_TYPE_ID.contact, contactId),
    };
  }
}

/** The task body as HubSpot's rich text: escaped, one paragraph per blank-line-separated block. */
function taskBodyHtml(body: string): string {
  const escaped = body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return escaped
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => `<p>${block.replace(/\n/g, '<br>')}</p>`)
    .join('');
}
