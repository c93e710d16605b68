/**
 * The demo portal: the org of config/handoff.config.yaml (owners = the reps, re-nurture lists = the rejection
 * picklist's tracks), the product's custom properties (portal-properties.ts), and seven contacts, one per handoff scenario. Every
 * timestamp is relative to the store's clock, so "demo request today" stays today.
 */
import type { OrgConfig } from '../../domain/org-config';
import { LEAD_SOURCE, PRODUCT_PROPERTY_GROUP, productProperties } from './portal-properties';
import type { HubSpotStore } from './store';
import { defaultDealPipeline, OBJECT_TYPES } from './schema';

/** The demo contacts the webhook simulator and the tests refer to, by scenario. */
export const DEMO_CONTACTS = [
  { id: '1001', scenario: 'demo-request' },
  { id: '1002', scenario: 'behavioral-mql' },
  { id: '1003', scenario: 'fails-icp' },
  { id: '1004', scenario: 'emea-territory' },
  { id: '1005', scenario: 'healthcare' },
  { id: '1006', scenario: 'open-deal' },
  { id: '1007', scenario: 'small-behavioral' },
] as const;
export type DemoScenario = (typeof DEMO_CONTACTS)[number]['scenario'];

/** Ids of the demo org's other records, for tests. */
export const DEMO_COMPANIES = {
  globex: '2001',
  northwind: '2002',
  brightwave: '2003',
  medcore: '2004',
  initrode: '2005',
  tinyco: '2006',
} as const;
export const DEMO_DEALS = { initrodeOpen: '3001', globexClosedLost: '3002' } as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Activity =
  | { kind: 'page'; ago: number; url: string; title: string }
  | { kind: 'form'; ago: number; form: string; url: string }
  | { kind: 'webinar'; ago: number; name: string };

interface DemoContact {
  id: string;
  properties: Record<string, string>;
  companyId?: string;
  activity: Activity[];
  email?: { name: string; openedAgo?: number; clickedAgo?: number };
  notes?: { ago: number; body: string; ownerId?: string }[];
}

const SITE = 'https://www.acme-analytics.example';
const page = (ago: number, path: string, title: string): Activity => ({
  kind: 'page',
  ago,
  url: `${SITE}${path}`,
  title,
});
const pricing = (ago: number) => page(ago, '/pricing', 'Pricing | Acme Analytics');
const form = (ago: number, name: string, path: string): Activity => ({
  kind: 'form',
  ago,
  form: name,
  url: `${SITE}${path}`,
});

const COMPANIES: { id: string; properties: Record<string, string> }[] = [
  {
    id: DEMO_COMPANIES.globex,
    properties: {
      name: 'Globex',
      domain: 'globex.example',
      numberofemployees: '1200',
      industry: 'COMPUTER_SOFTWARE',
      country: 'US',
      state: 'NY',
    },
  },
  {
    id: DEMO_COMPANIES.northwind,
    properties: {
      name: 'Northwind',
      domain: 'northwind.example',
      numberofemployees: '450',
      industry: 'RETAIL',
      country: 'US',
      state: 'WA',
    },
  },
  {
    id: DEMO_COMPANIES.brightwave,
    properties: {
      name: 'Brightwave GmbH',
      domain: 'brightwave.example',
      numberofemployees: '300',
      industry: 'INFORMATION_TECHNOLOGY_AND_SERVICES',
      country: 'DE',
      city: 'Berlin',
    },
  },
  {
    id: DEMO_COMPANIES.medcore,
    properties: {
      name: 'MedCore',
      domain: 'medcore.example',
      numberofemployees: '150',
      industry: 'HOSPITAL_HEALTH_CARE',
      country: 'US',
      state: 'MN',
    },
  },
  {
    id: DEMO_COMPANIES.initrode,
    properties: {
      name: 'Initrode',
      domain: 'initrode.example',
      numberofemployees: '800',
      industry: 'MACHINERY',
      country: 'US',
      state: 'OH',
    },
  },
  {
    id: DEMO_COMPANIES.tinyco,
    properties: {
      name: 'Tinyco',
      domain: 'tinyco.example',
      numberofemployees: '60',
      industry: 'MARKETING_AND_ADVERTISING',
      country: 'US',
      state: 'CO',
    },
  },
];

const scores = (fit: number, engagement: number) => ({
  mql_fit_score: String(fit),
  mql_engagement_score: String(engagement),
});

const CONTACTS: DemoContact[] = [
  {
    id: '1001',
    companyId: DEMO_COMPANIES.globex,
    properties: {
      firstname: 'Dana',
      lastname: 'Ito',
      email: 'dana.ito@globex.example',
      jobtitle: 'VP Operations',
      phone: '+1 212 555 0101',
      company: 'Globex',
      country: 'US',
      state: 'NY',
      hs_analytics_source: 'ORGANIC_SEARCH',
      lead_source: 'Website',
      ...scores(82, 74),
    },
    activity: [
      form(20 * MINUTE, 'Request a demo', '/demo'),
      pricing(2 * HOUR),
      pricing(1 * DAY + 3 * HOUR),
      pricing(3 * DAY),
      form(4 * DAY, 'Download: Enterprise datasheet', '/resources/enterprise-datasheet'),
      page(5 * DAY, '/product/security', 'Security & compliance | Acme Analytics'),
    ],
    notes: [{ ago: 6 * DAY, body: '<p>Met Dana at the Boston roadshow; asked about SSO and audit logs.</p>' }],
  },
  {
    id: '1002',
    companyId: DEMO_COMPANIES.northwind,
    properties: {
      firstname: 'Sam',
      lastname: 'Rivera',
      email: 'sam.rivera@northwind.example',
      jobtitle: 'Head of Data',
      company: 'Northwind',
      country: 'US',
      state: 'WA',
      hs_analytics_source: 'EMAIL_MARKETING',
      lead_source: 'Website',
      ...scores(71, 66),
    },
    activity: [
      { kind: 'webinar', ago: 6 * DAY, name: 'Webinar: Retail analytics in real time' },
      pricing(1 * DAY),
      pricing(3 * DAY),
      page(2 * DAY, '/customers/retail', 'Retail customers | Acme Analytics'),
    ],
    email: { name: 'March product newsletter', openedAgo: 2 * DAY + HOUR, clickedAgo: 2 * DAY },
    notes: [{ ago: 5 * DAY, body: '<p>Registered with two colleagues from the data team.</p>' }],
  },
  {
    id: '1003',
    properties: {
      firstname: 'Alex',
      lastname: 'Student',
      email: 'alex.student@gmail.com',
      jobtitle: 'Student',
      country: 'US',
      hs_analytics_source: 'SOCIAL_MEDIA',
      lead_source: 'Website',
      ...scores(20, 88),
    },
    activity: [
      page(3 * HOUR, '/blog/what-is-a-data-warehouse', 'What is a data warehouse?'),
      page(1 * DAY, '/blog/sql-window-functions', 'SQL window functions explained'),
      form(2 * DAY, 'Download: SQL cheat sheet ebook', '/resources/sql-cheat-sheet'),
    ],
    email: { name: 'Weekly analytics digest', openedAgo: 1 * DAY, clickedAgo: 1 * DAY - 10 * MINUTE },
  },
  {
    id: '1004',
    companyId: DEMO_COMPANIES.brightwave,
    properties: {
      firstname: 'Lena',
      lastname: 'Fischer',
      email: 'lena.fischer@brightwave.example',
      jobtitle: 'CTO',
      company: 'Brightwave GmbH',
      country: 'DE',
      city: 'Berlin',
      hs_analytics_source: 'PAID_SEARCH',
      lead_source: 'Website',
      ...scores(68, 55),
    },
    activity: [
      form(30 * MINUTE, 'Start your free trial', '/trial'),
      page(40 * MINUTE, '/product', 'Product | Acme Analytics'),
    ],
  },
  {
    id: '1005',
    companyId: DEMO_COMPANIES.medcore,
    properties: {
      firstname: 'Omar',
      lastname: 'Said',
      email: 'omar.said@medcore.example',
      jobtitle: 'Director IT',
      company: 'MedCore',
      country: 'US',
      state: 'MN',
      hs_analytics_source: 'REFERRALS',
      lead_source: 'Partner',
      ...scores(75, 70),
    },
    activity: [
      form(1 * DAY, 'Download: HIPAA compliance whitepaper', '/resources/hipaa-whitepaper'),
      page(1 * DAY + HOUR, '/solutions/healthcare', 'Healthcare analytics | Acme Analytics'),
      pricing(2 * DAY),
    ],
    email: { name: 'Healthcare data summit invite', openedAgo: 3 * DAY, clickedAgo: 3 * DAY - 5 * MINUTE },
  },
  {
    id: '1006',
    companyId: DEMO_COMPANIES.initrode,
    properties: {
      firstname: 'Kim',
      lastname: 'Lee',
      email: 'kim.lee@initrode.example',
      jobtitle: 'Director of Analytics',
      company: 'Initrode',
      country: 'US',
      state: 'OH',
      hs_analytics_source: 'DIRECT_TRAFFIC',
      lead_source: 'Website',
      ...scores(70, 64),
    },
    activity: [form(15 * MINUTE, 'Request a demo', '/demo'), pricing(1 * HOUR)],
    notes: [{ ago: 10 * DAY, body: '<p>Renewal call with Initrode procurement.</p>', ownerId: '71000006' }],
  },
  {
    id: '1007',
    companyId: DEMO_COMPANIES.tinyco,
    properties: {
      firstname: 'Jo',
      lastname: 'Park',
      email: 'jo.park@tinyco.example',
      jobtitle: 'Marketing Manager',
      company: 'Tinyco',
      country: 'US',
      state: 'CO',
      hs_analytics_source: 'EMAIL_MARKETING',
      lead_source: 'Website',
      ...scores(65, 62),
    },
    activity: [page(5 * HOUR, '/blog/attribution-models', 'Attribution models compared'), pricing(2 * DAY)],
    email: { name: 'Spring webinar series', openedAgo: 1 * DAY, clickedAgo: 1 * DAY - 2 * MINUTE },
  },
];

/** Seeds the demo org into an empty store. */
export function seedDemoPortal(store: HubSpotStore, config: OrgConfig): void {
  const now = store.clock().getTime();
  const at = (ago: number) => new Date(now - ago).toISOString();

  for (const team of config.teams) {
    for (const rep of team.reps) {
      if (!rep.crmOwnerIds.hubspot) continue;
      const [firstName = rep.name, ...rest] = rep.name.split(' ');
      store.addOwner({ id: rep.crmOwnerIds.hubspot, email: rep.email, firstName, lastName: rest.join(' ') });
    }
  }

  for (const [type, definitions] of Object.entries(productProperties(config))) {
    const objectType = OBJECT_TYPES.find((t) => t === type)!;
    store.createPropertyGroup(objectType, PRODUCT_PROPERTY_GROUP);
    for (const definition of definitions) store.createProperty(objectType, definition);
  }
  // The org's own lead-source picklist: the adapter reads it to tell outbound (sales-sourced) contacts apart.
  store.createProperty('contacts', LEAD_SOURCE);

  for (const reason of config.rejection.reasons) {
    if (!store.lists.has(reason.nurtureListId)) {
      store.addList({ listId: reason.nurtureListId, name: `Re-nurture: ${reason.label}` });
    }
  }

  ensureDealPipeline(store, config.hubspot.pipelineId, config.hubspot.mqlDealStageId);

  for (const company of COMPANIES) store.create('companies', company.properties, [], { id: company.id });

  for (const contact of CONTACTS) {
    const system: Record<string, string> = { lifecyclestage: 'lead' };
    const lastForm = contact.activity.find((a) => a.kind === 'form');
    if (lastForm?.kind === 'form') {
      system.recent_conversion_event_name = lastForm.form;
      system.recent_conversion_date = at(lastForm.ago);
    }
    if (contact.email?.openedAgo !== undefined) system.hs_email_last_open_date = at(contact.email.openedAgo);
    if (contact.email?.clickedAgo !== undefined) system.hs_email_last_click_date = at(contact.email.clickedAgo);
    if (contact.email) {
      system.hs_email_last_email_name = contact.email.name;
      system.hs_email_last_send_date = at(Math.max(contact.email.openedAgo ?? 0, contact.email.clickedAgo ?? 0) + HOUR);
    }
    const associations = contact.companyId
      ? [{ to: { id: contact.companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }]
      : [];
    store.create('contacts', { ...contact.properties, ...system }, associations, { id: contact.id, system: true });

    for (const a of contact.activity) {
      const occurredAt = at(a.ago);
      if (a.kind === 'page') {
        store.addWebEvent({
          objectId: contact.id,
          eventType: 'e_visited_page',
          occurredAt,
          properties: { hs_url: a.url, hs_title: a.title },
        });
      } else if (a.kind === 'form') {
        store.addWebEvent({
          objectId: contact.id,
          eventType: 'e_submitted_form',
          occurredAt,
          properties: { hs_form_title: a.form, hs_url: a.url },
        });
      } else {
        store.addWebEvent({
          objectId: contact.id,
          eventType: 'e_attended_marketing_event',
          occurredAt,
          properties: { hs_marketing_event_name: a.name },
        });
      }
    }
    for (const note of contact.notes ?? []) {
      const properties: Record<string, string> = { hs_note_body: note.body, hs_timestamp: at(note.ago) };
      if (note.ownerId) properties.hubspot_owner_id = note.ownerId;
      store.create('notes', properties, [
        { to: { id: contact.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] },
      ]);
    }
  }

  const deal = (id: string, companyId: string, properties: Record<string, string>) =>
    store.create(
      'deals',
      { pipeline: config.hubspot.pipelineId, ...properties },
      [{ to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 5 }] }],
      { id },
    );
  deal(DEMO_DEALS.initrodeOpen, DEMO_COMPANIES.initrode, {
    dealname: 'Initrode - platform expansion',
    dealstage: 'qualifiedtobuy',
    hubspot_owner_id: '71000006',
    amount: '48000',
  });
  deal(DEMO_DEALS.globexClosedLost, DEMO_COMPANIES.globex, {
    dealname: 'Globex - pilot',
    dealstage: 'closedlost',
    hubspot_owner_id: '71000008',
    amount: '12000',
  });
}

/** The configured pipeline and MQL stage exist in the demo portal (a copy of the default pipeline if need be). */
function ensureDealPipeline(store: HubSpotStore, pipelineId: string, stageId: string): void {
  const at = store.now();
  let pipeline = store.pipelines.get(pipelineId);
  if (!pipeline) {
    pipeline = { ...defaultDealPipeline(at), id: pipelineId, label: `Pipeline ${pipelineId}`, displayOrder: 1 };
    store.pipelines.set(pipelineId, pipeline);
  }
  if (!pipeline.stages.some((st) => st.id === stageId)) {
    pipeline.stages.unshift({
      id: stageId,
      label: 'MQL',
      displayOrder: -1,
      metadata: { isClosed: 'false', probability: '0.1' },
      createdAt: at,
      updatedAt: at,
      archived: false,
    });
  }
}
