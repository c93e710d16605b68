/**
 * Lead snapshots for workflow tests, shaped like what the HubSpot adapter returns. Event times are relative to
 * `now` so qualification windows ("pricing page 3 times this week") hold whenever the test runs.
 */
import type { EngagementEvent, LeadSnapshot } from '../../src/domain/lead';
// Handoff workflow ids are global to a server: every test lead gets its own contact id.
import { uniqueContactId } from '../../src/sandbox/demo-leads';

const HOUR = 3_600_000;

function ago(now: number, hours: number): string {
  return new Date(now - hours * HOUR).toISOString();
}

export function demoRequestLead(overrides: Partial<LeadSnapshot> = {}, now = Date.now()): LeadSnapshot {
  const events: EngagementEvent[] = [
    { type: 'demo_request', occurredAt: ago(now, 0.1), title: 'Book a demo' },
    { type: 'page_view', occurredAt: ago(now, 2), url: 'https://acme-analytics.example/pricing', title: 'Pricing' },
    { type: 'page_view', occurredAt: ago(now, 30), url: 'https://acme-analytics.example/pricing', title: 'Pricing' },
    { type: 'content_download', occurredAt: ago(now, 50), title: 'Enterprise datasheet' },
  ];
  return {
    contactId: uniqueContactId(),
    email: 'jordan.lee@smallco.example',
    firstName: 'Jordan',
    lastName: 'Lee',
    jobTitle: 'Operations Manager',
    phone: null,
    country: 'US',
    region: null,
    lifecycleStage: 'lead',
    leadStatus: null,
    hubspotOwnerId: null,
    fitScore: 70,
    engagementScore: 65,
    sourcedBy: 'inbound',
    company: {
      id: 'co-1',
      name: 'Smallco',
      domain: 'smallco.example',
      employees: 80,
      industry: 'Software',
      country: 'US',
    },
    events,
    marketingNotes: ['Asked about SSO on the demo form'],
    hubspotUrl: 'https://app.hubspot.com/contacts/4410001/record/0-1/1',
    ...overrides,
  };
}

export function behavioralLead(overrides: Partial<LeadSnapshot> = {}, now = Date.now()): LeadSnapshot {
  return demoRequestLead(
    {
      fitScore: 72,
      engagementScore: 68,
      events: [
        { type: 'webinar_attended', occurredAt: ago(now, 20), title: 'Analytics for ops teams' },
        { type: 'email_click', occurredAt: ago(now, 5), title: 'November newsletter' },
      ],
      ...overrides,
    },
    now,
  );
}

export function studentLead(overrides: Partial<LeadSnapshot> = {}): LeadSnapshot {
  return demoRequestLead({
    email: 'alex.student@gmail.com',
    jobTitle: 'Student',
    fitScore: 20,
    engagementScore: 88,
    company: null,
    events: [],
    ...overrides,
  });
}
