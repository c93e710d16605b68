/**
 * The HubSpot properties this product owns: one list, used by `ensureCustomProperties` (npm run setup:hubspot), by the
 * adapter (names it reads and writes) and by the sandbox emulator (seeded so the demo org looks set up).
 */
import { REJECTION_REASONS } from '../../domain/vocabulary';

/** Property group every product property lives in, on each object type. */
export const PROPERTY_GROUP = { name: 'mql_handoff', label: 'MQL handoff' } as const;

/** Contact properties the adapter reads or writes. */
export const CONTACT_PROPERTY = {
  fitScore: 'mql_fit_score',
  engagementScore: 'mql_engagement_score',
  mqlDate: 'mql_handoff_mql_date',
  sqlDate: 'mql_handoff_sql_date',
  rejectedReason: 'mql_handoff_rejected_reason',
  workflowId: 'mql_handoff_workflow_id',
  disqualification: 'mql_handoff_disqualification',
} as const;

/** Unique idempotency key on deals (batch upsert idProperty) and on tasks (looked up through the contact). */
export const HANDOFF_KEY_PROPERTY = 'mql_handoff_key';

export type CustomPropertyObjectType = 'contacts' | 'deals' | 'tasks';

/** The body of `POST /crm/v3/properties/{objectType}` for one property. */
export interface CustomPropertyDefinition {
  name: string;
  label: string;
  description: string;
  type: 'string' | 'number' | 'datetime' | 'enumeration';
  fieldType: 'text' | 'textarea' | 'number' | 'date' | 'select';
  groupName: string;
  options?: { label: string; value: string; displayOrder: number }[];
  hasUniqueValue?: boolean;
  formField?: boolean;
}

/** "wrong_company_size" → "Wrong company size", the label used when the org configuration gives none. */
export function defaultReasonLabel(reason: string): string {
  const words = reason.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Every product property, by object type. `reasonLabels` overrides the labels of the rejection-reason picklist
 * (values are always the reason ids of src/domain/vocabulary.ts).
 */
export function customPropertyDefinitions(
  reasonLabels: Partial<Record<string, string>> = {},
): Record<CustomPropertyObjectType, CustomPropertyDefinition[]> {
  const groupName = PROPERTY_GROUP.name;
  return {
    contacts: [
      {
        name: CONTACT_PROPERTY.fitScore,
        label: 'MQL fit score',
        description: 'Firmographic fit, 0-100 (company size, industry, title, geography). Written by lead scoring.',
        type: 'number',
        fieldType: 'number',
        groupName,
      },
      {
        name: CONTACT_PROPERTY.engagementScore,
        label: 'MQL engagement score',
        description:
          'Behavioural engagement, 0-100 (page views, downloads, email engagement). Written by lead scoring.',
        type: 'number',
        fieldType: 'number',
        groupName,
      },
      {
        name: CONTACT_PROPERTY.mqlDate,
        label: 'MQL handoff: MQL date',
        description: 'When the handoff made this contact a marketing-qualified lead.',
        type: 'datetime',
        fieldType: 'date',
        groupName,
      },
      {
        name: CONTACT_PROPERTY.sqlDate,
        label: 'MQL handoff: SQL date',
        description: 'When sales accepted the lead.',
        type: 'datetime',
        fieldType: 'date',
        groupName,
      },
      {
        name: CONTACT_PROPERTY.rejectedReason,
        label: 'MQL handoff: sales rejection reason',
        description: 'Why sales rejected the lead (fixed picklist).',
        type: 'enumeration',
        fieldType: 'select',
        groupName,
        options: REJECTION_REASONS.map((value, displayOrder) => ({
          value,
          label: reasonLabels[value] ?? defaultReasonLabel(value),
          displayOrder,
        })),
      },
      {
        name: CONTACT_PROPERTY.workflowId,
        label: 'MQL handoff: workflow id',
        description: 'Temporal workflow id of the current handoff (search it in the Temporal UI).',
        type: 'string',
        fieldType: 'text',
        groupName,
      },
      {
        name: CONTACT_PROPERTY.disqualification,
        label: 'MQL handoff: disqualification reasons',
        description: 'Why the contact did not qualify for a handoff, "; "-joined.',
        type: 'string',
        fieldType: 'textarea',
        groupName,
      },
    ],
    deals: [
      {
        name: HANDOFF_KEY_PROPERTY,
        label: 'MQL handoff: idempotency key',
        description: 'Set by the handoff when it creates the deal; unique, so a retried create finds the same deal.',
        type: 'string',
        fieldType: 'text',
        groupName,
        hasUniqueValue: true,
        formField: false,
      },
    ],
    tasks: [
      {
        name: HANDOFF_KEY_PROPERTY,
        label: 'MQL handoff: idempotency key',
        description: 'Set by the handoff when it creates the task, so a retried create finds the same task.',
        type: 'string',
        fieldType: 'text',
        groupName,
        formField: false,
      },
    ],
  };
}
