/**
 * SalesCrm on Salesforce: owner on the Lead (or Contact) upserted by the HubSpot contact id, the Opportunity, and
 * the rep's follow-up Task. Every write is safe to retry:
 *
 *  - assignOwner / removeOwner: upsert by the external id field / update of the one record — naturally idempotent
 *  - createDeal: look up by Opportunity.Handoff_Key__c (External ID, Unique), else upsert by it — a retry finds the
 *    first attempt's record, and even two concurrent attempts end in one record
 *  - createTask: Task fields cannot be External IDs, so: SOQL on Task.Handoff_Key__c, create only when absent
 *  - closeTask: read the status first; an already closed (or deleted) task is left alone
 *  - markFirstTouch / markAccepted / markRejected: SOQL for the record by external id, then an update of it; a
 *    record that is missing or already converted is left alone (a converted Lead is read-only). Convert on accept:
 *    a converted Lead is not converted again, and the retry still links the handoff's Opportunity to its Account
 *  - reassignDeal / moveDealToAcceptedStage / closeDealLost: read the Opportunity first; nothing is sent when it
 *    is already in the wanted state (owner, stage, closed) or was deleted
 */
import type { Connection } from 'jsforce';
import type { LeadSnapshot } from '../../domain/lead';
import { emailDomain } from '../../domain/lead';
import { calendarOf, findRep, repByCrmOwnerId } from '../../domain/org';
import { normalizeDomain } from '../../domain/routing';
import type { OrgConfig } from '../../domain/org-config';
import type { ExternalRef, OpenDeal, SalesCrm } from '../ports';
import { describeServiceFailure, ServiceError } from '../service-error';
import type { SalesforceClient } from './client';
import type { OperationContext } from './errors';
import { SalesforceHttpError } from './transport';
import {
  dateInZone,
  idByKey,
  invalidInput,
  isRecordId,
  missingRequiredFields,
  NOT_PROVIDED,
  OPPORTUNITY_PREFIX,
  QUEUE_PREFIX,
  queryRecords,
  requireHandoffKey,
  salesRecordFields,
  soqlContains,
  soqlString,
  TASK_PREFIX,
  USER_PREFIX,
  type SalesRecordType,
} from './records';

export interface SalesforceSalesOptions {
  config: OrgConfig;
  /** Owner of a rejected lead's record: a queue (00G…, Lead only) or a user (005…). */
  nurtureOwnerId: string;
  opportunityStage: string;
  /** Opportunity.CloseDate = creation date + this many days. */
  opportunityCloseDays: number;
  leadStatus: string;
  leadSource: string;
  taskPriority: 'High' | 'Normal' | 'Low';
  /** Text field on Task holding the idempotency key. */
  taskKeyField: string;
  /** External ID (Unique) text field on Opportunity holding the idempotency key. */
  opportunityKeyField: string;
}

interface AccountRow {
  Id: string;
  Name: string;
  Website: string | null;
}

interface OpportunityRow {
  Id: string;
  Name: string;
  OwnerId: string | null;
}

/** The Lead/Contact the outcome is written on; Contacts have no IsConverted (undefined). */
interface OutcomeRow {
  Id: string;
  IsConverted?: boolean;
  ConvertedAccountId?: string | null;
}

const CONTACT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CLOSE_NOTES: Record<'reassigned' | 'cancelled', string> = {
  reassigned: 'Closed by the MQL handoff: the lead was reassigned to another rep.',
  cancelled: 'Closed by the MQL handoff: the handoff ended before first touch.',
};

/** The argument the SalesCrm port gives a method, declared once in ports.ts. */
type Input<M extends Exclude<keyof SalesCrm, 'system'>> = Parameters<SalesCrm[M]>[0];

export class SalesforceSalesCrm implements SalesCrm {
  readonly system = 'salesforce' as const;
  private readonly recordType: SalesRecordType;
  private readonly externalIdField: string;

  constructor(
    private readonly sf: SalesforceClient,
    private readonly opts: SalesforceSalesOptions,
  ) {
    this.recordType = opts.config.salesforce.recordType;
    this.externalIdField = opts.config.salesforce.externalIdField;
  }

  async findOpenDeal(lead: LeadSnapshot): Promise<OpenDeal | null> {
    const ctx = { operation: 'find open opportunity', object: `Account of contact ${lead.contactId}` };
    return this.sf.run(ctx, async (conn) => {
      const accounts = await this.matchingAccounts(conn, lead);
      if (accounts.length === 0) return null;
      const [deal] = await queryRecords<OpportunityRow>(
        conn,
        `SELECT Id, Name, OwnerId FROM Opportunity WHERE IsClosed = false AND AccountId IN (${accounts
          .map((a) => soqlString(a.Id))
          .join(', ')}) ORDER BY CreatedDate DESC LIMIT 1`,
      );
      if (!deal) return null;
      return { id: deal.Id, name: deal.Name, ownerId: deal.OwnerId, url: this.sf.recordUrl('Opportunity', deal.Id) };
    });
  }

  async assignOwner(input: Input<'assignOwner'>): Promise<ExternalRef> {
    const operation = 'assign owner';
    const contactId = this.requireContactId(operation, input.lead);
    if (!isRecordId(input.ownerId, ...this.ownerPrefixes())) {
      throw invalidInput(operation, 'ownerId', input.ownerId, this.ownerExpectation());
    }
    const fields: Record<string, string> = {
      ...salesRecordFields(input.lead, this.recordType, this.opts),
      OwnerId: input.ownerId,
    };
    const ctx = { operation, object: this.recordLabel(contactId), sent: fields };
    return this.sf.run(ctx, async (conn) => {
      const missing = missingRequiredFields(fields, this.recordType);
      // Placeholders for required fields HubSpot lacks go only into a new record, never over what sales entered.
      if (missing.length > 0 && !(await this.findSalesRecord(conn, contactId))) {
        for (const f of missing) fields[f] = NOT_PROVIDED;
      }
      const result = await conn
        .sobject(this.recordType)
        .upsert({ [this.externalIdField]: contactId, ...fields }, this.externalIdField);
      const id = result.id ?? (await this.findSalesRecord(conn, contactId))?.Id;
      if (!id) throw new Error(`upsert of ${this.recordLabel(contactId)} returned no id`);
      return { system: 'salesforce', objectType: this.recordType, id, url: this.sf.recordUrl(this.recordType, id) };
    });
  }

  async removeOwner(input: Input<'removeOwner'>): Promise<void> {
    const operation = 'remove owner';
    const contactId = this.requireContactId(operation, input.lead);
    const ctx = { operation, object: this.recordLabel(contactId), sent: { OwnerId: this.opts.nurtureOwnerId } };
    await this.sf.run(ctx, async (conn) => {
      const record = await this.findSalesRecord(conn, contactId);
      // Never handed to sales (or deleted there): nothing owns it, nothing to do.
      if (!record) return;
      await conn.sobject(this.recordType).update({ Id: record.Id, OwnerId: this.opts.nurtureOwnerId });
    });
  }

  async createDeal(input: Input<'createDeal'>): Promise<ExternalRef> {
    const operation = 'create opportunity';
    if (!isRecordId(input.ownerId, USER_PREFIX)) {
      throw invalidInput(operation, 'ownerId', input.ownerId, 'a Salesforce user id (005…)');
    }
    if (!input.name.trim()) throw invalidInput(operation, 'name', input.name, 'a non-empty opportunity name');
    const key = requireHandoffKey(operation, input.key);
    const keyField = this.opts.opportunityKeyField;
    const ctx: OperationContext = { operation, object: `Opportunity ${keyField}=${key}` };
    return this.sf.run(ctx, async (conn) => {
      const existing = await idByKey(conn, 'Opportunity', keyField, key);
      if (existing) return this.ref('Opportunity', existing);
      const [account] = await this.matchingAccounts(conn, input.lead);
      const closeDate = new Date(Date.now() + this.opts.opportunityCloseDays * 86_400_000);
      const fields: Record<string, unknown> = {
        Name: input.name.trim().slice(0, 120),
        StageName: this.opts.opportunityStage,
        CloseDate: closeDate.toISOString().slice(0, 10),
        OwnerId: input.ownerId,
        LeadSource: this.opts.leadSource,
        ...(account ? { AccountId: account.Id } : {}),
      };
      ctx.sent = fields;
      const result = await conn.sobject('Opportunity').upsert({ [keyField]: key, ...fields }, keyField);
      if (!result.id) throw new Error(`upsert of Opportunity ${keyField}=${key} returned no id`);
      return this.ref('Opportunity', result.id);
    });
  }

  async createTask(input: Input<'createTask'>): Promise<ExternalRef> {
    const operation = 'create task';
    const contactId = this.requireContactId(operation, input.lead);
    if (!isRecordId(input.ownerId, USER_PREFIX)) {
      throw invalidInput(operation, 'ownerId', input.ownerId, 'a Salesforce user id (005…)');
    }
    const due = new Date(input.dueAt);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(input.dueAt) || Number.isNaN(due.getTime())) {
      throw invalidInput(operation, 'dueAt', input.dueAt, 'an ISO-8601 date-time such as 2026-03-02T15:00:00Z');
    }
    if (!input.subject.trim()) throw invalidInput(operation, 'subject', '', 'a non-empty subject');
    const key = requireHandoffKey(operation, input.key);
    const keyField = this.opts.taskKeyField;
    const ctx: OperationContext = { operation, object: `Task ${keyField}=${key}` };
    return this.sf.run(ctx, async (conn) => {
      const existing = await idByKey(conn, 'Task', keyField, key);
      if (existing) return this.ref('Task', existing);
      const who = await this.findSalesRecordOrFail(conn, contactId);
      const fields: Record<string, unknown> = {
        Subject: input.subject.trim().slice(0, 255),
        Description: input.body,
        OwnerId: input.ownerId,
        WhoId: who,
        ActivityDate: dateInZone(due, this.timeZoneOf(input.ownerId)),
        IsReminderSet: true,
        ReminderDateTime: due.toISOString(),
        Priority: this.opts.taskPriority,
        Status: 'Not Started',
        [keyField]: key,
      };
      ctx.sent = fields;
      const result = await conn.sobject('Task').create(fields);
      if (!result.success) throw new Error(`create of Task ${keyField}=${key} returned no id`);
      return this.ref('Task', result.id);
    });
  }

  async closeTask(input: Input<'closeTask'>): Promise<void> {
    const operation = 'close task';
    if (!isRecordId(input.taskId, TASK_PREFIX)) {
      throw invalidInput(operation, 'taskId', input.taskId, 'a Salesforce task id (00T…)');
    }
    const ctx = { operation, object: `Task ${input.taskId}` };
    await this.sf.run(ctx, async (conn) => {
      let task: { Id: string; IsClosed: boolean; Description: string | null };
      try {
        task = (await conn
          .sobject('Task')
          .retrieve(input.taskId, { fields: ['Id', 'IsClosed', 'Description'] })) as never;
      } catch (e) {
        // Deleted in Salesforce (by the rep or an admin): nothing left to close.
        if (isGone(e)) return;
        throw e;
      }
      if (task.IsClosed) return;
      const update: Record<string, unknown> = { Id: task.Id, Status: 'Completed' };
      if (input.outcome !== 'completed') {
        update.Description = [task.Description, CLOSE_NOTES[input.outcome]].filter(Boolean).join('\n\n');
      }
      await conn.sobject('Task').update(update as { Id: string });
    });
  }

  async markFirstTouch(input: Input<'markFirstTouch'>): Promise<void> {
    const operation = 'mark first touch';
    const contactId = this.requireContactId(operation, input.lead);
    requireDateTime(operation, 'at', input.at);
    // Contacts have no Status: nothing on the record says "being worked".
    if (this.recordType !== 'Lead') return;
    await this.updateOutcome(operation, contactId, { Status: this.sfConfig.leadStatuses.firstTouch });
  }

  async markAccepted(input: Input<'markAccepted'>): Promise<void> {
    const operation = 'mark accepted';
    const contactId = this.requireContactId(operation, input.lead);
    const at = requireDateTime(operation, 'at', input.at);
    const dealId = input.dealId ? this.requireOpportunityId(operation, input.dealId) : null;
    const sqlDate = { [this.sfConfig.fields.sqlDate]: at.toISOString() };
    if (this.recordType === 'Lead' && this.sfConfig.convertOnAccept) {
      await this.convertLead(input.lead, contactId, sqlDate, dealId);
      return;
    }
    const status = this.recordType === 'Lead' ? { Status: this.sfConfig.leadStatuses.accepted } : {};
    await this.updateOutcome(operation, contactId, { ...status, ...sqlDate });
  }

  async markRejected(input: Input<'markRejected'>): Promise<void> {
    const operation = 'mark rejected';
    const contactId = this.requireContactId(operation, input.lead);
    if (typeof input.reason !== 'string' || !input.reason.trim()) {
      throw invalidInput(operation, 'reason', input.reason, 'a rejection reason id such as wrong_title');
    }
    const status = this.recordType === 'Lead' ? { Status: this.sfConfig.leadStatuses.rejected } : {};
    await this.updateOutcome(operation, contactId, {
      ...status,
      [this.sfConfig.fields.rejectionReason]: input.reason,
      // Salesforce requires an owner: "no owner" is the nurture queue (a user for Contacts).
      OwnerId: this.opts.nurtureOwnerId,
    });
  }

  async reassignDeal(input: Input<'reassignDeal'>): Promise<void> {
    const operation = 'reassign opportunity';
    const dealId = this.requireOpportunityId(operation, input.dealId);
    if (!isRecordId(input.ownerId, USER_PREFIX)) {
      throw invalidInput(operation, 'ownerId', input.ownerId, 'a Salesforce user id (005…)');
    }
    const ctx = { operation, object: `Opportunity ${dealId}`, sent: { OwnerId: input.ownerId } };
    await this.sf.run(ctx, async (conn) => {
      const opp = await this.opportunity(conn, dealId, ['Id', 'OwnerId']);
      if (!opp || sameId(opp.OwnerId, input.ownerId)) return;
      await conn.sobject('Opportunity').update({ Id: opp.Id, OwnerId: input.ownerId });
    });
  }

  async moveDealToAcceptedStage(input: Input<'moveDealToAcceptedStage'>): Promise<void> {
    const operation = 'move opportunity to accepted stage';
    const dealId = this.requireOpportunityId(operation, input.dealId);
    const stage = this.sfConfig.opportunityStages.accepted;
    if (!stage) return;
    const ctx = { operation, object: `Opportunity ${dealId}`, sent: { StageName: stage } };
    await this.sf.run(ctx, async (conn) => {
      const opp = await this.opportunity(conn, dealId, ['Id', 'StageName']);
      // Only from the stage the handoff created it at: one sales moved on (or closed) stays where they put it.
      if (!opp || opp.StageName !== this.opts.opportunityStage) return;
      await conn.sobject('Opportunity').update({ Id: opp.Id, StageName: stage });
    });
  }

  async closeDealLost(input: Input<'closeDealLost'>): Promise<void> {
    const operation = 'close opportunity lost';
    const dealId = this.requireOpportunityId(operation, input.dealId);
    if (typeof input.reason !== 'string' || !input.reason.trim()) {
      throw invalidInput(operation, 'reason', input.reason, 'a rejection reason id such as wrong_title');
    }
    const fields = {
      StageName: this.sfConfig.opportunityStages.closedLost,
      [this.sfConfig.fields.lossReason]: input.reason,
      // Closed today: reports on lost opportunities go by CloseDate, which still holds the planned date.
      CloseDate: new Date().toISOString().slice(0, 10),
    };
    const ctx = { operation, object: `Opportunity ${dealId}`, sent: fields };
    await this.sf.run(ctx, async (conn) => {
      const opp = await this.opportunity(conn, dealId, ['Id', 'IsClosed']);
      // Closed already (lost, or won by a rep who moved fast): the outcome there stands.
      if (!opp || opp.IsClosed) return;
      await conn.sobject('Opportunity').update({ Id: opp.Id, ...fields });
    });
  }

  // -------------------------------------------------------------------------------------------------------------

  private get sfConfig(): OrgConfig['salesforce'] {
    return this.opts.config.salesforce;
  }

  /** Updates the lead's Lead/Contact, found by external id; missing or converted: nothing is written. */
  private async updateOutcome(operation: string, contactId: string, fields: Record<string, unknown>): Promise<void> {
    const ctx = { operation, object: this.recordLabel(contactId), sent: fields };
    await this.sf.run(ctx, async (conn) => {
      const record = await this.outcomeRecord(conn, contactId);
      // Never handed to Salesforce, deleted there, or converted (read-only): nothing to mark.
      if (!record || record.IsConverted) return;
      await conn.sobject(this.recordType).update({ Id: record.Id, ...fields });
    });
  }

  private async outcomeRecord(conn: Connection, contactId: string): Promise<OutcomeRow | undefined> {
    const fields = this.recordType === 'Lead' ? 'Id, IsConverted, ConvertedAccountId' : 'Id';
    const [row] = await queryRecords<OutcomeRow>(
      conn,
      `SELECT ${fields} FROM ${this.recordType} WHERE ${this.externalIdField} = ${soqlString(contactId)} LIMIT 1`,
    );
    return row;
  }

  /**
   * Acceptance as a conversion: the SQL date on the Lead first (so a field mapping can carry it to the Contact),
   * then SOAP convertLead into the account matching the company (a new one when none does), with no Opportunity —
   * the handoff's own, if any, is linked to that account when it has none.
   */
  private async convertLead(
    lead: LeadSnapshot,
    contactId: string,
    sqlDate: Record<string, string>,
    dealId: string | null,
  ): Promise<void> {
    const operation = 'convert lead';
    const convertedStatus = this.sfConfig.leadStatuses.converted;
    const ctx: OperationContext = {
      operation,
      object: this.recordLabel(contactId),
      sent: { ...sqlDate, convertedStatus },
    };
    await this.sf.run(ctx, async (conn) => {
      const record = await this.outcomeRecord(conn, contactId);
      if (!record) return;
      let accountId = record.ConvertedAccountId ?? null;
      if (!record.IsConverted) {
        await conn.sobject('Lead').update({ Id: record.Id, ...sqlDate });
        const [account] = await this.matchingAccounts(conn, lead);
        const result = await conn.soap.convertLead({
          leadId: record.Id,
          convertedStatus,
          doNotCreateOpportunity: true,
          ...(account ? { accountId: account.Id } : {}),
        });
        if (!result.success) throw convertFailure(ctx, result.errors, convertedStatus);
        accountId = result.accountId ?? null;
      }
      if (!dealId || !accountId) return;
      const opp = await this.opportunity(conn, dealId, ['Id', 'AccountId']);
      if (opp && !opp.AccountId) await conn.sobject('Opportunity').update({ Id: opp.Id, AccountId: accountId });
    });
  }

  /** The Opportunity's fields, or null when it was deleted. */
  private async opportunity(
    conn: Connection,
    id: string,
    fields: string[],
  ): Promise<(Record<string, unknown> & { Id: string }) | null> {
    try {
      return (await conn.sobject('Opportunity').retrieve(id, { fields })) as never;
    } catch (e) {
      if (isGone(e)) return null;
      throw e;
    }
  }

  private requireOpportunityId(operation: string, id: unknown): string {
    if (!isRecordId(id, OPPORTUNITY_PREFIX)) {
      throw invalidInput(operation, 'dealId', id, 'a Salesforce opportunity id (006…)');
    }
    return id;
  }

  private ref(objectType: string, id: string): ExternalRef {
    return { system: 'salesforce', objectType, id, url: this.sf.recordUrl(objectType, id) };
  }

  /** Accounts matching the lead's company: by website domain when any match, else by exact name. */
  private async matchingAccounts(conn: Connection, lead: LeadSnapshot): Promise<AccountRow[]> {
    const freeMail = new Set(this.opts.config.icp.freeMailDomains.map((d) => normalizeDomain(d)));
    const fromEmail = emailDomain(lead.email);
    const domain = websiteDomain(lead.company?.domain) ?? (fromEmail && !freeMail.has(fromEmail) ? fromEmail : null);
    const name = lead.company?.name?.trim() || null;
    if (!domain && !name) return [];
    const where = [
      ...(domain ? [`Website LIKE ${soqlContains(domain)}`] : []),
      ...(name ? [`Name = ${soqlString(name)}`] : []),
    ].join(' OR ');
    const candidates = await queryRecords<AccountRow>(
      conn,
      `SELECT Id, Name, Website FROM Account WHERE ${where} ORDER BY CreatedDate ASC LIMIT 200`,
    );
    // LIKE '%initrode.example%' also matches notinitrode.example: compare the normalised host.
    const byDomain = candidates.filter((a) => domain && websiteDomain(a.Website) === domain);
    if (byDomain.length > 0) return byDomain;
    return candidates.filter((a) => name && a.Name.toLowerCase() === name.toLowerCase());
  }

  private async findSalesRecord(conn: Connection, contactId: string): Promise<{ Id: string } | undefined> {
    const [row] = await queryRecords<{ Id: string }>(
      conn,
      `SELECT Id FROM ${this.recordType} WHERE ${this.externalIdField} = ${soqlString(contactId)} LIMIT 1`,
    );
    return row;
  }

  /** GET by external id: 404 NOT_FOUND (not retryable) when the lead was never assigned in Salesforce. */
  private async findSalesRecordOrFail(conn: Connection, contactId: string): Promise<string> {
    const record = await conn.request<{ Id: string }>(
      `/sobjects/${this.recordType}/${this.externalIdField}/${encodeURIComponent(contactId)}?fields=Id`,
    );
    return record.Id;
  }

  /** The rep's own time zone, else their team calendar's; the first calendar's for an owner not in the roster. */
  private timeZoneOf(ownerId: string): string {
    const rep = repByCrmOwnerId(this.opts.config, 'salesforce', ownerId);
    if (rep?.timeZone) return rep.timeZone;
    const team = rep ? findRep(this.opts.config, rep.id)?.team : undefined;
    return team ? calendarOf(this.opts.config, team.id).timeZone : this.opts.config.calendars[0]!.timeZone;
  }

  private requireContactId(operation: string, lead: LeadSnapshot): string {
    if (!CONTACT_ID.test(lead.contactId ?? '')) {
      throw invalidInput(operation, 'lead.contactId', lead.contactId, 'a HubSpot contact id (letters, digits, - or _)');
    }
    return lead.contactId;
  }

  private ownerPrefixes(): string[] {
    return this.recordType === 'Lead' ? [USER_PREFIX, QUEUE_PREFIX] : [USER_PREFIX];
  }

  private ownerExpectation(): string {
    return this.recordType === 'Lead'
      ? 'a Salesforce user id (005…) or queue id (00G…)'
      : 'a Salesforce user id (005…)';
  }

  private recordLabel(contactId: string): string {
    return `${this.recordType} ${this.externalIdField}=${contactId}`;
  }
}

/** `https://www.Initrode.example/about` → `initrode.example`; null when there is no dotted host to match. */
function websiteDomain(website: string | null | undefined): string | null {
  const host = normalizeDomain(website);
  return host?.includes('.') ? host : null;
}

/** Salesforce ids compare by their case-sensitive 15-character form (the 18-character one adds a suffix). */
function sameId(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.slice(0, 15) === b.slice(0, 15);
}

function requireDateTime(operation: string, field: string, value: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value ?? '') || Number.isNaN(d.getTime())) {
    throw invalidInput(operation, field, value, 'an ISO-8601 date-time such as 2026-03-02T15:00:00Z');
  }
  return d;
}

/** convertLead answers HTTP 200 with `success: false` and the errors: the request's fault, not retried. */
function convertFailure(
  ctx: OperationContext,
  errors: { statusCode: string; message: string; fields?: string[] | null }[],
  convertedStatus: string,
): ServiceError {
  const first = errors[0];
  const field = first?.fields?.[0] ?? (first?.statusCode === 'INVALID_STATUS' ? 'convertedStatus' : undefined);
  const details = {
    service: 'salesforce' as const,
    operation: ctx.operation,
    object: ctx.object,
    status: 400,
    code: first?.statusCode ?? 'CONVERT_FAILED',
    ...(field ? { field } : {}),
    ...(field === 'convertedStatus' ? { value: convertedStatus } : {}),
  };
  const detail = errors.map((e) => e.message).join('; ') || 'convertLead answered success: false';
  return new ServiceError(describeServiceFailure(details, detail), details);
}

function isGone(err: unknown): boolean {
  return err instanceof SalesforceHttpError && err.status === 404 && /NOT_FOUND|ENTITY_IS_DELETED/.test(err.body);
}
