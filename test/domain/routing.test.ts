import { findRep } from '../../src/domain/org';
import type { OrgConfig } from '../../src/domain/org-config';
import {
  countryKey,
  decideRoute,
  domainMatches,
  isOutOfOffice,
  normalizeDomain,
  rosterCandidates,
  type RouteDecision,
} from '../../src/domain/routing';
import { company, lead, sampleConfig } from './fixtures';

const config = sampleConfig();
const SDR_INBOUND = ['rep-ana', 'rep-ben', 'rep-chloe', 'rep-dev'];
const AE_MIDMARKET = ['rep-elena', 'rep-farid', 'rep-grace'];
const AE_ENTERPRISE = ['rep-hugo', 'rep-isla', 'rep-jonas'];

describe('decideRoute with the sample org', () => {
  it.each<[string, Parameters<typeof lead>[0], RouteDecision]>([
    [
      'named account by email domain',
      { email: 'dana.ito@globex.example', company: company({ name: 'Globex', domain: null, employees: 1200 }) },
      {
        rule: 'named_account',
        ruleId: 'globex.example',
        teamId: 'ae-enterprise',
        repId: 'rep-hugo',
        candidateRepIds: AE_ENTERPRISE,
        explanation: 'Named account globex.example is owned by Hugo Laurent',
      },
    ],
    [
      'named account by a subdomain of the email domain',
      { email: 'dana@EU.Globex.Example' },
      {
        rule: 'named_account',
        ruleId: 'globex.example',
        teamId: 'ae-enterprise',
        repId: 'rep-hugo',
        candidateRepIds: AE_ENTERPRISE,
        explanation: 'Named account globex.example is owned by Hugo Laurent',
      },
    ],
    [
      'named account by company domain written as a URL',
      { email: 'dana@gmail.com', company: company({ domain: 'https://www.Initech.example/about' }) },
      {
        rule: 'named_account',
        ruleId: 'initech.example',
        teamId: 'ae-enterprise',
        repId: 'rep-isla',
        candidateRepIds: AE_ENTERPRISE,
        explanation: 'Named account initech.example is owned by Isla Novak',
      },
    ],
    [
      'territory by company country name',
      { company: company({ country: 'Germany', employees: 5000 }) },
      {
        rule: 'territory',
        ruleId: 'emea',
        teamId: 'ae-enterprise',
        repId: null,
        candidateRepIds: ['rep-jonas'],
        explanation: 'Country Germany is in the emea territory: round-robin in AE Enterprise among Jonas Berg',
      },
    ],
    [
      'territory by contact country when the company has none',
      { country: 'uk', company: company({ country: null }) },
      {
        rule: 'territory',
        ruleId: 'emea',
        teamId: 'ae-enterprise',
        repId: null,
        candidateRepIds: ['rep-jonas'],
        explanation: 'Country uk is in the emea territory: round-robin in AE Enterprise among Jonas Berg',
      },
    ],
    [
      'size band: enterprise (open-ended)',
      { company: company({ employees: 1200 }) },
      {
        rule: 'size_band',
        ruleId: 'enterprise',
        teamId: 'ae-enterprise',
        repId: null,
        candidateRepIds: AE_ENTERPRISE,
        explanation: 'Company size 1,200 is in the enterprise band (1000+): round-robin in AE Enterprise',
      },
    ],
    [
      'size band: mid-market upper bound is inclusive',
      { company: company({ employees: 999 }) },
      {
        rule: 'size_band',
        ruleId: 'mid-market',
        teamId: 'ae-midmarket',
        repId: null,
        candidateRepIds: AE_MIDMARKET,
        explanation: 'Company size 999 is in the mid-market band (200–999): round-robin in AE Mid-Market',
      },
    ],
    [
      'industry vertical, case-insensitive, below every size band',
      { company: company({ employees: 150, industry: 'pharmaceuticals' }) },
      {
        rule: 'industry',
        ruleId: 'healthcare',
        teamId: 'ae-midmarket',
        repId: null,
        candidateRepIds: ['rep-grace'],
        explanation:
          'Industry pharmaceuticals is in the healthcare vertical: round-robin in AE Mid-Market among Grace Kim',
      },
    ],
    [
      'no rule matches: round-robin in the default team',
      { company: company({ employees: 199, industry: 'Retail' }) },
      {
        rule: 'round_robin',
        ruleId: null,
        teamId: 'sdr-inbound',
        repId: null,
        candidateRepIds: SDR_INBOUND,
        explanation: 'No routing rule matched: round-robin in SDR Inbound',
      },
    ],
    [
      'no company and no country: round-robin in the default team',
      { company: null, country: null },
      {
        rule: 'round_robin',
        ruleId: null,
        teamId: 'sdr-inbound',
        repId: null,
        candidateRepIds: SDR_INBOUND,
        explanation: 'No routing rule matched: round-robin in SDR Inbound',
      },
    ],
    [
      'a look-alike domain is not the named account',
      { email: 'dana@notglobex.example', company: company({ domain: 'notglobex.example', employees: 50 }) },
      {
        rule: 'round_robin',
        ruleId: null,
        teamId: 'sdr-inbound',
        repId: null,
        candidateRepIds: SDR_INBOUND,
        explanation: 'No routing rule matched: round-robin in SDR Inbound',
      },
    ],
  ])('%s', (_case, overrides, expected) => {
    expect(decideRoute(lead(overrides), config)).toEqual(expected);
  });

  it('sends the lead to the open-deal owner first, even on a named account', () => {
    const decision = decideRoute(lead({ email: 'dana@globex.example' }), config, { openDealOwnerRepId: 'rep-elena' });
    expect(decision).toEqual({
      rule: 'open_deal_owner',
      ruleId: null,
      teamId: 'ae-midmarket',
      repId: 'rep-elena',
      candidateRepIds: AE_MIDMARKET,
      explanation: 'An open deal on this account is owned by Elena Rossi',
    });
  });

  it('ignores a null open-deal owner', () => {
    expect(decideRoute(lead({ email: 'dana@globex.example' }), config, { openDealOwnerRepId: null }).rule).toBe(
      'named_account',
    );
  });

  it('rejects an open-deal owner that is not a configured rep, naming it', () => {
    expect(() => decideRoute(lead(), config, { openDealOwnerRepId: 'rep-nobody' })).toThrow(
      'rep "rep-nobody" is not in the configuration',
    );
  });

  describe('territories with regions', () => {
    const withRegions: OrgConfig = {
      ...config,
      routing: {
        ...config.routing,
        territories: [
          { id: 'us-west', countries: ['US'], regions: ['CA', 'WA'], teamId: 'sdr-inbound', repIds: ['rep-ben'] },
          ...config.routing.territories,
        ],
      },
    };
    it.each([
      ['a listed region, any case', 'ca', 'territory'],
      ['another region', 'NY', 'round_robin'],
      ['no region', null, 'round_robin'],
    ])('%s', (_case, region, rule) => {
      const decision = decideRoute(lead({ region, company: company({ employees: 50 }) }), withRegions);
      expect(decision.rule).toBe(rule);
    });

    it('names the region in the explanation', () => {
      expect(decideRoute(lead({ region: 'WA', company: company({ employees: 50 }) }), withRegions).explanation).toBe(
        'WA, US is in the us-west territory: round-robin in SDR Inbound among Ben Carter',
      );
    });
  });
});

describe('countryKey', () => {
  it.each([
    ['de', 'DE'],
    ['Germany', 'DE'],
    [' united kingdom ', 'GB'],
    ['UK', 'GB'],
    ['United States', 'US'],
    ['USA', 'US'],
    ['Netherlands', 'NL'],
    ['Atlantis', 'atlantis'],
  ])('%s → %s', (value, key) => {
    expect(countryKey(value)).toBe(key);
  });
});

describe('domains', () => {
  it.each([
    ['globex.example', 'globex.example', true],
    ['eu.globex.example', 'globex.example', true],
    ['notglobex.example', 'globex.example', false],
    ['globex.example.evil', 'globex.example', false],
    ['WWW.GLOBEX.EXAMPLE', 'globex.example', true],
  ])('%s matches %s: %s', (domain, parent, expected) => {
    expect(domainMatches(domain, parent)).toBe(expected);
  });

  it.each([
    ['https://www.Globex.example/about?x=1', 'globex.example'],
    ['globex.example:443', 'globex.example'],
    ['  ', null],
    [null, null],
  ])('normalizeDomain(%p) → %p', (value, expected) => {
    expect(normalizeDomain(value)).toBe(expected);
  });
});

describe('isOutOfOffice (Chloe is away 22 Dec 2026 – 4 Jan 2027, New York time)', () => {
  const chloe = findRep(config, 'rep-chloe')!.rep;
  it.each([
    ['the minute before', '2026-12-21T23:59:00-05:00', false],
    ['the first moment', '2026-12-22T00:00:00-05:00', true],
    ['the last day', '2027-01-03T23:59:00-05:00', true],
    ['back at work (end is exclusive)', '2027-01-04T00:00:00-05:00', false],
  ])('%s → %s', (_case, now, expected) => {
    expect(isOutOfOffice(chloe, new Date(now))).toBe(expected);
  });
});

describe('rosterCandidates', () => {
  it('lists the whole team when no subset is given, with capacity and availability at that moment', () => {
    expect(rosterCandidates(config, 'sdr-inbound', [], new Date('2026-12-23T12:00:00Z'))).toEqual([
      { repId: 'rep-ana', capacity: 25, available: true },
      { repId: 'rep-ben', capacity: 25, available: true },
      { repId: 'rep-chloe', capacity: 20, available: false },
      { repId: 'rep-dev', capacity: 25, available: true },
    ]);
  });

  it('keeps the pool order of a routing rule subset', () => {
    expect(
      rosterCandidates(config, 'ae-enterprise', ['rep-jonas', 'rep-hugo'], new Date('2026-11-20T12:00:00Z')),
    ).toEqual([
      { repId: 'rep-jonas', capacity: 10, available: true },
      { repId: 'rep-hugo', capacity: 10, available: true },
    ]);
  });

  it.each([
    [
      'an unknown team',
      'sdr-outbound',
      [],
      'unknown team "sdr-outbound"; expected one of: sdr-inbound, ae-midmarket, ae-enterprise',
    ],
    ['a rep of another team', 'sdr-inbound', ['rep-hugo'], 'rep "rep-hugo" is not in team "sdr-inbound"'],
  ])('rejects %s, naming it', (_case, teamId, repIds, message) => {
    expect(() => rosterCandidates(config, teamId, repIds, new Date('2026-11-20T12:00:00Z'))).toThrow(message);
  });
});
