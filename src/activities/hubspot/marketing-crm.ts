/**
 * HubSpot as the marketing CRM: reads the lead (contact, primary company, recent engagement, marketing notes),
 * writes lifecycle/owner/lead status and the product's contact properties, and enrols contacts in re-nurture lists.
 */
import {
  LIFECYCLE_STAGES,
  isLifecycleForward,
  type CompanySnapshot,
  type LeadSnapshot,
  type LeadStatus,
  type LifecycleStage,
} from '../../domain/lead';
import type { OrgConfig } from '../../domain/org-config';
import { REJECTION_REASONS } from '../../domain/vocabulary';
import type { ContactUpdate, MarketingCrm } from '../ports';
import { ServiceError, describeServiceFailure } from '../service-error';
import {
  associatedRecords,
  batchRead,
  isHubSpotId,
  OBJECT_TYPE_ID,
  recordUrl,
  requireRecordId,
  text,
} from './crm-records';
import { CONTACT_PROPERTY } from './custom-properties';
import {
  ENGAGEMENT_CONTACT_PROPERTIES,
  engagementFromContactProperties,
  engagementFromWebEvent,
  mergeEngagement,
  noteText,
} from './engagement';
import type { HubSpotApis } from './hubspot-client';
import { callHubSpot, invalidInput, isNotFound } from './hubspot-errors';

/** The org's own lead-source property: a value containing "outbound" marks a sales-sourced contact. */
export const LEAD_SOURCE_PROPERTY = 'lead_source';

/** Original-source drill-downs of an OFFLINE contact that a person created in HubSpot's sales tools. */
const SALES_CREATED_SOURCES = new Set(['CRM_UI', 'EXTENSION', 'SALES_EXTENSION']);

const CONTACT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'jobtitle',
  'phone',
  'country',
  'state',
  'lifecyclestage',
  'hs_lead_status',
  'hubspot_owner_id',
  'hs_analytics_source',
  'hs_analytics_source_data_1',
  LEAD_SOURCE_PROPERTY,
  CONTACT_PROPERTY.fitScore,
  CONTACT_PROPERTY.engagementScore,
  ...ENGAGEMENT_CONTACT_PROPERTIES,
];
const COMPANY_PROPERTIES = ['name', 'domain', 'numberofemployees', 'industry', 'country'];
const NOTE_PROPERTIES = ['hs_note_body', 'hs_timestamp', 'hubspot_owner_id'];

/** Web-analytics events older than this are not "recent engagement". */
const ENGAGEMENT_LOOKBACK_DAYS = 30;
const EVENTS_PAGE_SIZE = 100;
const MAX_EVENT_PAGES = 3;
const MAX_NOTES = 10;

const LEAD_STATUSES: readonly LeadStatus[] = [
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'ATTEMPTED_TO_CONTACT',
  'CONNECTED',
  'BAD_TIMING',
  'UNQUALIFIED',
];

export class HubSpotMarketingCrm implements MarketingCrm {
  private industryLabels: Promise<Map<string, string>> | undefined;
  private readonly repOwnerIds: Set<string>;

  constructor(
    private readonly apis: HubSpotApis,
    private readonly config: OrgConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.repOwnerIds = new Set(
      config.teams.flatMap((t) => t.reps.map((r) => r.crmOwnerIds.hubspot)).filter((id): id is string => !!id),
    );
  }

  async getLead(contactId: string): Promise<LeadSnapshot | null> {
    requireRecordId('read lead', 'contact', contactId);
    let contact;
    try {
      contact = await callHubSpot({ operation: 'read contact', object: `contact ${contactId}` }, () =>
        this.apis.contacts.getById(contactId, CONTACT_PROPERTIES),
      );
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    const p = contact.properties;
    const [company, webEvents, notes] = await Promise.all([
      this.primaryCompany(contactId),
      this.recentWebEvents(contactId),
      this.marketingNotes(contactId),
    ]);
    return {
      contactId,
      email: text(p.email),
      firstName: text(p.firstname),
      lastName: text(p.lastname),
      jobTitle: text(p.jobtitle),
      phone: text(p.phone),
      country: text(p.country),
      region: text(p.state),
      lifecycleStage: asLifecycleStage(p.lifecyclestage),
      leadStatus: LEAD_STATUSES.find((s) => s === p.hs_lead_status) ?? null,
      hubspotOwnerId: text(p.hubspot_owner_id),
      fitScore: score(p[CONTACT_PROPERTY.fitScore]),
      engagementScore: score(p[CONTACT_PROPERTY.engagementScore]),
      sourcedBy: sourcedBy(p),
      company,
      events: mergeEngagement([...webEvents, ...engagementFromContactProperties(p)]),
      marketingNotes: notes,
      hubspotUrl: recordUrl(this.config, OBJECT_TYPE_ID.contact, contactId),
    };
  }

  async updateContact(contactId: string, update: ContactUpdate): Promise<void> {
    const operation = 'update contact';
    const object = `contact ${contactId}`;
    requireRecordId(operation, 'contact', contactId);
    const properties = contactProperties(update, object);
    let setsLifecycle = false;
    if (update.lifecycle) {
      const { to, allowBackward } = update.lifecycle;
      if (!(LIFECYCLE_STAGES as readonly string[]).includes(to)) {
        throw invalidInput(operation, object, 'lifecycle.to', to, `one of ${LIFECYCLE_STAGES.join(', ')}`);
      }
      const current = await this.currentLifecycleStage(contactId);
      const known = asLifecycleStage(current);
      if (current !== to) {
        const forward = current === null || (known !== null && isLifecycleForward(known, to));
        if (!forward && allowBackward) {
          // HubSpot ignores a backward move unless the stage is cleared first, in a separate request.
          await this.patch(contactId, { lifecyclestage: '' });
        }
        if (forward || allowBackward) {
          properties.lifecyclestage = to;
          setsLifecycle = true;
        }
      }
    }
    if (Object.keys(properties).length === 0) return;
    const written = await this.patch(contactId, properties);
    if (!setsLifecycle) return;
    // HubSpot answers 200 even when it ignored the stage; check what it kept (re-read if the answer omits it).
    const kept =
      'lifecyclestage' in written ? text(written.lifecyclestage) : await this.currentLifecycleStage(contactId);
    if (kept !== properties.lifecyclestage) {
      const details = {
        service: 'hubspot' as const,
        operation,
        object,
        field: 'lifecyclestage',
        value: properties.lifecyclestage,
        code: 'LIFECYCLE_NOT_APPLIED',
      };
      // Retryable: HubSpot kept another stage (moved meanwhile); the retry re-reads it and decides again.
      throw new ServiceError(describeServiceFailure(details, `HubSpot kept lifecyclestage "${kept ?? ''}"`), details);
    }
  }

  async enrollInList(contactId: string, listId: string): Promise<void> {
    const operation = 'add contact to list';
    requireRecordId(operation, 'contact', contactId);
    requireRecordId(operation, 'list', listId);
    const object = `list ${listId} (contact ${contactId})`;
    const res = await callHubSpot({ operation, object }, () => this.apis.listMemberships.add(listId, [contactId]));
    if ((res.recordIdsMissing ?? []).includes(contactId)) {
      const details = { service: 'hubspot' as const, operation, object, status: 404, code: 'OBJECT_NOT_FOUND' };
      throw new ServiceError(describeServiceFailure(details, `contact ${contactId} does not exist`), details);
    }
  }

  private async patch(contactId: string, properties: Record<string, string>): Promise<Record<string, string | null>> {
    const res = await callHubSpot(
      { operation: 'update contact', object: `contact ${contactId}`, sent: properties },
      () => this.apis.contacts.update(contactId, { properties }),
    );
    return res.properties;
  }

  private async currentLifecycleStage(contactId: string): Promise<string | null> {
    const res = await callHubSpot({ operation: 'read contact lifecycle stage', object: `contact ${contactId}` }, () =>
      this.apis.contacts.getById(contactId, ['lifecyclestage']),
    );
    return text(res.properties.lifecyclestage);
  }

  private async primaryCompany(contactId: string): Promise<CompanySnapshot | null> {
    const companies = await associatedRecords(this.apis, 'contacts', contactId, 'companies', 'read contact companies');
    const primary = companies.find((c) => c.typeIds.includes(1)) ?? companies[0];
    if (!primary) return null;
    let company;
    try {
      company = await callHubSpot({ operation: 'read company', object: `company ${primary.id}` }, () =>
        this.apis.companies.getById(primary.id, COMPANY_PROPERTIES),
      );
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    const p = company.properties;
    const employees = p.numberofemployees ? Number(p.numberofemployees) : NaN;
    return {
      id: primary.id,
      name: text(p.name),
      domain: text(p.domain)?.toLowerCase() ?? null,
      employees: Number.isFinite(employees) ? employees : null,
      industry: await this.industryLabel(text(p.industry)),
      country: text(p.country),
    };
  }

  /** HubSpot stores the industry's internal value (HOSPITAL_HEALTH_CARE); routing rules use its label. */
  private async industryLabel(value: string | null): Promise<string | null> {
    if (!value) return null;
    this.industryLabels ??= callHubSpot(
      { operation: 'read company industry picklist', object: 'property industry' },
      () => this.apis.properties.getByName('companies', 'industry'),
    ).then(
      (def) => new Map(def.options.map((o) => [o.value, o.label])),
      (e: unknown) => {
        this.industryLabels = undefined;
        // Without crm.schemas.companies.read the raw value is the best we have.
        if (e instanceof ServiceError && (e.details.status === 403 || e.details.status === 404)) return new Map();
        throw e;
      },
    );
    return (await this.industryLabels).get(value) ?? value;
  }

  private async recentWebEvents(contactId: string) {
    const since = new Date(this.clock().getTime() - ENGAGEMENT_LOOKBACK_DAYS * 86_400_000);
    const events = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_EVENT_PAGES; page++) {
      let res;
      try {
        res = await callHubSpot({ operation: 'read web-analytics events', object: `contact ${contactId}` }, () =>
          this.apis.events.getPage(
            OBJECT_TYPE_ID.contact,
            undefined,
            after,
            undefined,
            EVENTS_PAGE_SIZE,
            ['DESCENDING'],
            since,
            undefined,
            Number(contactId),
          ),
        );
      } catch (e) {
        // The events API needs an Enterprise tier; without it the contact's own properties still give engagement.
        if (e instanceof ServiceError && e.details.status === 403) return [];
        throw e;
      }
      for (const e of res.results) {
        const mapped = engagementFromWebEvent(e);
        if (mapped) events.push(mapped);
      }
      after = res.paging?.next?.after;
      if (!after) break;
    }
    return events;
  }

  /** Notes on the contact not written by a sales rep of the org, newest first, as plain text. */
  private async marketingNotes(contactId: string): Promise<string[]> {
    const linked = await associatedRecords(this.apis, 'contacts', contactId, 'notes', 'read contact notes');
    if (!linked.length) return [];
    const notes = await batchRead(
      (input) => this.apis.notesBatch.read(input),
      linked.map((n) => n.id),
      NOTE_PROPERTIES,
      { operation: 'read notes', object: `contact ${contactId}` },
    );
    return notes
      .filter((n) => !this.repOwnerIds.has(n.properties.hubspot_owner_id ?? ''))
      .sort((a, b) => Date.parse(b.properties.hs_timestamp ?? '') - Date.parse(a.properties.hs_timestamp ?? ''))
      .map((n) => noteText(n.properties.hs_note_body ?? ''))
      .filter(Boolean)
      .slice(0, MAX_NOTES);
  }
}

/** The ContactUpdate fields other than lifecycle, as HubSpot properties; bad values are refused before sending. */
function contactProperties(update: ContactUpdate, object: string): Record<string, string> {
  const operation = 'update contact';
  const out: Record<string, string> = {};
  if (update.hubspotOwnerId !== undefined) {
    if (update.hubspotOwnerId !== null && !isHubSpotId(update.hubspotOwnerId)) {
      throw invalidInput(
        operation,
        object,
        'hubspotOwnerId',
        update.hubspotOwnerId,
        'a HubSpot owner id (digits) or null',
      );
    }
    out.hubspot_owner_id = update.hubspotOwnerId ?? '';
  }
  if (update.leadStatus !== undefined) {
    if (!LEAD_STATUSES.includes(update.leadStatus)) {
      throw invalidInput(operation, object, 'leadStatus', update.leadStatus, `one of ${LEAD_STATUSES.join(', ')}`);
    }
    out.hs_lead_status = update.leadStatus;
  }
  for (const [field, property] of [
    ['mqlDate', CONTACT_PROPERTY.mqlDate],
    ['sqlDate', CONTACT_PROPERTY.sqlDate],
  ] as const) {
    const value = update[field];
    if (value === undefined) continue;
    const ms = Date.parse(value);
    if (typeof value !== 'string' || Number.isNaN(ms)) {
      throw invalidInput(operation, object, field, value, 'an ISO-8601 date-time');
    }
    out[property] = new Date(ms).toISOString();
  }
  if (update.salesRejectedReason !== undefined) {
    const reason = update.salesRejectedReason;
    if (reason !== null && !(REJECTION_REASONS as readonly string[]).includes(reason)) {
      throw invalidInput(
        operation,
        object,
        'salesRejectedReason',
        reason,
        `one of ${REJECTION_REASONS.join(', ')} or null`,
      );
    }
    out[CONTACT_PROPERTY.rejectedReason] = reason ?? '';
  }
  if (update.handoffWorkflowId !== undefined) {
    if (!update.handoffWorkflowId.trim()) {
      throw invalidInput(operation, object, 'handoffWorkflowId', update.handoffWorkflowId, 'a non-empty workflow id');
    }
    out[CONTACT_PROPERTY.workflowId] = update.handoffWorkflowId;
  }
  if (update.disqualificationReasons !== undefined) {
    out[CONTACT_PROPERTY.disqualification] = update.disqualificationReasons ?? '';
  }
  return out;
}

/**
 * Outbound when the org's lead source says so; with no lead source, when HubSpot's original source is OFFLINE and
 * the record was made by hand in the CRM or the sales extension (a rep prospecting). Everything else is inbound.
 */
function sourcedBy(p: Record<string, string | null>): 'inbound' | 'outbound' {
  const leadSource = text(p[LEAD_SOURCE_PROPERTY]);
  if (leadSource) return /outbound/i.test(leadSource) ? 'outbound' : 'inbound';
  const createdInSalesTools =
    p.hs_analytics_source === 'OFFLINE' && SALES_CREATED_SOURCES.has(p.hs_analytics_source_data_1 ?? '');
  return createdInSalesTools ? 'outbound' : 'inbound';
}

function asLifecycleStage(v: string | null | undefined): LifecycleStage | null {
  return LIFECYCLE_STAGES.find((s) => s === v) ?? null;
}

function score(v: string | null | undefined): number | null {
  if (v === null || v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
