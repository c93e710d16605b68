/**
 * `npm run setup:hubspot` (scripts/setup-hubspot.ts → ensureCustomProperties) against an unseeded portal: creates
 * the group and properties once, finds them the second time, and stops on a property of the wrong shape.
 */
import { createHubSpotClient, ensureCustomProperties } from '../../src/activities/hubspot';
import { customPropertyDefinitions } from '../../src/activities/hubspot/custom-properties';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../src/sandbox/hubspot/emulator';
import { setupHubSpot } from '../../scripts/setup-hubspot';

let emulator: HubSpotEmulator;
beforeEach(async () => {
  emulator = await startHubSpotEmulator({ seed: false });
});
afterEach(() => emulator.close());

const client = () => createHubSpotClient({ accessToken: emulator.accessToken, baseUrl: emulator.url });
const allProperties = Object.entries(customPropertyDefinitions()).flatMap(([type, defs]) =>
  defs.map((d) => `${type}.${d.name}`),
);

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
