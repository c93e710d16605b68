import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { resolveOrgConfigPath } from '../../src/config/org-config-file';
import { OrgConfigError, parseOrgConfig } from '../../src/domain/org-config';

/** Untyped on purpose: these tests write malformed values into the parsed YAML. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawConfig = Record<string, any>;

/** The sample configuration as the user wrote it, before validation. */
function sampleRaw(): RawConfig {
  return parseYaml(readFileSync(resolveOrgConfigPath({}), 'utf8'));
}

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    parseOrgConfig(raw, 'handoff.config.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(OrgConfigError);
    return (e as OrgConfigError).issues;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('parseOrgConfig', () => {
  it('accepts the sample org and applies defaults', () => {
    const config = parseOrgConfig(sampleRaw());
    expect(config.teams.map((t) => t.id)).toEqual(['sdr-inbound', 'ae-midmarket', 'ae-enterprise']);
    expect(config.leadTypes.enabled).toEqual(['demo_request', 'behavioral', 'outbound']);
    expect(config.icp.freeMailDomains).toContain('gmail.com');
    expect(config.teams[0]!.reps[0]!.outOfOffice).toEqual([]);
  });

  it.each<[string, (raw: RawConfig) => void, string, RegExp]>([
    [
      'a capacity below 1',
      (r) => (r.teams[0].reps[1].capacity = 0),
      'teams.0.reps.1.capacity',
      /greater than or equal to 1/,
    ],
    [
      'an unknown time zone',
      (r) => (r.calendars[1].timeZone = 'Mars/Olympus'),
      'calendars.1.timeZone',
      /IANA time zone/,
    ],
    [
      'hours that end before they start',
      (r) => (r.calendars[0].hours = { start: '17:00', end: '08:00' }),
      'calendars.0.hours',
      /start must be before/,
    ],
    [
      'a holiday that is not a date',
      (r) => (r.calendars[0].holidays[0] = '26/11/2026'),
      'calendars.0.holidays.0',
      /YYYY-MM-DD/,
    ],
    [
      'a duration in words',
      (r) => (r.sla.ladders.demo_request.rungs[0].after = '30 minutes'),
      'sla.ladders.demo_request.rungs.0.after',
      /expected a duration/,
    ],
    [
      'a rung listed twice',
      (r) => r.sla.ladders.outbound.rungs.push({ rung: 'reminder', after: '1h' }),
      'sla.ladders.outbound.rungs',
      /each rung may appear once/,
    ],
    [
      'an unknown high-intent event',
      (r) => (r.mql.highIntent.events = ['demo_request', 'phone_call']),
      'mql.highIntent.events.1',
      /Invalid enum value/,
    ],
    [
      'an out-of-office window that ends first',
      (r) => (r.teams[0].reps[2].outOfOffice[0].to = '2026-12-01T00:00:00Z'),
      'teams.0.reps.2.outOfOffice.0',
      /"from" must be before "to"/,
    ],
    [
      'an unknown manager',
      (r) => (r.teams[1].managerId = 'mgr-nobody'),
      'teams.1.managerId',
      /unknown manager "mgr-nobody"/,
    ],
    ['an unknown calendar', (r) => (r.teams[2].calendarId = 'apac'), 'teams.2.calendarId', /unknown calendar "apac"/],
    [
      'a named account for an unknown rep',
      (r) => (r.routing.namedAccounts[0].repId = 'rep-zoe'),
      'routing.namedAccounts.0.repId',
      /unknown rep "rep-zoe"/,
    ],
    [
      'a territory rep of another team',
      (r) => (r.routing.territories[0].repIds = ['rep-ana']),
      'routing.territories.0.repIds.0',
      /rep "rep-ana" is not in team "ae-enterprise"/,
    ],
    [
      'a size band upside down',
      (r) => (r.routing.sizeBands[1].maxEmployees = 100),
      'routing.sizeBands.1.maxEmployees',
      /must be ≥ minEmployees/,
    ],
    [
      'an unknown default team',
      (r) => (r.routing.defaultTeamId = 'sdr-outbound'),
      'routing.defaultTeamId',
      /unknown team "sdr-outbound"/,
    ],
    [
      'a duplicate rep',
      (r) => r.teams[1].reps.push({ ...r.teams[0].reps[0] }),
      'teams.1.reps.3.id',
      /rep "rep-ana" is already in team "sdr-inbound"/,
    ],
    [
      'Salesforce without a Salesforce user id',
      (r) => {
        r.salesCrm = 'salesforce';
        delete r.teams[2].reps[0].crmOwnerIds.salesforce;
      },
      'teams.2.reps.0.crmOwnerIds.salesforce',
      /required when salesCrm is "salesforce"/,
    ],
    [
      'a picklist without "timing not right"',
      (r) =>
        (r.rejection.reasons = r.rejection.reasons.filter((x: { reason: string }) => x.reason !== 'timing_not_right')),
      'rejection.reasons',
      /must include "timing_not_right"/,
    ],
    [
      'an unknown rejection reason',
      (r) => (r.rejection.reasons[0].reason = 'too_expensive'),
      'rejection.reasons.0.reason',
      /Invalid enum value/,
    ],
  ])('names the field for %s', (_case, mutate, path, message) => {
    const raw = sampleRaw();
    mutate(raw);
    const issue = issuesOf(raw).find((i) => i.path === path);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('puts the source and every bad path in the error message', () => {
    const raw = sampleRaw();
    raw.teams[0].reps[1].capacity = 0;
    raw.calendars[0].timeZone = 'Nowhere';
    expect(() => parseOrgConfig(raw, 'config/handoff.config.yaml')).toThrow(
      /config\/handoff\.config\.yaml is invalid:\n {2}- calendars\.0\.timeZone: .*\n {2}- teams\.0\.reps\.1\.capacity: /,
    );
  });

  it('reports a missing section at its path, and a non-object at the root', () => {
    const raw = sampleRaw();
    delete raw.routing;
    expect(issuesOf(raw)).toContainEqual({ path: 'routing', message: 'Required' });
    expect(issuesOf('not a config')).toEqual([{ path: '(root)', message: 'Expected object, received string' }]);
  });
});
