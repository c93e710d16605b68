/** A hand-built handoff brief and the people of config/handoff.config.yaml, for the renderer and adapter tests. */
import type { HandoffBrief, Notice } from '../../src/domain/brief';
import type { Recipient } from '../../src/activities/ports';
import { ServiceError } from '../../src/activities/service-error';

/** What a channel adapter's call rejects with; the test fails when it resolves or rejects with anything else. */
export async function failureOf(p: Promise<unknown>): Promise<ServiceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

export const REJECT_REASONS: HandoffBrief['rejectReasons'] = [
  { value: 'wrong_company_size', label: 'Wrong company size' },
  { value: 'wrong_title', label: 'Wrong title / persona' },
  { value: 'no_budget_signal', label: 'No budget signal' },
  { value: 'bad_data_quality', label: 'Bad data quality' },
  { value: 'timing_not_right', label: 'Timing not right' },
];

export function sampleBrief(overrides: Partial<HandoffBrief> = {}): HandoffBrief {
  return {
    workflowId: 'mql-hubspot-1001',
    contactId: '1001',
    headline: 'Demo request: Dana Ito, VP Operations at Globex (1,200 employees)',
    contact: {
      name: 'Dana Ito',
      jobTitle: 'VP Operations',
      email: 'dana.ito@globex.example',
      phone: '+1 555 010 0100',
      country: 'US',
    },
    company: { name: 'Globex', domain: 'globex.example', employees: 1200, industry: 'Manufacturing', country: 'US' },
    leadType: 'demo_request',
    priority: 'high',
    whyThisLead:
      'Requested a demo today, visited the pricing page 3 times this week and downloaded the Enterprise datasheet.',
    scores: { fit: 82, engagement: 74 },
    reasonForHandoff: 'High-intent action: demo request',
    routedBecause: 'Named account globex.example belongs to Hugo Laurent',
    marketingNotes: ['Met the team at the Chicago roadshow', 'Evaluating two vendors this quarter'],
    slaDueAt: '2026-11-24T17:00:00.000Z',
    slaDueLocal: 'Tue 24 Nov, 12:00 EST',
    rep: { id: 'rep-hugo', name: 'Hugo Laurent' },
    links: [{ label: 'Open in HubSpot', url: 'https://app.hubspot.com/contacts/4410001/record/0-1/1001' }],
    rejectReasons: REJECT_REASONS,
    ...overrides,
  };
}

/** Names and companies a hostile or careless form fill can produce. */
export function hostileBrief(): HandoffBrief {
  const base = sampleBrief();
  return sampleBrief({
    headline: 'Demo request: <!channel> Bobby <script>alert(1)</script>\r\nBcc: victim@evil.example',
    contact: { ...base.contact, name: '<!channel> Bobby <script>alert(1)</script> & Sons' },
    company: { ...base.company, name: '<https://evil.example|Click me> Ltd & Co' },
    whyThisLead: 'Visited <@U0REPANA1> and <!here> pages',
    marketingNotes: ['<b>bold</b> & "quoted" \'note\''],
  });
}

export function sampleNotice(overrides: Partial<Notice> = {}): Notice {
  return {
    kind: 'manager_escalation',
    title: 'Escalation: Dana Ito (Globex) has waited 2 hours for first touch',
    text: 'Hugo Laurent has not logged any activity yet.\nThe lead is reassigned in 2 hours unless someone reaches out.',
    brief: sampleBrief(),
    ...overrides,
  };
}

export const HUGO: Recipient = {
  id: 'rep-hugo',
  name: 'Hugo Laurent',
  email: 'hugo.laurent@acme-analytics.example',
  slackUserId: 'U0REPHUG1',
};

/** In the config with a Slack id, given here without one so the adapter must look her up by email. */
export const ANA_BY_EMAIL: Recipient = { id: 'rep-ana', name: 'Ana Ruiz', email: 'ana.ruiz@acme-analytics.example' };

export const PRIYA: Recipient = {
  id: 'mgr-sdr',
  name: 'Priya Shah',
  email: 'priya.shah@acme-analytics.example',
  slackUserId: 'U0MGRSDR1',
};
