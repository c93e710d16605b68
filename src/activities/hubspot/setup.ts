/**
 * `npm run setup:hubspot`: creates the product's property group and custom properties on contacts, deals and
 * tasks when they are missing. Idempotent: run it as often as you like; a property that exists with the wrong
 * shape stops the run with a message saying what to fix in HubSpot.
 */
import type { Client } from '@hubspot/api-client';
import type { PropertyCreate } from '@hubspot/api-client/lib/codegen/crm/properties';
import { customPropertyDefinitions, PROPERTY_GROUP, type CustomPropertyObjectType } from './custom-properties';
import { bindHubSpotApis } from './hubspot-client';
import { callHubSpot } from './hubspot-errors';
import { ServiceError } from '../service-error';

export interface SetupReport {
  /** "contacts.mql_fit_score"… */
  created: string[];
  existing: string[];
}

export async function ensureCustomProperties(
  client: Client,
  options: { rejectionLabels?: Partial<Record<string, string>> } = {},
): Promise<SetupReport> {
  const apis = bindHubSpotApis(client);
  const report: SetupReport = { created: [], existing: [] };
  const definitions = customPropertyDefinitions(options.rejectionLabels);
  for (const objectType of Object.keys(definitions) as CustomPropertyObjectType[]) {
    const groups = await callHubSpot({ operation: 'list property groups', object: objectType }, () =>
      apis.propertyGroups.getAll(objectType),
    );
    if (!groups.results.some((g) => g.name === PROPERTY_GROUP.name)) {
      await createUnlessExists(
        { operation: 'create property group', object: `${objectType} group ${PROPERTY_GROUP.name}` },
        () => apis.propertyGroups.create(objectType, { name: PROPERTY_GROUP.name, label: PROPERTY_GROUP.label }),
      );
    }
    const existing = await callHubSpot({ operation: 'list properties', object: objectType }, () =>
      apis.properties.getAll(objectType),
    );
    const byName = new Map(existing.results.map((p) => [p.name, p]));
    for (const definition of definitions[objectType]) {
      const label = `${objectType}.${definition.name}`;
      const current = byName.get(definition.name);
      if (current) {
        const problem = shapeProblem(definition, current);
        if (problem)
          throw new Error(`HubSpot property ${label} exists but ${problem}; fix or delete it in HubSpot, then rerun`);
        report.existing.push(label);
        continue;
      }
      const created = await createUnlessExists({ operation: 'create property', object: label }, () =>
        // Same JSON as the client's PropertyCreate; its type/fieldType are string enums of the same values.
        apis.properties.create(objectType, definition as unknown as PropertyCreate),
      );
      (created ? report.created : report.existing).push(label);
    }
  }
  return report;
}

/** Creates; a 409 (someone created it meanwhile) counts as done. Returns whether we created it. */
async function createUnlessExists(
  ctx: { operation: string; object: string },
  create: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await callHubSpot(ctx, create);
    return true;
  } catch (e) {
    if (e instanceof ServiceError && e.details.status === 409) return false;
    throw e;
  }
}

function shapeProblem(
  wanted: { type: string; hasUniqueValue?: boolean; options?: { value: string }[] },
  actual: { type: string; hasUniqueValue?: boolean; options?: { value: string }[] },
): string | null {
  if (actual.type !== wanted.type) return `has type "${actual.type}", expected "${wanted.type}"`;
  if (wanted.hasUniqueValue && !actual.hasUniqueValue) return 'does not require unique values, expected it to';
  const missing = (wanted.options ?? [])
    .map((o) => o.value)
    .filter((v) => !(actual.options ?? []).some((o) => o.value === v));
  if (missing.length) return `lacks the options ${missing.join(', ')}`;
  return null;
}
