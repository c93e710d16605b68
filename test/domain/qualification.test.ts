import type { LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';
import { classifyLeadType, detectHighIntent, qualifyLead, type HighIntentSignal } from '../../src/domain/qualification';
import { company, event, lead, sampleConfig } from './fixtures';

const config = sampleConfig();
const now = new Date('2026-11-20T15:00:00Z');
const pricingView = (
  hoursAgo: number,
  url = 'https://acme-analytics.example/pricing',
): LeadSnapshot['events'][number] => event(now, hoursAgo, 'page_view', { title: 'Pricing', url });
const lowScores = { fitScore: 40, engagementScore: 35 };

describe('detectHighIntent', () => {
  it.each<[string, LeadSnapshot['events'], Pick<HighIntentSignal, 'kind' | 'description'>[]]>([
    ['no events', [], []],
    [
      'a demo request',
      [event(now, 1, 'demo_request', { title: 'Book a demo' })],
      [{ kind: 'demo_request', description: 'Requested a demo' }],
    ],
    [
      'a trial start and a demo request, demo first',
      [event(now, 1, 'free_trial_start'), event(now, 3, 'demo_request')],
      [
        { kind: 'demo_request', description: 'Requested a demo' },
        { kind: 'free_trial_start', description: 'Started a free trial' },
      ],
    ],
    [
      'three pricing views within seven days, URL case-insensitive',
      [pricingView(1), pricingView(48, 'https://acme-analytics.example/Pricing?plan=team'), pricingView(160)],
      [{ kind: 'pricing_page_visits', description: 'Visited the pricing page 3 times in the last 7 days' }],
    ],
    ['two pricing views are not enough', [pricingView(1), pricingView(2)], []],
    ['one of three views is older than seven days', [pricingView(1), pricingView(2), pricingView(7 * 24 + 1)], []],
    [
      'page views elsewhere do not count',
      [pricingView(1), pricingView(2), event(now, 3, 'page_view', { url: '/blog' })],
      [],
    ],
    ['a webinar is not high intent in the sample org', [event(now, 3, 'webinar_attended', { title: 'Q4' })], []],
  ])('%s', (_case, events, expected) => {
    const signals = detectHighIntent(lead({ events }), config.mql, now);
    expect(signals.map(({ kind, description }) => ({ kind, description }))).toEqual(expected);
  });

  it('reports one signal per event type, at its latest occurrence', () => {
    const events = [event(now, 30, 'demo_request'), event(now, 2, 'demo_request'), event(now, 10, 'demo_request')];
    expect(detectHighIntent(lead({ events }), config.mql, now)).toEqual([
      { kind: 'demo_request', at: events[1]!.occurredAt, description: 'Requested a demo' },
    ]);
  });

  it('uses the configured events and pricing rule', () => {
    const mql = {
      ...config.mql,
      highIntent: {
        events: ['webinar_attended' as const],
        pricingPage: { urlContains: '/plans', minVisits: 2, withinDays: 3 },
      },
    };
    const events = [
      event(now, 3, 'webinar_attended', { title: 'Scaling analytics' }),
      event(now, 1, 'demo_request'),
      pricingView(5, 'https://acme-analytics.example/plans'),
      pricingView(50, 'https://acme-analytics.example/plans'),
    ];
    expect(detectHighIntent(lead({ events }), mql, now).map((s) => s.description)).toEqual([
      'Attended a webinar "Scaling analytics"',
      'Visited the pricing page 2 times in the last 3 days',
    ]);
  });
});

describe('classifyLeadType', () => {
  const signal = (kind: HighIntentSignal['kind']): HighIntentSignal => ({
    kind,
    at: now.toISOString(),
    description: '',
  });
  it.each<[string, LeadSnapshot['sourcedBy'], HighIntentSignal[], string]>([
    ['outbound-sourced, even with a demo request', 'outbound', [signal('demo_request')], 'outbound'],
    ['inbound demo request', 'inbound', [signal('demo_request')], 'demo_request'],
    ['inbound free trial', 'inbound', [signal('free_trial_start')], 'demo_request'],
    ['pricing visits only', 'inbound', [signal('pricing_page_visits')], 'behavioral'],
    ['scores only', 'inbound', [], 'behavioral'],
  ])('%s → %s', (_case, sourcedBy, signals, expected) => {
    expect(classifyLeadType(lead({ sourcedBy }), signals)).toBe(expected);
  });
});

describe('qualifyLead with the sample org', () => {
  it('qualifies on scores alone', () => {
    expect(qualifyLead(lead(), config, now)).toEqual({
      qualified: true,
      reasons: [],
      matchedBy: 'scores',
      highIntent: [],
      leadType: 'behavioral',
      priority: 'normal',
      reasonForHandoff: 'Fit 72 and engagement 81 cross the 60/60 MQL threshold',
      namedAccount: false,
    });
  });

  it('qualifies a demo request whatever the scores, as high priority', () => {
    const q = qualifyLead(lead({ ...lowScores, events: [event(now, 1, 'demo_request')] }), config, now);
    expect(q).toMatchObject({
      qualified: true,
      reasons: [],
      matchedBy: 'high_intent',
      leadType: 'demo_request',
      priority: 'high',
      reasonForHandoff: 'Requested a demo (high-intent action)',
    });
  });

  it('says both when a high-intent action and the scores qualify', () => {
    const q = qualifyLead(
      lead({ events: [event(now, 1, 'demo_request'), pricingView(2), pricingView(3), pricingView(4)] }),
      config,
      now,
    );
    expect(q.reasonForHandoff).toBe(
      'Requested a demo and visited the pricing page 3 times in the last 7 days (high-intent actions); ' +
        'fit 72 and engagement 81 also cross the 60/60 MQL threshold',
    );
    expect(q.matchedBy).toBe('high_intent');
  });

  it('marks a named account high priority', () => {
    const q = qualifyLead(
      lead({ email: 'dana.ito@globex.example', company: company({ name: 'Globex', domain: 'globex.example' }) }),
      config,
      now,
    );
    expect(q).toMatchObject({ qualified: true, namedAccount: true, priority: 'high', leadType: 'behavioral' });
  });

  it('classifies an outbound-sourced contact as outbound', () => {
    expect(qualifyLead(lead({ sourcedBy: 'outbound' }), config, now)).toMatchObject({
      qualified: true,
      leadType: 'outbound',
    });
  });

  it.each<[string, Parameters<typeof lead>[0], string[]]>([
    ['low fit, no high intent', { fitScore: 42 }, ['fit score 42 is below 60 and there is no high-intent action']],
    [
      'missing engagement score',
      { engagementScore: null },
      ['engagement score is missing and there is no high-intent action'],
    ],
    [
      'both scores low',
      lowScores,
      [
        'fit score 40 is below 60 and there is no high-intent action',
        'engagement score 35 is below 60 and there is no high-intent action',
      ],
    ],
    ['no company', { company: null }, ['required field "company" is missing']],
    ['blank email', { email: '  ' }, ['required field "email" is missing']],
    ['free-mail address', { email: 'dana.ito@Gmail.com' }, ['email domain gmail.com is a free-mail domain']],
    ['too small', { company: company({ employees: 8 }) }, ['company size 8 is below the ICP minimum of 20']],
    [
      'outside the ICP countries',
      { country: 'Brazil', company: company({ country: 'Brazil' }) },
      ['country Brazil is outside the ICP countries (US, CA, GB, IE, DE, FR, NL, SE, NO, DK, ES, IT, AU)'],
    ],
    [
      'excluded industry',
      { company: company({ industry: 'higher education' }) },
      ['industry higher education is excluded by the ICP'],
    ],
    [
      'student title',
      { jobTitle: 'Graduate Student' },
      ['job title "Graduate Student" contains the disqualifying word "student"'],
    ],
    [
      'intern title',
      { jobTitle: 'Marketing Intern (Summer)' },
      ['job title "Marketing Intern (Summer)" contains the disqualifying word "intern"'],
    ],
    [
      'competitor email',
      { email: 'spy@rivalmetrics.example' },
      ['email domain rivalmetrics.example belongs to a competitor'],
    ],
    [
      'competitor company domain, subdomain',
      { company: company({ domain: 'eu.datadrift.example' }) },
      ['company domain eu.datadrift.example belongs to a competitor'],
    ],
  ])('does not qualify: %s', (_case, overrides, reasons) => {
    const q = qualifyLead(lead(overrides), config, now);
    expect(q.qualified).toBe(false);
    expect(q.reasons).toEqual(reasons);
  });

  it.each([
    ['"Internal Audit Lead" (intern is not a whole word)', { jobTitle: 'Internal Audit Lead' }],
    [
      'country written as a name in the ICP list of codes',
      { country: 'Germany', company: company({ country: 'germany' }) },
    ],
    ['unknown size is not judged by the ICP', { company: company({ employees: null }) }],
  ])('qualifies: %s', (_case, overrides) => {
    expect(qualifyLead(lead(overrides), config, now)).toMatchObject({ qualified: true, reasons: [] });
  });

  it('lists every failure at once', () => {
    const q = qualifyLead(
      lead({
        ...lowScores,
        email: 'kid@gmail.com',
        jobTitle: 'Intern',
        company: company({ name: null, employees: 5, industry: 'Higher Education', country: 'BR' }),
      }),
      config,
      now,
    );
    expect(q.reasons).toEqual([
      'fit score 40 is below 60 and there is no high-intent action',
      'engagement score 35 is below 60 and there is no high-intent action',
      'required field "company" is missing',
      'country BR is outside the ICP countries (US, CA, GB, IE, DE, FR, NL, SE, NO, DK, ES, IT, AU)',
      'company size 5 is below the ICP minimum of 20',
      'industry Higher Education is excluded by the ICP',
      'job title "Intern" contains the disqualifying word "intern"',
      'email domain gmail.com is a free-mail domain',
    ]);
    expect(q.matchedBy).toBeNull();
    expect(q.reasonForHandoff).toBe('Does not meet the MQL definition');
  });

  describe('with a stricter configuration', () => {
    const strict: OrgConfig = {
      ...config,
      icp: { ...config.icp, maxEmployees: 50_000, industries: ['Logistics', 'Software'] },
      mql: { ...config.mql, requiredFields: ['email', 'company', 'phone', 'jobTitle'] },
      leadTypes: { enabled: ['demo_request', 'outbound'] },
      priority: { highWhen: ['demo_request'] },
    };

    it.each<[string, Parameters<typeof lead>[0], string[]]>([
      [
        'above the ICP maximum',
        { company: company({ employees: 60_000 }) },
        [
          'company size 60,000 is above the ICP maximum of 50,000',
          'lead type behavioral is not enabled (enabled: demo_request, outbound)',
        ],
      ],
      [
        'industry outside the allow-list',
        { company: company({ industry: 'Retail' }) },
        [
          'industry Retail is not one of the ICP industries (Logistics, Software)',
          'lead type behavioral is not enabled (enabled: demo_request, outbound)',
        ],
      ],
      [
        'missing phone and title',
        { phone: null, jobTitle: '' },
        [
          'required field "phone" is missing',
          'required field "jobTitle" is missing',
          'lead type behavioral is not enabled (enabled: demo_request, outbound)',
        ],
      ],
    ])('%s', (_case, overrides, reasons) => {
      expect(qualifyLead(lead(overrides), strict, now).reasons).toEqual(reasons);
    });

    it('makes demo requests high priority when configured, and pricing visits alone not', () => {
      const demo = qualifyLead(lead({ events: [event(now, 1, 'free_trial_start')] }), strict, now);
      expect(demo).toMatchObject({ qualified: true, leadType: 'demo_request', priority: 'high' });
      const pricing = qualifyLead(
        lead({ sourcedBy: 'outbound', events: [pricingView(1), pricingView(2), pricingView(3)] }),
        strict,
        now,
      );
      expect(pricing).toMatchObject({ qualified: true, leadType: 'outbound', priority: 'normal' });
    });
  });
});
