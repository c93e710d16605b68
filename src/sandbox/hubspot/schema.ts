/**
 * What every HubSpot portal has before anyone configures it: the object types the handoff touches, their
 * HubSpot-defined properties (a faithful subset), the HUBSPOT_DEFINED association types and the default deal
 * pipeline.
 */
import { LIFECYCLE_STAGES } from '../../domain/lead';
import { badRequest } from './errors';

export const OBJECT_TYPES = ['contacts', 'companies', 'deals', 'tasks', 'notes'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export const OBJECT_TYPE_IDS: Record<ObjectType, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  tasks: '0-27',
  notes: '0-46',
};

/** "contact", "company"…: how HubSpot names one record of a type in messages and group names. */
export const SINGULAR: Record<ObjectType, string> = {
  contacts: 'contact',
  companies: 'company',
  deals: 'deal',
  tasks: 'task',
  notes: 'note',
};

const ALIASES: Record<string, ObjectType> = Object.fromEntries(OBJECT_TYPES.map((t) => [SINGULAR[t], t]));

/** "contacts", "contact", "CONTACT" or "0-1" → "contacts"; anything else is HubSpot's 400. */
export function resolveObjectType(raw: string): ObjectType {
  const lower = raw.toLowerCase();
  if ((OBJECT_TYPES as readonly string[]).includes(lower)) return lower as ObjectType;
  if (ALIASES[lower]) return ALIASES[lower];
  const byId = OBJECT_TYPES.find((t) => OBJECT_TYPE_IDS[t] === raw);
  if (byId) return byId;
  throw badRequest(`Unable to infer object type from: ${raw}`);
}

export type PropertyType = 'string' | 'number' | 'datetime' | 'date' | 'enumeration' | 'bool';

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
}

/** A property definition in the shape `GET /crm/v3/properties/{objectType}` returns. */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  description: string;
  groupName: string;
  options: PropertyOption[];
  displayOrder: number;
  calculated: boolean;
  externalOptions: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  hubspotDefined: boolean;
  formField: boolean;
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

/** Lifecycle stages in HubSpot's order; "other" sorts last. */
export const LIFECYCLE_ORDER = [...LIFECYCLE_STAGES, 'other'] as const;

const LIFECYCLE_LABELS: Record<string, string> = {
  subscriber: 'Subscriber',
  lead: 'Lead',
  marketingqualifiedlead: 'Marketing Qualified Lead',
  salesqualifiedlead: 'Sales Qualified Lead',
  opportunity: 'Opportunity',
  customer: 'Customer',
  evangelist: 'Evangelist',
  other: 'Other',
};

/** A subset of HubSpot's company industry picklist (internal value → label). */
export const INDUSTRY_OPTIONS: Record<string, string> = {
  COMPUTER_SOFTWARE: 'Computer Software',
  INFORMATION_TECHNOLOGY_AND_SERVICES: 'Information Technology and Services',
  RETAIL: 'Retail',
  HOSPITAL_HEALTH_CARE: 'Hospital & Health Care',
  PHARMACEUTICALS: 'Pharmaceuticals',
  MACHINERY: 'Machinery',
  FINANCIAL_SERVICES: 'Financial Services',
  HIGHER_EDUCATION: 'Higher Education',
  EDUCATION_MANAGEMENT: 'Education Management',
  MARKETING_AND_ADVERTISING: 'Marketing and Advertising',
};

interface Spec {
  name: string;
  type?: PropertyType;
  label?: string;
  fieldType?: string;
  options?: string[] | Record<string, string>;
  readOnly?: boolean;
  /** Options come from elsewhere (owners, pipelines) and are validated by the store. */
  external?: boolean;
}

const s = (name: string, extra: Omit<Spec, 'name'> = {}): Spec => ({ name, ...extra });
const readOnly = (name: string, type: PropertyType = 'string'): Spec => ({ name, type, readOnly: true });
const owner = s('hubspot_owner_id', { type: 'enumeration', label: 'Contact owner', external: true });

const BUILT_IN: Record<ObjectType, Spec[]> = {
  contacts: [
    s('email'),
    s('firstname'),
    s('lastname'),
    s('jobtitle'),
    s('phone'),
    s('mobilephone'),
    s('company'),
    s('country'),
    s('state'),
    s('city'),
    s('lifecyclestage', { type: 'enumeration', options: LIFECYCLE_LABELS }),
    s('hs_lead_status', {
      type: 'enumeration',
      options: [
        'NEW',
        'OPEN',
        'IN_PROGRESS',
        'OPEN_DEAL',
        'UNQUALIFIED',
        'ATTEMPTED_TO_CONTACT',
        'CONNECTED',
        'BAD_TIMING',
      ],
    }),
    owner,
    readOnly('hubspot_owner_assigneddate', 'datetime'),
    {
      ...readOnly('hs_analytics_source'),
      type: 'enumeration',
      options: [
        'ORGANIC_SEARCH',
        'PAID_SEARCH',
        'EMAIL_MARKETING',
        'SOCIAL_MEDIA',
        'REFERRALS',
        'OTHER_CAMPAIGNS',
        'DIRECT_TRAFFIC',
        'OFFLINE',
        'PAID_SOCIAL',
      ],
    },
    readOnly('hs_analytics_source_data_1'),
    readOnly('hs_email_last_open_date', 'datetime'),
    readOnly('hs_email_last_click_date', 'datetime'),
    readOnly('hs_email_last_send_date', 'datetime'),
    readOnly('hs_email_last_email_name'),
    readOnly('recent_conversion_event_name'),
    readOnly('recent_conversion_date', 'datetime'),
    readOnly('createdate', 'datetime'),
    readOnly('lastmodifieddate', 'datetime'),
    readOnly('hs_object_id', 'number'),
    ...LIFECYCLE_ORDER.map((stage) => readOnly(`hs_lifecyclestage_${stage}_date`, 'datetime')),
  ],
  companies: [
    s('name'),
    s('domain'),
    s('numberofemployees', { type: 'number' }),
    s('industry', { type: 'enumeration', options: INDUSTRY_OPTIONS }),
    s('country'),
    s('state'),
    s('city'),
    { ...owner, label: 'Company owner' },
    readOnly('createdate', 'datetime'),
    readOnly('hs_lastmodifieddate', 'datetime'),
    readOnly('hs_object_id', 'number'),
  ],
  deals: [
    s('dealname'),
    s('pipeline', { type: 'enumeration', external: true }),
    s('dealstage', { type: 'enumeration', external: true }),
    s('amount', { type: 'number' }),
    s('closedate', { type: 'datetime' }),
    s('dealtype', { type: 'enumeration', options: ['newbusiness', 'existingbusiness'] }),
    s('closed_lost_reason', { label: 'Closed lost reason', fieldType: 'textarea' }),
    s('closed_won_reason', { label: 'Closed won reason', fieldType: 'textarea' }),
    { ...owner, label: 'Deal owner' },
    readOnly('hs_is_closed', 'bool'),
    readOnly('hs_is_closed_won', 'bool'),
    readOnly('createdate', 'datetime'),
    readOnly('hs_lastmodifieddate', 'datetime'),
    readOnly('hs_object_id', 'number'),
  ],
  tasks: [
    s('hs_task_subject'),
    s('hs_task_body'),
    s('hs_timestamp', { type: 'datetime' }),
    s('hs_task_status', {
      type: 'enumeration',
      options: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'],
    }),
    s('hs_task_priority', { type: 'enumeration', options: ['NONE', 'LOW', 'MEDIUM', 'HIGH'] }),
    s('hs_task_type', { type: 'enumeration', options: ['TODO', 'CALL', 'EMAIL', 'LINKED_IN', 'MEETING'] }),
    { ...owner, label: 'Assigned to' },
    readOnly('hs_task_completion_date', 'datetime'),
    readOnly('hs_createdate', 'datetime'),
    readOnly('hs_lastmodifieddate', 'datetime'),
    readOnly('hs_object_id', 'number'),
  ],
  notes: [
    s('hs_note_body'),
    s('hs_timestamp', { type: 'datetime' }),
    { ...owner, label: 'Created by' },
    readOnly('hs_createdate', 'datetime'),
    readOnly('hs_lastmodifieddate', 'datetime'),
    readOnly('hs_object_id', 'number'),
  ],
};

const FIELD_TYPES: Record<PropertyType, string> = {
  string: 'text',
  number: 'number',
  datetime: 'date',
  date: 'date',
  enumeration: 'select',
  bool: 'booleancheckbox',
};

function label(name: string): string {
  return name.replace(/^hs_/, '').replace(/_/g, ' ');
}

/** The property group HubSpot files an object type's own properties under: contactinformation, dealinformation… */
function builtInGroupName(type: ObjectType): string {
  return `${SINGULAR[type]}information`;
}

/** HubSpot-defined properties of each object type, fresh copies for one portal. */
export function builtInProperties(type: ObjectType, at: string): PropertyDefinition[] {
  const groupName = builtInGroupName(type);
  return BUILT_IN[type].map((spec, displayOrder) => {
    const propertyType = spec.type ?? 'string';
    const options = Array.isArray(spec.options)
      ? spec.options.map((value, i) => ({ label: value, value, displayOrder: i, hidden: false }))
      : Object.entries(spec.options ?? {}).map(([value, optionLabel], i) => ({
          label: optionLabel,
          value,
          displayOrder: i,
          hidden: false,
        }));
    return {
      name: spec.name,
      label: spec.label ?? label(spec.name),
      type: propertyType,
      fieldType: spec.fieldType ?? FIELD_TYPES[propertyType],
      description: '',
      groupName,
      options,
      displayOrder,
      calculated: Boolean(spec.readOnly),
      externalOptions: Boolean(spec.external),
      hasUniqueValue: false,
      hidden: false,
      hubspotDefined: true,
      formField: !spec.readOnly,
      modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: Boolean(spec.readOnly) },
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
  });
}

export function builtInGroups(type: ObjectType): PropertyGroup[] {
  return [{ name: builtInGroupName(type), label: `${SINGULAR[type]} information`, displayOrder: 0, archived: false }];
}

/** One direction of a HUBSPOT_DEFINED association type. */
export interface AssociationType {
  from: ObjectType;
  to: ObjectType;
  typeId: number;
  inverseTypeId: number;
  label: string | null;
  /** The unlabeled type `PUT …/associations/default/…` creates. */
  isDefault: boolean;
}

const PAIRS: [ObjectType, ObjectType, number, number, string | null][] = [
  ['contacts', 'companies', 279, 280, null],
  ['contacts', 'companies', 1, 2, 'Primary'],
  ['deals', 'contacts', 3, 4, null],
  ['deals', 'companies', 341, 342, null],
  ['deals', 'companies', 5, 6, 'Primary'],
  ['tasks', 'contacts', 204, 203, null],
  ['tasks', 'companies', 192, 191, null],
  ['tasks', 'deals', 216, 215, null],
  ['notes', 'contacts', 202, 201, null],
  ['notes', 'companies', 190, 189, null],
  ['notes', 'deals', 214, 213, null],
];

export const ASSOCIATION_TYPES: AssociationType[] = PAIRS.flatMap(([from, to, typeId, inverseTypeId, typeLabel]) => [
  { from, to, typeId, inverseTypeId, label: typeLabel, isDefault: typeLabel === null },
  { from: to, to: from, typeId: inverseTypeId, inverseTypeId: typeId, label: typeLabel, isDefault: typeLabel === null },
]);

/** The label of a HUBSPOT_DEFINED association type id ("Primary"), null for an unlabeled or unknown one. */
export function associationLabel(typeId: number): string | null {
  return ASSOCIATION_TYPES.find((t) => t.typeId === typeId)?.label ?? null;
}

export interface PipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: { isClosed: 'true' | 'false'; probability: string };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: PipelineStage[];
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** The "Sales Pipeline" every portal starts with. */
export function defaultDealPipeline(at: string): Pipeline {
  const stages: [string, string, number, boolean][] = [
    ['appointmentscheduled', 'Appointment Scheduled', 0.2, false],
    ['qualifiedtobuy', 'Qualified To Buy', 0.4, false],
    ['presentationscheduled', 'Presentation Scheduled', 0.6, false],
    ['decisionmakerboughtin', 'Decision Maker Bought-In', 0.8, false],
    ['contractsent', 'Contract Sent', 0.9, false],
    ['closedwon', 'Closed Won', 1, true],
    ['closedlost', 'Closed Lost', 0, true],
  ];
  return {
    id: 'default',
    label: 'Sales Pipeline',
    displayOrder: 0,
    createdAt: at,
    updatedAt: at,
    archived: false,
    stages: stages.map(([id, stageLabel, probability, closed], displayOrder) => ({
      id,
      label: stageLabel,
      displayOrder,
      metadata: { isClosed: closed ? 'true' : 'false', probability: String(probability) },
      createdAt: at,
      updatedAt: at,
      archived: false,
    })),
  };
}
