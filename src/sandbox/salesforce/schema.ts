/**
 * The slice of a Salesforce org's schema the emulator serves: the standard objects the handoff touches, with the
 * custom fields the connected app's setup adds (see src/activities/salesforce/README.md). Field names are the API
 * names; SOQL and the REST API match them case-insensitively, and answers use these spellings.
 */

export type FieldType =
  | 'id'
  | 'reference'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'int'
  | 'date'
  | 'datetime';

export interface FieldDef {
  name: string;
  /** The label Salesforce puts in front of field errors ("Owner ID: …"). */
  label: string;
  type: FieldType;
  /** Needed on create (REQUIRED_FIELD_MISSING). */
  required?: boolean;
  /** System or formula field: not createable or updateable. */
  readOnly?: boolean;
  externalId?: boolean;
  unique?: boolean;
  length?: number;
  /** Objects a reference field may point at. */
  referenceTo?: string[];
  picklist?: { values: string[]; restricted: boolean };
  defaultValue?: unknown;
}

export interface ObjectDef {
  name: string;
  keyPrefix: string;
  /** Read-only through the API in this emulator (users, queues, notification types are seeded). */
  readOnly?: boolean;
  fields: FieldDef[];
}

const systemFields: FieldDef[] = [
  { name: 'Id', label: 'Record ID', type: 'id', readOnly: true },
  { name: 'IsDeleted', label: 'Deleted', type: 'boolean', readOnly: true },
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime', readOnly: true },
  { name: 'CreatedById', label: 'Created By ID', type: 'reference', readOnly: true, referenceTo: ['User'] },
  { name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', readOnly: true },
  { name: 'LastModifiedById', label: 'Last Modified By ID', type: 'reference', readOnly: true, referenceTo: ['User'] },
];

const str = (name: string, label: string, length: number, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  label,
  type: 'string',
  length,
  ...extra,
});

/** First, last and full name, as User, Lead and Contact have them (the platform derives Name). */
const personNameFields: FieldDef[] = [
  str('FirstName', 'First Name', 40),
  str('LastName', 'Last Name', 80, { required: true }),
  str('Name', 'Full Name', 121, { readOnly: true }),
];

const description = (label = 'Description'): FieldDef => ({
  name: 'Description',
  label,
  type: 'textarea',
  length: 32000,
});

/** The custom field holding the HubSpot contact id on Lead and Contact (External ID, Unique). */
export const HUBSPOT_ID_FIELD = 'HubSpot_Contact_Id__c';
/** The custom field holding the handoff's idempotency key on Opportunity (External ID, Unique) and Task (plain text). */
export const HANDOFF_KEY_FIELD = 'Handoff_Key__c';

export const OPPORTUNITY_STAGES: { name: string; closed: boolean; won: boolean }[] = [
  { name: 'Prospecting', closed: false, won: false },
  { name: 'Qualification', closed: false, won: false },
  { name: 'Needs Analysis', closed: false, won: false },
  { name: 'Value Proposition', closed: false, won: false },
  { name: 'Id. Decision Makers', closed: false, won: false },
  { name: 'Perception Analysis', closed: false, won: false },
  { name: 'Proposal/Price Quote', closed: false, won: false },
  { name: 'Negotiation/Review', closed: false, won: false },
  { name: 'Closed Won', closed: true, won: true },
  { name: 'Closed Lost', closed: true, won: false },
];

export const TASK_STATUSES: { name: string; closed: boolean }[] = [
  { name: 'Not Started', closed: false },
  { name: 'In Progress', closed: false },
  { name: 'Completed', closed: true },
  { name: 'Waiting on someone else', closed: false },
  { name: 'Deferred', closed: false },
];

/** The standard Lead Status picklist (LeadStatus records); `converted` is LeadStatus.IsConverted. */
export const LEAD_STATUS_VALUES: { name: string; converted: boolean }[] = [
  { name: 'Open - Not Contacted', converted: false },
  { name: 'Working - Contacted', converted: false },
  { name: 'Closed - Converted', converted: true },
  { name: 'Closed - Not Converted', converted: false },
];
export const LEAD_STATUSES = LEAD_STATUS_VALUES.map((s) => s.name);

/**
 * The custom fields the handoff's setup guide has the admin add (src/activities/salesforce/README.md, "What the org
 * needs"), typed here from that guide as an admin would: the rejection-reason picklist and SQL date on Lead and
 * Contact, the loss-reason picklist on Opportunity. The picklists hold the handoff's reason ids as API names and
 * are restricted (the default for new custom picklists), so any other value is refused.
 */
export const REJECTION_REASON_FIELD = 'Handoff_Rejection_Reason__c';
export const SQL_DATE_FIELD = 'SQL_Date__c';
export const LOSS_REASON_FIELD = 'Loss_Reason__c';
export const REASON_PICKLIST_VALUES = [
  'wrong_company_size',
  'wrong_title',
  'no_budget_signal',
  'bad_data_quality',
  'timing_not_right',
];

const handoffOutcomeFields: FieldDef[] = [
  {
    name: REJECTION_REASON_FIELD,
    label: 'Handoff Rejection Reason',
    type: 'picklist',
    picklist: { values: REASON_PICKLIST_VALUES, restricted: true },
  },
  { name: SQL_DATE_FIELD, label: 'SQL Date', type: 'datetime' },
];

const leadSourceField: FieldDef = {
  name: 'LeadSource',
  label: 'Lead Source',
  type: 'picklist',
  picklist: { values: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'], restricted: false },
};

export const OBJECTS: ObjectDef[] = [
  {
    name: 'User',
    keyPrefix: '005',
    readOnly: true,
    fields: [
      ...systemFields,
      str('Username', 'Username', 80, { required: true }),
      ...personNameFields,
      { name: 'Email', label: 'Email', type: 'email', required: true },
      { name: 'IsActive', label: 'Active', type: 'boolean', defaultValue: true },
    ],
  },
  {
    name: 'Group',
    keyPrefix: '00G',
    readOnly: true,
    fields: [
      ...systemFields,
      str('Name', 'Name', 40, { required: true }),
      str('DeveloperName', 'Developer Name', 80),
      { name: 'Type', label: 'Type', type: 'picklist', picklist: { values: ['Queue', 'Regular'], restricted: true } },
    ],
  },
  {
    name: 'CustomNotificationType',
    keyPrefix: '0ML',
    readOnly: true,
    fields: [
      ...systemFields,
      str('DeveloperName', 'Custom Notification Type Name', 80, { required: true }),
      str('CustomNotifTypeName', 'Custom Notification Type Name', 80, { required: true }),
      { name: 'Mobile', label: 'Mobile', type: 'boolean', defaultValue: true },
      { name: 'Desktop', label: 'Desktop', type: 'boolean', defaultValue: true },
    ],
  },
  {
    name: 'Account',
    keyPrefix: '001',
    fields: [
      ...systemFields,
      str('Name', 'Account Name', 255, { required: true }),
      { name: 'Website', label: 'Website', type: 'url', length: 255 },
      str('Industry', 'Industry', 255),
      { name: 'NumberOfEmployees', label: 'Employees', type: 'int' },
      str('BillingCountry', 'Billing Country', 80),
      { name: 'OwnerId', label: 'Owner ID', type: 'reference', referenceTo: ['User'] },
    ],
  },
  {
    name: 'Lead',
    keyPrefix: '00Q',
    fields: [
      ...systemFields,
      ...personNameFields,
      str('Company', 'Company', 255, { required: true }),
      { name: 'Email', label: 'Email', type: 'email' },
      str('Title', 'Title', 128),
      { name: 'Phone', label: 'Phone', type: 'phone', length: 40 },
      str('Country', 'Country', 80),
      leadSourceField,
      {
        name: 'Status',
        label: 'Status',
        type: 'picklist',
        required: true,
        picklist: { values: LEAD_STATUSES, restricted: true },
        defaultValue: 'Open - Not Contacted',
      },
      { name: 'OwnerId', label: 'Owner ID', type: 'reference', referenceTo: ['User', 'Group'] },
      { name: 'IsConverted', label: 'Converted', type: 'boolean', readOnly: true, defaultValue: false },
      { name: 'ConvertedDate', label: 'Converted Date', type: 'date', readOnly: true },
      {
        name: 'ConvertedAccountId',
        label: 'Converted Account ID',
        type: 'reference',
        readOnly: true,
        referenceTo: ['Account'],
      },
      {
        name: 'ConvertedContactId',
        label: 'Converted Contact ID',
        type: 'reference',
        readOnly: true,
        referenceTo: ['Contact'],
      },
      {
        name: 'ConvertedOpportunityId',
        label: 'Converted Opportunity ID',
        type: 'reference',
        readOnly: true,
        referenceTo: ['Opportunity'],
      },
      description(),
      str(HUBSPOT_ID_FIELD, 'HubSpot Contact ID', 64, { externalId: true, unique: true }),
      ...handoffOutcomeFields,
    ],
  },
  {
    name: 'Contact',
    keyPrefix: '003',
    fields: [
      ...systemFields,
      ...personNameFields,
      { name: 'Email', label: 'Email', type: 'email' },
      str('Title', 'Title', 128),
      { name: 'Phone', label: 'Business Phone', type: 'phone', length: 40 },
      str('MailingCountry', 'Mailing Country', 80),
      leadSourceField,
      { name: 'AccountId', label: 'Account ID', type: 'reference', referenceTo: ['Account'] },
      { name: 'OwnerId', label: 'Owner ID', type: 'reference', referenceTo: ['User'] },
      description(),
      // External ID without Unique here, as in orgs whose duplicate contacts share a HubSpot id: upsert answers 300.
      str(HUBSPOT_ID_FIELD, 'HubSpot Contact ID', 64, { externalId: true }),
      ...handoffOutcomeFields,
    ],
  },
  {
    name: 'Opportunity',
    keyPrefix: '006',
    fields: [
      ...systemFields,
      str('Name', 'Name', 120, { required: true }),
      {
        name: 'StageName',
        label: 'Stage',
        type: 'picklist',
        required: true,
        picklist: { values: OPPORTUNITY_STAGES.map((s) => s.name), restricted: true },
      },
      { name: 'CloseDate', label: 'Close Date', type: 'date', required: true },
      { name: 'AccountId', label: 'Account ID', type: 'reference', referenceTo: ['Account'] },
      { name: 'OwnerId', label: 'Owner ID', type: 'reference', referenceTo: ['User'] },
      leadSourceField,
      description(),
      { name: 'IsClosed', label: 'Closed', type: 'boolean', readOnly: true },
      { name: 'IsWon', label: 'Won', type: 'boolean', readOnly: true },
      str(HANDOFF_KEY_FIELD, 'Handoff Key', 255, { externalId: true, unique: true }),
      {
        name: LOSS_REASON_FIELD,
        label: 'Loss Reason',
        type: 'picklist',
        picklist: { values: REASON_PICKLIST_VALUES, restricted: true },
      },
    ],
  },
  {
    name: 'Task',
    keyPrefix: '00T',
    fields: [
      ...systemFields,
      str('Subject', 'Subject', 255),
      description('Comments'),
      { name: 'OwnerId', label: 'Assigned To ID', type: 'reference', referenceTo: ['User'] },
      { name: 'WhoId', label: 'Name ID', type: 'reference', referenceTo: ['Lead', 'Contact'] },
      { name: 'WhatId', label: 'Related To ID', type: 'reference', referenceTo: ['Account', 'Opportunity'] },
      { name: 'ActivityDate', label: 'Due Date Only', type: 'date' },
      {
        name: 'Status',
        label: 'Status',
        type: 'picklist',
        required: true,
        picklist: { values: TASK_STATUSES.map((s) => s.name), restricted: true },
        defaultValue: 'Not Started',
      },
      {
        name: 'Priority',
        label: 'Priority',
        type: 'picklist',
        required: true,
        picklist: { values: ['High', 'Normal', 'Low'], restricted: true },
        defaultValue: 'Normal',
      },
      { name: 'IsReminderSet', label: 'Reminder Set', type: 'boolean', defaultValue: false },
      { name: 'ReminderDateTime', label: 'Reminder Date/Time', type: 'datetime' },
      { name: 'IsClosed', label: 'Closed', type: 'boolean', readOnly: true },
      // Task custom fields cannot be External IDs: the handoff looks the key up with SOQL before creating.
      str(HANDOFF_KEY_FIELD, 'Handoff Key', 255),
    ],
  },
];

export class OrgSchema {
  private readonly byName = new Map<string, ObjectDef>();
  private readonly byPrefix = new Map<string, ObjectDef>();

  constructor(objects: ObjectDef[] = OBJECTS) {
    for (const o of objects) {
      this.byName.set(o.name.toLowerCase(), o);
      this.byPrefix.set(o.keyPrefix, o);
    }
  }

  object(name: string): ObjectDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  objectForId(id: string): ObjectDef | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  field(object: ObjectDef, name: string): FieldDef | undefined {
    const lower = name.toLowerCase();
    return object.fields.find((f) => f.name.toLowerCase() === lower);
  }
}
