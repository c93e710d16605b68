/** Realistic leads for the domain tests: Dana Ito, VP Operations at Globex, and variations of her. */
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import type { CompanySnapshot, EngagementEvent, LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';

/** The sample org in config/handoff.config.yaml (HANDOFF_CONFIG is ignored so the tests see the sample). */
export function sampleConfig(): OrgConfig {
  return loadOrgConfigFile(resolveOrgConfigPath({}));
}

export function company(overrides: Partial<CompanySnapshot> = {}): CompanySnapshot {
  return {
    id: '9001',
    name: 'Northwind Traders',
    domain: 'northwind.example',
    employees: 120,
    industry: 'Logistics',
    country: 'US',
    ...overrides,
  };
}

export function lead(overrides: Partial<LeadSnapshot> = {}): LeadSnapshot {
  return {
    contactId: '51',
    email: 'dana.ito@northwind.example',
    firstName: 'Dana',
    lastName: 'Ito',
    jobTitle: 'VP Operations',
    phone: '+1 212 555 0101',
    country: 'United States',
    region: 'NY',
    lifecycleStage: 'marketingqualifiedlead',
    leadStatus: null,
    hubspotOwnerId: null,
    fitScore: 72,
    engagementScore: 81,
    sourcedBy: 'inbound',
    company: company(),
    events: [],
    marketingNotes: [],
    hubspotUrl: 'https://app.hubspot.com/contacts/4410001/record/0-1/51',
    ...overrides,
  };
}

/** An event `hoursAgo` hours before `now`. */
export function event(
  now: Date,
  hoursAgo: number,
  type: EngagementEvent['type'],
  extra: Partial<EngagementEvent> = {},
): EngagementEvent {
  return { type, occurredAt: new Date(now.getTime() - hoursAgo * 3_600_000).toISOString(), ...extra };
}
