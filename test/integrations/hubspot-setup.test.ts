/**
 * `npm run setup:hubspot` (scripts/setup-hubspot.ts → ensureCustomProperties) against an unseeded portal: creates
 * the group and properties once, finds them the second time, and stops on a property of the wrong shape. The
 * expected properties are written out by hand from the README's table (src/activities/hubspot/README.md), and the
 * adapter's setup is compared with the sandbox's separately written demo portal: neither reads the other's list.
 */
import { createHubSpotClient, ensureCustomProperties } from '../../src/activities/hubspot';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../src/sandbox/hubspot/emulator';
import { setupHubSpot } from '../../scripts/setup-hubspot';

let emulator: HubSpotEmulator;
beforeEach(async () => {
  emulator = await startHubSpotEmulator({ seed: false });
});
afterEach(() => emulator.close());

const client = (e: HubSpotEmulator = emulator) => createHubSpotClient({ accessToken: e.accessToken, baseUrl: e.url });

/** The README's table: object.property → HubSpot type (and unique value where it says so). */
const PRODUCT_PROPERTIES: Record<string, { type: string; hasUniqueValue?: boolean }> = {
  'contacts.mql_fit_score': { type: 'number' },
  'contacts.mql_engagement_score': { type: 'number' },
  'contacts.mql_handoff_mql_date': { type: 'datetime' },
  'contacts.mql_handoff_sql_date': { type: 'datetime' },
  'contacts.mql_handoff_rejected_reason': { type: 'enumeration' },
  'contacts.mql_handoff_workflow_id': { type: 'string' },
  'contacts.mql_handoff_disqualification': { type: 'string' },
  'deals.mql_handoff_key': { type: 'string', hasUniqueValue: true },
  'tasks.mql_handoff_key': { type: 'string' },
};
const allProperties = Object.keys(PRODUCT_PROPERTIES);
const PICKLIST = ['wrong_company_size', 'wrong_title', 'no_budget_signal', 'bad_data_quality', 'timing_not_right'];

/** The portal's own (not HubSpot-defined) properties, in the form the table above uses. */
function customProperties(e: HubSpotEmulator, except: string[] = []) {
  const state = e.store.snapshot() as unknown as {
    properties: Record<
      string,
      { name: string; type: string; hasUniqueValue?: boolean; options: { value: string }[] }[]
    >;
  };
  return Object.fromEntries(
    Object.entries(state.properties)
      .flatMap(([type, defs]) => defs.map((d) => [`${type}.${d.name}`, d] as const))
      .filter(([name]) => !except.includes(name)),
  );
}

it('creates the property group and every product property once', async () => {
  const first = await ensureCustomProperties(client());
  expect(first.created.sort()).toEqual([...allProperties].sort());
  expect(first.existing).toEqual([]);

  const second = await ensureCustomProperties(client());
  expect(second.created).toEqual([]);
  expect(second.existing.sort()).toEqual([...allProperties].sort());

  for (const type of ['contacts', 'deals', 'tasks'] as const) {
    expect(emulator.store.propertyGroups(type).filter((g) => g.name === 'mql_handoff')).toHaveLength(1);
  }
  expect(emulator.store.propertyDefinition('deals', 'mql_handoff_key')).toMatchObject({
    hasUniqueValue: true,
    groupName: 'mql_handoff',
  });
  expect(emulator.store.propertyDefinition('contacts', 'mql_handoff_mql_date')?.type).toBe('datetime');
  const creates = emulator.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/crm/v3/properties/'));
  expect(creates).toHaveLength(allProperties.length + 3);
  for (const [name, def] of Object.entries(customProperties(emulator))) {
    expect({ name, type: def.type, unique: Boolean(def.hasUniqueValue) }).toEqual({
      name,
      type: PRODUCT_PROPERTIES[name]?.type,
      unique: Boolean(PRODUCT_PROPERTIES[name]?.hasUniqueValue),
    });
  }
  expect(
    emulator.store.propertyDefinition('contacts', 'mql_handoff_rejected_reason')!.options.map((o) => o.value),
  ).toEqual(PICKLIST);
});

describe('the sandbox demo portal and the adapter setup, written apart, agree', () => {
  let seeded: HubSpotEmulator;
  beforeEach(async () => {
    seeded = await startHubSpotEmulator();
  });
  afterEach(() => seeded.close());

  it('on the seeded portal the setup finds every property it would create, each of the right shape', async () => {
    const report = await ensureCustomProperties(client(seeded));
    expect(report.created).toEqual([]);
    expect(report.existing.sort()).toEqual([...allProperties].sort());
  });

  it('the seeded portal has exactly the properties the setup creates, plus the org lead-source picklist', async () => {
    await setupHubSpot({ HUBSPOT_ACCESS_TOKEN: emulator.accessToken, HUBSPOT_BASE_URL: emulator.url }, () => undefined);
    const shape = (defs: ReturnType<typeof customProperties>) =>
      Object.fromEntries(
        Object.entries(defs).map(([name, d]) => [
          name,
          { type: d.type, unique: Boolean(d.hasUniqueValue), options: d.options.map((o) => o.value).sort() },
        ]),
      );
    const demo = customProperties(seeded, ['contacts.lead_source']);
    expect(shape(demo)).toEqual(shape(customProperties(emulator)));
    expect(Object.keys(demo).sort()).toEqual([...allProperties].sort());
    expect(seeded.store.propertyDefinition('contacts', 'lead_source')?.options.map((o) => o.value)).toContain(
      'Outbound',
    );
  });
});

it('the script labels the rejection picklist from the org configuration and logs what it did', async () => {
  const lines: string[] = [];
  const report = await setupHubSpot(
    { HUBSPOT_ACCESS_TOKEN: emulator.accessToken, HUBSPOT_BASE_URL: emulator.url },
    (l) => lines.push(l),
  );
  expect(report.created).toHaveLength(allProperties.length);
  expect(lines).toContain('created  contacts.mql_handoff_rejected_reason');
  const options = emulator.store.propertyDefinition('contacts', 'mql_handoff_rejected_reason')!.options;
  expect(options.map((o) => [o.value, o.label])).toContainEqual(['wrong_title', 'Wrong title / persona']);
});

it('stops with the property named when one exists with another type', async () => {
  emulator.store.createProperty('contacts', {
    name: 'mql_fit_score',
    label: 'Fit',
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
  });
  await expect(ensureCustomProperties(client())).rejects.toThrow(
    /contacts\.mql_fit_score exists but has type "string", expected "number"/,
  );
});

it('the script refuses to run without a token', async () => {
  await expect(setupHubSpot({ HUBSPOT_BASE_URL: emulator.url }, () => undefined)).rejects.toThrow(
    /HUBSPOT_ACCESS_TOKEN/,
  );
});
