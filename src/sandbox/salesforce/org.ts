/**
 * The emulated org: records per object, validated the way the platform validates REST writes (unknown and read-only
 * fields, required fields, restricted picklists, lengths, e-mail format, id references and inactive owners, unique
 * external ids), SOQL queries, upsert by external id and the custom-notification action. Tests read it directly
 * through `emulator.store`.
 */
import { fault, notFound, SalesforceFault, type SalesforceErrorBody } from './faults';
import { IdGenerator, isSalesforceId } from './ids';
import {
  LEAD_STATUS_VALUES,
  OPPORTUNITY_STAGES,
  OrgSchema,
  TASK_STATUSES,
  type FieldDef,
  type ObjectDef,
} from './schema';
import { compileQuery, type StoredRecord } from './soql';

export type OrgRecord = StoredRecord & { Id: string };

export interface RecordView {
  attributes: { type: string; url: string };
  [field: string]: unknown;
}

export interface CustomNotificationInput {
  customNotifTypeId?: unknown;
  recipientIds?: unknown;
  senderId?: unknown;
  title?: unknown;
  body?: unknown;
  targetId?: unknown;
  targetPageRef?: unknown;
}

export interface SentNotification {
  customNotifTypeId: string;
  /** Active users the notification reached. */
  recipientIds: string[];
  senderId: string;
  title: string;
  body: string;
  targetId: string | null;
  targetPageRef: string | null;
  sentAt: string;
}

export interface ActionResult {
  actionName: string;
  errors: { statusCode: string; message: string; fields: string[] }[] | null;
  isSuccess: boolean;
  outputValues: Record<string, unknown> | null;
}

/** One `LeadConvert` of a SOAP `convertLead()` call: its simple elements, `null` for an `xsi:nil` one. */
export type LeadConvertInput = Record<string, string | null>;

/** A `LeadConvertResult`, in the order the partner WSDL lists its elements. */
export interface LeadConvertResult {
  accountId: string | null;
  contactId: string | null;
  errors: { fields: string[]; message: string; statusCode: string }[];
  leadId: string | null;
  opportunityId: string | null;
  success: boolean;
}

/** Salesforce's date-time format in API answers: 2026-01-05T14:03:22.000+0000. */
export function formatDateTime(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

/** A value checked against its field: the value to store, or the error the platform answers with. */
type FieldCheck = { value: unknown } | { error: SalesforceErrorBody };

function fieldError(field: FieldDef, errorCode: string, message: string, fields = [field.name]): FieldCheck {
  return { error: { errorCode, message, fields } };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const key15 = (id: string): string => id.slice(0, 15);

export class SalesforceOrg {
  readonly schema = new OrgSchema();
  readonly notifications: SentNotification[] = [];
  /** API calls made in the rolling 24 h (the emulator never rolls it over; tests set it). */
  apiUsage = 0;
  apiLimit = 15000;
  private readonly ids = new IdGenerator();
  private readonly tables = new Map<string, Map<string, OrgRecord>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  // -------------------------------------------------------------------------------------------------------------
  // What tests read
  // -------------------------------------------------------------------------------------------------------------

  /** Live (not deleted) records of an object, in creation order. */
  records(type: string): OrgRecord[] {
    const object = this.requireObject(type);
    return [...this.table(object).values()].filter((r) => !r.IsDeleted).map((r) => ({ ...r }));
  }

  get(type: string, id: string): OrgRecord | undefined {
    const object = this.requireObject(type);
    const r = this.table(object).get(key15(id));
    return r && !r.IsDeleted ? { ...r } : undefined;
  }

  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, table] of this.tables) out[name] = [...table.values()].filter((r) => !r.IsDeleted);
    return { ...out, notifications: this.notifications, apiUsage: this.apiUsage, apiLimit: this.apiLimit };
  }

  /** Drops every record and notification (the seed is re-applied by the emulator). */
  clear(): void {
    this.tables.clear();
    this.notifications.length = 0;
    this.apiUsage = 0;
  }

  /** Inserts a record as an admin would (seed data): validated, but read-only objects and fixed ids allowed. */
  seed(type: string, fields: Record<string, unknown>, id?: string): string {
    const object = this.requireObject(type);
    return this.insert(object, fields, undefined, { seeding: true, id });
  }

  // -------------------------------------------------------------------------------------------------------------
  // REST operations, run as the session's user
  // -------------------------------------------------------------------------------------------------------------

  create(type: string, body: unknown, asUserId: string): string {
    const object = this.requireWritableObject(type);
    return this.insert(object, this.requireBody(body), asUserId, {});
  }

  update(type: string, id: string, body: unknown, asUserId: string): void {
    const object = this.requireWritableObject(type);
    const existing = this.requireRecord(object, id);
    this.applyUpdate(object, existing, this.requireBody(body), asUserId);
  }

  delete(type: string, id: string): void {
    const object = this.requireWritableObject(type);
    const existing = this.requireRecord(object, id);
    existing.IsDeleted = true;
    existing.LastModifiedDate = formatDateTime(this.now());
  }

  retrieve(type: string, id: string, version: string, fieldList?: string): RecordView {
    const object = this.requireObject(type);
    const record = this.requireRecord(object, id);
    return this.view(object, record, this.selectFields(object, fieldList), version);
  }

  /** Records whose external id field holds `value` (case-insensitive, like the platform's default). */
  findByExternalId(type: string, fieldName: string, value: string): { object: ObjectDef; matches: OrgRecord[] } {
    const object = this.requireObject(type);
    const field = this.schema.field(object, fieldName);
    if (!field || !(field.externalId || field.name === 'Id')) {
      throw fault(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`);
    }
    const wanted = field.name === 'Id' ? key15(value) : value.toLowerCase();
    const matches = [...this.table(object).values()].filter((r) => {
      if (r.IsDeleted) return false;
      const v = r[field.name];
      if (typeof v !== 'string') return false;
      return field.name === 'Id' ? key15(v) === wanted : v.toLowerCase() === wanted;
    });
    return { object, matches };
  }

  retrieveByExternalId(
    type: string,
    fieldName: string,
    value: string,
    version: string,
    fieldList?: string,
  ): RecordView | string[] {
    const { object, matches } = this.findByExternalId(type, fieldName, value);
    if (matches.length === 0) throw notFound();
    if (matches.length > 1) return matches.map((r) => this.recordUrl(object, r.Id, version));
    return this.view(object, matches[0]!, this.selectFields(object, fieldList), version);
  }

  /**
   * PATCH /sobjects/{type}/{field}/{value}: creates when nothing matches, updates the one match, and answers
   * 300 with the matching record urls when several do.
   */
  upsert(
    type: string,
    fieldName: string,
    value: string,
    body: unknown,
    asUserId: string,
    version: string,
  ): { id: string; created: boolean } | { multiple: string[] } {
    const object = this.requireWritableObject(type);
    const fields = this.requireBody(body);
    const { matches } = this.findByExternalId(object.name, fieldName, value);
    const field = this.schema.field(object, fieldName)!;
    const inBody = Object.keys(fields).find((k) => k.toLowerCase() === field.name.toLowerCase());
    if (inBody !== undefined && String(fields[inBody]).toLowerCase() !== value.toLowerCase()) {
      throw fault(
        400,
        'INVALID_FIELD',
        `The ${field.name} field in the request body must match the external ID value in the URL`,
        [field.name],
      );
    }
    if (matches.length > 1) return { multiple: matches.map((r) => this.recordUrl(object, r.Id, version)) };
    if (matches.length === 1) {
      this.applyUpdate(object, this.table(object).get(key15(matches[0]!.Id))!, fields, asUserId);
      return { id: matches[0]!.Id, created: false };
    }
    if (field.name === 'Id') throw notFound();
    const id = this.insert(object, { ...fields, [field.name]: value }, asUserId, {});
    return { id, created: true };
  }

  query(soql: string, version: string): { totalSize: number; done: true; records: RecordView[] } {
    const q = compileQuery(soql, this.schema);
    const matching = [...this.table(q.object).values()].filter((r) => !r.IsDeleted && q.matches(r));
    const sorted = matching.sort(q.compare);
    const limited = q.limit === undefined ? sorted : sorted.slice(0, q.limit);
    const fields = q.fields;
    return {
      totalSize: limited.length,
      done: true,
      records: limited.map((r) => this.view(q.object, r, fields, version)),
    };
  }

  /** The standard invocable action `customNotificationAction`: one result per input. */
  sendCustomNotifications(inputs: unknown, asUserId: string): { results: ActionResult[]; allSucceeded: boolean } {
    if (!Array.isArray(inputs) || inputs.length === 0) {
      throw fault(400, 'JSON_PARSER_ERROR', 'Expected a non-empty "inputs" array in the request body');
    }
    const results = inputs.map((input: CustomNotificationInput) => {
      const errors = this.notificationErrors(input);
      if (errors.length > 0) {
        return { actionName: 'customNotificationAction', errors, isSuccess: false, outputValues: null };
      }
      const recipients = (input.recipientIds as string[])
        .map((id) => this.findAny(id))
        .filter((r): r is { object: ObjectDef; record: OrgRecord } => r !== undefined)
        .filter(({ object, record }) => object.name !== 'User' || record.IsActive === true)
        .map(({ record }) => record.Id);
      this.notifications.push({
        customNotifTypeId: this.findAny(input.customNotifTypeId as string)!.record.Id,
        recipientIds: recipients,
        senderId: typeof input.senderId === 'string' ? input.senderId : asUserId,
        title: input.title as string,
        body: input.body as string,
        targetId: typeof input.targetId === 'string' ? input.targetId : null,
        targetPageRef: typeof input.targetPageRef === 'string' ? input.targetPageRef : null,
        sentAt: formatDateTime(this.now()),
      });
      return {
        actionName: 'customNotificationAction',
        errors: null,
        isSuccess: true,
        outputValues: { SuccessMessage: 'Your custom notification is processed successfully.' },
      };
    });
    return { results, allSucceeded: results.every((r) => r.isSuccess) };
  }

  /**
   * SOAP `convertLead()`: each Lead into an Account (new, or `accountId`), a Contact (new, or `contactId` on that
   * account) and, unless `doNotCreateOpportunity`, a new Opportunity. Standard fields are mapped as the platform maps
   * them; custom Lead fields go to the Contact field of the same API name (an org whose admin mapped them so). The
   * Lead is then converted: read-only, `IsConverted`, the converted status and the ids of what it became. A failed
   * input leaves nothing behind and answers `success: false` with the error, as the API does (HTTP 200).
   */
  convertLead(inputs: LeadConvertInput[], asUserId: string): LeadConvertResult[] {
    return inputs.map((input) => {
      const created: { object: ObjectDef; id: string }[] = [];
      try {
        return this.convertOne(input, asUserId, created);
      } catch (e) {
        for (const c of created) this.table(c.object).delete(key15(c.id));
        if (!(e instanceof SalesforceFault)) throw e;
        const first = e.errors[0]!;
        return convertFailure(first.errorCode, first.message, first.fields ?? []);
      }
    });
  }

  private convertOne(
    input: LeadConvertInput,
    asUserId: string,
    created: { object: ObjectDef; id: string }[],
  ): LeadConvertResult {
    const lead = input.leadId ? this.findAny(input.leadId) : undefined;
    if (!input.leadId) return convertFailure('REQUIRED_FIELD_MISSING', 'Required field is missing: leadId', ['leadId']);
    if (!lead || lead.object.name !== 'Lead') {
      return convertFailure('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['leadId']);
    }
    const l = this.table(lead.object).get(key15(lead.record.Id))!;
    if (l.IsConverted === true)
      return convertFailure('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
    const status = LEAD_STATUS_VALUES.find((x) => x.name === input.convertedStatus);
    if (!status?.converted) {
      return convertFailure('INVALID_STATUS', `invalid convertedStatus: ${input.convertedStatus ?? ''}`, [
        'convertedStatus',
      ]);
    }
    const reference = (name: 'accountId' | 'contactId' | 'ownerId', type: string) => {
      const id = input[name];
      if (!id) return undefined;
      const found = this.findAny(id);
      return found?.object.name === type ? found.record : null;
    };
    const account = reference('accountId', 'Account');
    if (account === null)
      return convertFailure('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['accountId']);
    const contact = reference('contactId', 'Contact');
    if (contact === null || (contact && (!account || contact.AccountId !== account.Id))) {
      return convertFailure('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['contactId']);
    }
    const owner = reference('ownerId', 'User');
    if (owner === null) return convertFailure('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['ownerId']);
    const ownerId = owner?.Id ?? (l.OwnerId as string);

    const insert = (type: string, fields: Record<string, unknown>): string => {
      const object = this.requireObject(type);
      const id = this.insert(object, withoutEmpty(fields), asUserId, {});
      created.push({ object, id });
      return id;
    };
    const accountId =
      account?.Id ?? insert('Account', { Name: l.Company, BillingCountry: l.Country, OwnerId: ownerId });
    const contactObject = this.requireObject('Contact');
    const contactFields: Record<string, unknown> = {
      FirstName: l.FirstName,
      LastName: l.LastName,
      Email: l.Email,
      Title: l.Title,
      Phone: l.Phone,
      MailingCountry: l.Country,
      LeadSource: l.LeadSource,
    };
    for (const f of lead.object.fields) {
      if (f.name.endsWith('__c') && this.schema.field(contactObject, f.name)) contactFields[f.name] = l[f.name];
    }
    let contactId: string;
    if (contact) {
      // Merged into an existing contact: only its empty fields are filled.
      const empty = Object.fromEntries(
        Object.entries(withoutEmpty(contactFields)).filter(([k]) => contact[k] === undefined || contact[k] === null),
      );
      this.applyUpdate(contactObject, this.table(contactObject).get(key15(contact.Id))!, empty, asUserId);
      contactId = contact.Id;
    } else {
      contactId = insert('Contact', { ...contactFields, AccountId: accountId, OwnerId: ownerId });
    }
    let opportunityId: string | null = null;
    if (input.doNotCreateOpportunity !== 'true') {
      opportunityId = insert('Opportunity', {
        Name: input.opportunityName || l.Company,
        StageName: OPPORTUNITY_STAGES[0]!.name,
        CloseDate: endOfQuarter(this.now()),
        AccountId: accountId,
        OwnerId: ownerId,
        LeadSource: l.LeadSource,
      });
    }
    Object.assign(l, {
      IsConverted: true,
      Status: status.name,
      ConvertedDate: this.now().toISOString().slice(0, 10),
      ConvertedAccountId: accountId,
      ConvertedContactId: contactId,
      ConvertedOpportunityId: opportunityId,
      LastModifiedDate: formatDateTime(this.now()),
      LastModifiedById: asUserId,
    });
    return { accountId, contactId, errors: [], leadId: l.Id, opportunityId, success: true };
  }

  recordUrl(object: ObjectDef, id: string, version: string): string {
    return `/services/data/${version}/sobjects/${object.name}/${id}`;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------------------------------------------

  private notificationErrors(input: CustomNotificationInput): NonNullable<ActionResult['errors']> {
    const errors: { statusCode: string; message: string; fields: string[] }[] = [];
    const missing = (name: string) =>
      errors.push({
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: `Missing required input parameter: ${name}`,
        fields: [name],
      });
    if (typeof input !== 'object' || input === null) {
      return [{ statusCode: 'JSON_PARSER_ERROR', message: 'Each input must be an object', fields: [] }];
    }
    if (typeof input.customNotifTypeId !== 'string' || input.customNotifTypeId === '') missing('customNotifTypeId');
    else if (this.findAny(input.customNotifTypeId)?.object.name !== 'CustomNotificationType') {
      errors.push({
        statusCode: 'INVALID_CROSS_REFERENCE_KEY',
        message: `Invalid parameter value for: customNotifTypeId (${input.customNotifTypeId})`,
        fields: ['customNotifTypeId'],
      });
    }
    if (!Array.isArray(input.recipientIds) || input.recipientIds.length === 0) missing('recipientIds');
    else if (input.recipientIds.length > 500) {
      errors.push({
        statusCode: 'LIMIT_EXCEEDED',
        message: 'Too many recipients: the maximum is 500',
        fields: ['recipientIds'],
      });
    } else {
      for (const id of input.recipientIds) {
        const found = typeof id === 'string' ? this.findAny(id) : undefined;
        if (!found || !['User', 'Group', 'Account', 'Opportunity'].includes(found.object.name)) {
          errors.push({
            statusCode: 'INVALID_CROSS_REFERENCE_KEY',
            message: `Invalid parameter value for: recipientIds (${String(id)})`,
            fields: ['recipientIds'],
          });
        }
      }
    }
    for (const [name, max] of [
      ['title', 250],
      ['body', 750],
    ] as const) {
      const v = input[name];
      if (typeof v !== 'string' || v.trim() === '') missing(name);
      else if (v.length > max) {
        errors.push({
          statusCode: 'STRING_TOO_LONG',
          message: `The ${name} is too long: the maximum is ${max} characters`,
          fields: [name],
        });
      }
    }
    if (input.targetId === undefined && input.targetPageRef === undefined) {
      errors.push({
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: 'You must specify either a targetId or a targetPageRef',
        fields: ['targetId'],
      });
    } else if (input.targetId !== undefined && (typeof input.targetId !== 'string' || !this.findAny(input.targetId))) {
      errors.push({
        statusCode: 'INVALID_CROSS_REFERENCE_KEY',
        message: `Invalid parameter value for: targetId (${String(input.targetId)})`,
        fields: ['targetId'],
      });
    }
    return errors;
  }

  private table(object: ObjectDef): Map<string, OrgRecord> {
    let t = this.tables.get(object.name);
    if (!t) {
      t = new Map();
      this.tables.set(object.name, t);
    }
    return t;
  }

  private requireObject(type: string): ObjectDef {
    const object = this.schema.object(type);
    if (!object) throw notFound();
    return object;
  }

  private requireWritableObject(type: string): ObjectDef {
    const object = this.requireObject(type);
    if (object.readOnly) {
      throw fault(400, 'INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object ${object.name}`);
    }
    return object;
  }

  private requireBody(body: unknown): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw fault(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values');
    }
    return body as Record<string, unknown>;
  }

  private requireRecord(object: ObjectDef, id: string): OrgRecord {
    if (!isSalesforceId(id) || id.slice(0, 3) !== object.keyPrefix) {
      throw fault(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${id}`);
    }
    const record = this.table(object).get(key15(id));
    if (!record) throw notFound();
    if (record.IsDeleted) throw fault(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    return record;
  }

  private findAny(id: string): { object: ObjectDef; record: OrgRecord } | undefined {
    if (!isSalesforceId(id)) return undefined;
    const object = this.schema.objectForId(id);
    if (!object) return undefined;
    const record = this.table(object).get(key15(id));
    return record && !record.IsDeleted ? { object, record } : undefined;
  }

  private selectFields(object: ObjectDef, fieldList?: string): FieldDef[] {
    if (!fieldList) return object.fields;
    return fieldList.split(',').map((name) => {
      const f = this.schema.field(object, name.trim());
      if (!f) throw fault(400, 'INVALID_FIELD', `No such column '${name.trim()}' on entity '${object.name}'.`);
      return f;
    });
  }

  private view(object: ObjectDef, record: OrgRecord, fields: FieldDef[], version: string): RecordView {
    const out: RecordView = { attributes: { type: object.name, url: this.recordUrl(object, record.Id, version) } };
    for (const f of fields) out[f.name] = record[f.name] ?? null;
    return out;
  }

  private insert(
    object: ObjectDef,
    body: Record<string, unknown>,
    asUserId: string | undefined,
    opts: { seeding?: boolean; id?: string },
  ): string {
    const values = this.validateWrite(object, body, opts.seeding === true);
    const record: OrgRecord = { Id: opts.id ?? this.ids.newId(object.keyPrefix) };
    for (const f of object.fields) {
      if (f.defaultValue !== undefined) record[f.name] = f.defaultValue;
    }
    Object.assign(record, values);
    if (this.schema.field(object, 'OwnerId') && !record.OwnerId && asUserId) record.OwnerId = asUserId;
    this.checkRequired(object, record);
    this.checkUnique(object, record);
    const now = formatDateTime(this.now());
    Object.assign(record, {
      IsDeleted: false,
      CreatedDate: now,
      LastModifiedDate: now,
      CreatedById: asUserId ?? null,
      LastModifiedById: asUserId ?? null,
    });
    this.derive(object, record);
    this.table(object).set(key15(record.Id), record);
    return record.Id;
  }

  private applyUpdate(object: ObjectDef, existing: OrgRecord, body: Record<string, unknown>, asUserId: string): void {
    // A converted Lead is frozen: the platform refuses every update (and upsert) of it.
    if (object.name === 'Lead' && existing.IsConverted === true) {
      throw fault(400, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []);
    }
    const values = this.validateWrite(object, body, false);
    const next: OrgRecord = { ...existing, ...values };
    this.checkRequired(object, next);
    this.checkUnique(object, next);
    next.LastModifiedDate = formatDateTime(this.now());
    next.LastModifiedById = asUserId;
    this.derive(object, next);
    Object.assign(existing, next);
  }

  /** Field-level validation; collects every problem, as the platform does, then throws them together. */
  private validateWrite(object: ObjectDef, body: Record<string, unknown>, seeding: boolean): Record<string, unknown> {
    const errors: SalesforceErrorBody[] = [];
    const readOnly: string[] = [];
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'attributes') continue;
      const field = this.schema.field(object, key);
      if (!field) {
        throw fault(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`, []);
      }
      if (field.readOnly && !(seeding && field.name !== 'Id')) {
        readOnly.push(field.name);
        continue;
      }
      const problem = this.fieldValue(object, field, raw);
      if ('error' in problem) errors.push(problem.error);
      else values[field.name] = problem.value;
    }
    if (readOnly.length > 0) {
      throw fault(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      );
    }
    if (errors.length > 0) throw new SalesforceFault(400, errors);
    return values;
  }

  private fieldValue(object: ObjectDef, field: FieldDef, raw: unknown): FieldCheck {
    const parseError = (kind: string) =>
      fieldError(
        field,
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of ${kind} from ${typeof raw === 'string' ? 'VALUE_STRING' : 'VALUE'} value ${String(raw)} or request may be missing a required field`,
        [],
      );
    if (raw === null || raw === undefined || raw === '') {
      return field.type === 'boolean' ? parseError('boolean') : { value: null };
    }
    switch (field.type) {
      case 'boolean':
        return typeof raw === 'boolean' ? { value: raw } : parseError('boolean');
      case 'int':
        return typeof raw === 'number' && Number.isInteger(raw) ? { value: raw } : parseError('int');
      case 'date':
        return typeof raw === 'string' && DATE.test(raw) && !Number.isNaN(Date.parse(raw))
          ? { value: raw }
          : parseError('date');
      case 'datetime': {
        if (typeof raw !== 'string' || Number.isNaN(Date.parse(raw))) return parseError('datetime');
        return { value: formatDateTime(new Date(raw)) };
      }
      case 'id':
      case 'reference':
        return this.referenceValue(object, field, raw);
      default: {
        if (typeof raw === 'object') return parseError('string');
        const value = String(raw);
        if (field.length !== undefined && value.length > field.length) {
          return fieldError(
            field,
            'STRING_TOO_LONG',
            `${field.label}: data value too large: ${value} (max length=${field.length})`,
          );
        }
        if (field.type === 'email' && !EMAIL.test(value)) {
          return fieldError(field, 'INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`);
        }
        if (field.picklist?.restricted && !field.picklist.values.includes(value)) {
          return fieldError(
            field,
            'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            `${field.label}: bad value for restricted picklist field: ${value}`,
          );
        }
        return { value };
      }
    }
  }

  private referenceValue(object: ObjectDef, field: FieldDef, raw: unknown): FieldCheck {
    if (typeof raw !== 'string' || !isSalesforceId(raw)) {
      return fieldError(field, 'MALFORMED_ID', `${field.label}: id value of incorrect type: ${String(raw)}`);
    }
    const target = this.schema.objectForId(raw);
    if (!target || !(field.referenceTo ?? []).includes(target.name)) {
      return fieldError(field, 'FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${raw}`);
    }
    const found = this.table(target).get(key15(raw));
    if (!found || found.IsDeleted) {
      return fieldError(field, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`);
    }
    if (field.name === 'OwnerId' && target.name === 'User' && found.IsActive !== true) {
      return fieldError(
        field,
        'INACTIVE_OWNER_OR_USER',
        `operation performed with inactive user [${found.Id}] as owner of ${object.name.toLowerCase()}`,
        [],
      );
    }
    return { value: found.Id };
  }

  private checkRequired(object: ObjectDef, record: OrgRecord): void {
    const missing = object.fields
      .filter((f) => f.required && !f.readOnly)
      .filter((f) => record[f.name] === undefined || record[f.name] === null || record[f.name] === '')
      .map((f) => f.name);
    if (missing.length > 0) {
      throw fault(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    }
  }

  private checkUnique(object: ObjectDef, record: OrgRecord): void {
    for (const f of object.fields.filter((x) => x.unique)) {
      const v = record[f.name];
      if (typeof v !== 'string') continue;
      const other = [...this.table(object).values()].find(
        (r) =>
          !r.IsDeleted &&
          r.Id !== record.Id &&
          typeof r[f.name] === 'string' &&
          (r[f.name] as string).toLowerCase() === v.toLowerCase(),
      );
      if (other) {
        throw fault(
          400,
          'DUPLICATE_VALUE',
          `duplicate value found: ${f.name} duplicates value on record with id: ${other.Id}`,
          [],
        );
      }
    }
  }

  /** Formula and roll-up style fields the platform computes. */
  private derive(object: ObjectDef, record: OrgRecord): void {
    if (this.schema.field(object, 'Name')?.readOnly) {
      record.Name = [record.FirstName, record.LastName].filter(Boolean).join(' ');
    }
    if (object.name === 'Opportunity') {
      const stage = OPPORTUNITY_STAGES.find((s) => s.name === record.StageName);
      record.IsClosed = stage?.closed ?? false;
      record.IsWon = stage?.won ?? false;
    }
    if (object.name === 'Task') {
      record.IsClosed = TASK_STATUSES.find((s) => s.name === record.Status)?.closed ?? false;
    }
  }
}

function convertFailure(statusCode: string, message: string, fields: string[] = []): LeadConvertResult {
  return {
    accountId: null,
    contactId: null,
    errors: [{ fields, message, statusCode }],
    leadId: null,
    opportunityId: null,
    success: false,
  };
}

function withoutEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

/** The last day of the calendar quarter (UTC): the close date the platform gives an opportunity made by conversion. */
function endOfQuarter(now: Date): string {
  const quarterEndMonth = Math.floor(now.getUTCMonth() / 3) * 3 + 3;
  return new Date(Date.UTC(now.getUTCFullYear(), quarterEndMonth, 0)).toISOString().slice(0, 10);
}
