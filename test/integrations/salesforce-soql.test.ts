/**
 * SOQL escaping: every value the adapter puts in a query is a literal, whatever it contains. Checked on the
 * literals themselves, through the emulator's SOQL parser (a value round-trips to exactly itself), and through the
 * adapter with hostile company names.
 */
import type { LeadSnapshot } from '../../src/domain/lead';
import { createSalesforceAdapters, soqlContains, soqlString } from '../../src/activities/salesforce';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import { SalesforceOrg } from '../../src/sandbox/salesforce/org';
import { ANA, BEN, config, lead, refreshTokenOptions } from './crm-fixture';

const HOSTILE = [
  "O'Brien & Sons",
  "x' OR Name != '",
  'back\\slash',
  'trailing backslash\\',
  '"double" quotes',
  'line\nbreak\tand tab',
  '100%_Pure',
  "'; DELETE FROM Account; --",
  'Zürich Ünïcødé',
];

describe('soqlString and soqlContains', () => {
  it.each([
    ['plain', 'Initrode', "'Initrode'"],
    ['single quote', "O'Brien", "'O\\'Brien'"],
    ['backslash', 'a\\b', "'a\\\\b'"],
    ['double quote', 'say "hi"', '\'say \\"hi\\"\''],
    ['newline and tab', 'a\nb\tc', "'a\\nb\\tc'"],
    ['wildcards are literal in =', '100%_Pure', "'100%_Pure'"],
  ])('soqlString: %s', (_case, value, literal) => {
    expect(soqlString(value)).toBe(literal);
  });

  it.each([
    ['plain', 'initrode.example', "'%initrode.example%'"],
    ['wildcards escaped', '100%_pure', "'%100\\%\\_pure%'"],
    ['quote and backslash', "o'b\\c", "'%o\\'b\\\\c%'"],
  ])('soqlContains: %s', (_case, value, literal) => {
    expect(soqlContains(value)).toBe(literal);
  });
});

describe('round trip through the SOQL parser', () => {
  const org = new SalesforceOrg();
  const ids = new Map(HOSTILE.map((name) => [name, org.seed('Account', { Name: name, Website: `${name}.example` })]));
  org.seed('Account', { Name: '100XYPure', Website: '100XYPure.example' });

  it.each(HOSTILE)('= %j matches exactly that account', (name) => {
    const { records } = org.query(`SELECT Id, Name FROM Account WHERE Name = ${soqlString(name)}`, 'v62.0');
    expect(records.map((r) => r.Id)).toEqual([ids.get(name)]);
  });

  it.each(HOSTILE)('LIKE contains %j matches only accounts containing it literally', (name) => {
    const { records } = org.query(`SELECT Name FROM Account WHERE Website LIKE ${soqlContains(name)}`, 'v62.0');
    expect(records.map((r) => r.Name)).toEqual(
      HOSTILE.filter((h) => `${h}.example`.toLowerCase().includes(name.toLowerCase())),
    );
  });
});

describe('the adapter with hostile company names', () => {
  let emu: SalesforceEmulator;

  beforeEach(async () => {
    emu = await startSalesforceEmulator({ config });
  });
  afterEach(async () => {
    await emu.close();
  });

  /** No email: the company's name and domain are all the adapter has to match an account by. */
  const leadAt = (name: string, domain: string | null): LeadSnapshot =>
    lead({
      email: null,
      jobTitle: null,
      phone: null,
      company: { id: null, name, domain, employees: 100, industry: null, country: 'US' },
    });

  const sales = () => createSalesforceAdapters(refreshTokenOptions(emu)).sales;

  it.each([
    ["x' OR Name != '", null],
    ["x' OR IsClosed = false OR Name = '", "evil.example' OR Website != '"],
    ['%', '%'],
    ['_', '_._'],
  ])('name %j / domain %j cannot widen the query', async (name, domain) => {
    await expect(sales().findOpenDeal(leadAt(name, domain))).resolves.toBeNull();
  });

  it('finds the account whose name has a quote in it', async () => {
    const account = emu.store.seed('Account', { Name: "O'Brien & Sons", Website: 'obrien.example' });
    emu.store.seed('Opportunity', {
      Name: "O'Brien — MQL",
      StageName: 'Prospecting',
      CloseDate: '2030-01-01',
      AccountId: account,
      OwnerId: BEN,
    });
    expect(await sales().findOpenDeal(leadAt("O'Brien & Sons", null))).toMatchObject({ name: "O'Brien — MQL" });
  });

  it('stores and finds task keys with quotes and backslashes', async () => {
    const crm = sales();
    await crm.assignOwner({
      lead: leadAt('Initrode', 'initrode.example'),
      ownerId: ANA,
      handoffWorkflowId: 'w',
    });
    const input = {
      lead: leadAt('Initrode', 'initrode.example'),
      ownerId: ANA,
      subject: 'First touch',
      body: 'Call.',
      dueAt: '2026-03-02T20:00:00Z',
      key: "k' OR Handoff_Key__c != '\\",
    };
    const first = await crm.createTask(input);
    expect(await crm.createTask(input)).toEqual(first);
    expect(await crm.createTask({ ...input, key: 'another' })).not.toEqual(first);
  });
});
