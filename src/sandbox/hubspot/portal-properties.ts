/**
 * The custom properties the demo portal has, as a portal looks after the product's documented setup
 * (`npm run setup:hubspot`; the table in src/activities/hubspot/README.md) plus the org's own lead-source picklist.
 * Written here, apart from the adapter's list, in HubSpot's property shape (the body of
 * `POST /crm/v3/properties/{objectType}`: name, label, type, fieldType, groupName, options, hasUniqueValue), so an
 * adapter that writes a property the setup does not create meets PROPERTY_DOESNT_EXIST here as it would in HubSpot.
 */
import type { OrgConfig } from '../../domain/org-config';
import type { PropertyCreateInput } from './store';

export interface PortalPropertyGroup {
  name: string;
  label: string;
}

export const PRODUCT_PROPERTY_GROUP: PortalPropertyGroup = { name: 'mql_handoff', label: 'MQL handoff' };

type Objects = 'contacts' | 'deals' | 'tasks';

/** The product's properties by object type; the rejection picklist holds the org config's reasons and labels. */
export function productProperties(config: OrgConfig): Record<Objects, PropertyCreateInput[]> {
  const groupName = PRODUCT_PROPERTY_GROUP.name;
  const text = (name: string, label: string): PropertyCreateInput => ({
    name,
    label,
    type: 'string',
    fieldType: 'text',
    groupName,
  });
  const datetime = (name: string, label: string): PropertyCreateInput => ({
    name,
    label,
    type: 'datetime',
    fieldType: 'date',
    groupName,
  });
  const score = (name: string, label: string): PropertyCreateInput => ({
    name,
    label,
    type: 'number',
    fieldType: 'number',
    groupName,
  });
  return {
    contacts: [
      score('mql_fit_score', 'MQL fit score'),
      score('mql_engagement_score', 'MQL engagement score'),
      datetime('mql_handoff_mql_date', 'MQL date'),
      datetime('mql_handoff_sql_date', 'SQL date'),
      {
        name: 'mql_handoff_rejected_reason',
        label: 'Sales rejection reason',
        type: 'enumeration',
        fieldType: 'select',
        groupName,
        options: config.rejection.reasons.map((r, displayOrder) => ({
          label: r.label,
          value: r.reason,
          displayOrder,
        })),
      },
      text('mql_handoff_workflow_id', 'Handoff workflow id'),
      { ...text('mql_handoff_disqualification', 'Disqualification reasons'), fieldType: 'textarea' },
    ],
    deals: [{ ...text('mql_handoff_key', 'Handoff key'), hasUniqueValue: true, formField: false }],
    tasks: [{ ...text('mql_handoff_key', 'Handoff key'), formField: false }],
  };
}

/** The org's own lead-source picklist on contacts (not the product's): Outbound marks sales-sourced contacts. */
export const LEAD_SOURCE: PropertyCreateInput = {
  name: 'lead_source',
  label: 'Lead source',
  type: 'enumeration',
  fieldType: 'select',
  groupName: 'contactinformation',
  options: ['Website', 'Outbound', 'Event', 'Partner', 'Referral'].map((value) => ({ label: value, value })),
};
