import { buildHandoffBrief, type BriefContext } from '../../src/domain/brief';
import { calendarOf } from '../../src/domain/org';
import { qualifyLead } from '../../src/domain/qualification';
import { rejectionPicklist } from '../../src/domain/rejection';
import { decideRoute } from '../../src/domain/routing';
import { firstTouchDueAt } from '../../src/domain/sla';
import { describeEngagement } from '../../src/domain/why-this-lead';
import { company, event, lead, sampleConfig } from './fixtures';

const config = sampleConfig();
const now = new Date('2026-11-20T20:00:00Z'); // Friday 15:00 in New York
const globex = company({ name: 'Globex', domain: 'globex.example', employees: 1200, industry: 'Manufacturing' });

function context(overrides: Partial<BriefContext> = {}): BriefContext {
  return {
    workflowId: 'mql-hubspot-51',
    lead: lead({ company: globex, email: 'dana.ito@globex.example', events: [event(now, 1, 'demo_request')] }),
    leadType: 'demo_request',
    priority: 'high',
    whyThisLead: 'Requested a demo today.',
    reasonForHandoff: 'Requested a demo (high-intent action)',
    routedBecause: 'Named account globex.example is owned by Hugo Laurent',
    slaDueAt: '2026-11-23T17:00:00.000Z',
    timeZone: 'America/New_York',
    rep: { id: 'rep-hugo', name: 'Hugo Laurent' },
    links: [{ label: 'HubSpot contact', url: 'https://app.hubspot.com/contacts/4410001/record/0-1/51' }],
    rejectReasons: rejectionPicklist(config),
    ...overrides,
  };
}

describe('buildHandoffBrief', () => {
  it('assembles the brief from the decided context', () => {
    const ctx = context({
      lead: lead({
        company: globex,
        email: 'dana.ito@globex.example',
        events: [
          event(now, 1, 'demo_request'),
          event(now, 30, 'marketing_note', { title: 'Met at the Boston roadshow' }),
        ],
        marketingNotes: ['Asked about SSO', 'Met at the Boston roadshow '],
      }),
    });
    expect(buildHandoffBrief(ctx)).toEqual({
      workflowId: 'mql-hubspot-51',
      contactId: '51',
      headline: 'Demo request: Dana Ito, VP Operations at Globex (1,200 employees)',
      contact: {
        name: 'Dana Ito',
        jobTitle: 'VP Operations',
        email: 'dana.ito@globex.example',
        phone: '+1 212 555 0101',
        country: 'United States',
      },
      company: { name: 'Globex', domain: 'globex.example', employees: 1200, industry: 'Manufacturing', country: 'US' },
      leadType: 'demo_request',
      priority: 'high',
      whyThisLead: 'Requested a demo today.',
      scores: { fit: 72, engagement: 81 },
      reasonForHandoff: 'Requested a demo (high-intent action)',
      routedBecause: 'Named account globex.example is owned by Hugo Laurent',
      marketingNotes: ['Asked about SSO', 'Met at the Boston roadshow'],
      slaDueAt: '2026-11-23T17:00:00.000Z',
      slaDueLocal: 'Mon 23 Nov, 12:00 EST',
      rep: { id: 'rep-hugo', name: 'Hugo Laurent' },
      links: [{ label: 'HubSpot contact', url: 'https://app.hubspot.com/contacts/4410001/record/0-1/51' }],
      rejectReasons: rejectionPicklist(config),
    });
  });

  it.each<[string, Partial<BriefContext>, string]>([
    [
      'a trial start without a demo request',
      { lead: lead({ company: globex, events: [event(now, 1, 'free_trial_start')] }) },
      'Free trial: Dana Ito, VP Operations at Globex (1,200 employees)',
    ],
    [
      'a behavioral MQL',
      { leadType: 'behavioral' },
      'Behavioral MQL: Dana Ito, VP Operations at Globex (1,200 employees)',
    ],
    [
      'an outbound lead without a title',
      { leadType: 'outbound', lead: lead({ company: globex, jobTitle: null }) },
      'Outbound lead: Dana Ito at Globex (1,200 employees)',
    ],
    [
      'a company of unknown size',
      { lead: lead({ company: company({ name: 'Globex', employees: null }) }) },
      'Demo request: Dana Ito, VP Operations at Globex',
    ],
    ['no company', { lead: lead({ company: null }) }, 'Demo request: Dana Ito, VP Operations'],
    [
      'no name: the email stands in',
      { lead: lead({ firstName: null, lastName: null, jobTitle: null, company: null }) },
      'Demo request: dana.ito@northwind.example',
    ],
  ])('headline for %s', (_case, overrides, headline) => {
    expect(buildHandoffBrief(context(overrides)).headline).toBe(headline);
  });

  it.each([
    ['2026-11-23T12:00:00-05:00', 'America/New_York', '2026-11-23T17:00:00.000Z', 'Mon 23 Nov, 12:00 EST'],
    ['2026-11-23T17:00:00Z', 'Europe/London', '2026-11-23T17:00:00.000Z', 'Mon 23 Nov, 17:00 GMT'],
  ])('normalises the deadline %s and shows it in %s', (slaDueAt, timeZone, utc, local) => {
    const brief = buildHandoffBrief(context({ slaDueAt, timeZone }));
    expect([brief.slaDueAt, brief.slaDueLocal]).toEqual([utc, local]);
  });

  it('rejects a deadline that is not a date-time, naming it', () => {
    expect(() => buildHandoffBrief(context({ slaDueAt: 'Monday noon' }))).toThrow(
      'slaDueAt "Monday noon" is not an ISO-8601 date-time',
    );
  });

  it('does not share arrays with its input', () => {
    const ctx = context();
    const brief = buildHandoffBrief(ctx);
    brief.links.push({ label: 'x', url: 'https://x.example' });
    brief.rejectReasons.pop();
    expect(ctx.links).toHaveLength(1);
    expect(ctx.rejectReasons).toHaveLength(5);
  });

  it('fits together with qualification, routing, the SLA and why-this-lead', () => {
    const dana = lead({
      email: 'dana.ito@globex.example',
      company: globex,
      events: [
        event(now, 0.5, 'demo_request'),
        ...[2, 26, 50].map((h) =>
          event(now, h, 'page_view', { title: 'Pricing', url: 'https://acme-analytics.example/pricing' }),
        ),
        event(now, 72, 'content_download', { title: 'Enterprise datasheet' }),
      ],
    });
    const q = qualifyLead(dana, config, now);
    const route = decideRoute(dana, config);
    const due = firstTouchDueAt(config.sla.ladders[q.leadType], now, calendarOf(config, route.teamId));
    const brief = buildHandoffBrief({
      ...context(),
      lead: dana,
      leadType: q.leadType,
      priority: q.priority,
      whyThisLead: describeEngagement(dana.events, now, { timeZone: 'America/New_York' }),
      reasonForHandoff: q.reasonForHandoff,
      routedBecause: route.explanation,
      slaDueAt: due.toISOString(),
    });
    expect(brief).toMatchObject({
      headline: 'Demo request: Dana Ito, VP Operations at Globex (1,200 employees)',
      priority: 'high',
      whyThisLead:
        'Requested a demo today, visited the pricing page 3 times this week and downloaded the Enterprise datasheet.',
      reasonForHandoff:
        'Requested a demo and visited the pricing page 3 times in the last 7 days (high-intent actions); ' +
        'fit 72 and engagement 81 also cross the 60/60 MQL threshold',
      routedBecause: 'Named account globex.example is owned by Hugo Laurent',
      slaDueLocal: 'Mon 23 Nov, 10:00 EST',
    });
  });
});
