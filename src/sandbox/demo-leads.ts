/**
 * Handoff workflow ids are global to a Temporal server, so end-to-end tests that share the dev server hand off a
 * fresh copy of a seeded demo contact rather than the seed itself: same properties (email made unique, domain
 * kept for routing), same company, same web events and notes.
 */
import type { HubSpotStore } from '../../src/sandbox/hubspot/store';

let copies = 0;

export function cloneDemoContact(store: HubSpotStore, seedId: string): string {
  const seed = store.get('contacts', seedId);
  if (!seed) throw new Error(`no seeded contact ${seedId}`);
  copies += 1;
  const tag = `${Date.now().toString(36)}${process.pid}${copies}`;
  const properties = { ...seed.properties };
  delete properties.hs_object_id;
  delete properties.createdate;
  delete properties.lastmodifieddate;
  if (properties.email) properties.email = properties.email.replace('@', `+${tag}@`);
  // Numeric like HubSpot's ids, and unique across emulator instances sharing one Temporal server.
  const id = `9${String(Date.now()).slice(-9)}${String(process.pid % 1000).padStart(3, '0')}${copies}`;
  const copy = store.create('contacts', properties, [], { system: true, id });
  for (const type of ['companies', 'notes'] as const) {
    for (const a of store.associations('contacts', seedId, type))
      store.associate('contacts', copy.id, type, a.toObjectId);
  }
  for (const e of store.webEvents.filter((x) => x.objectId === seedId)) {
    store.addWebEvent({
      objectId: copy.id,
      eventType: e.eventType,
      occurredAt: e.occurredAt,
      properties: e.properties,
    });
  }
  return copy.id;
}
