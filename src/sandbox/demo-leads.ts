/**
 * Fresh copies of the seeded demo contacts. Handoff workflow ids are global to a Temporal server, so tests and
 * benches that share one hand off a copy rather than the seed itself: same properties (email made unique, domain
 * kept so routing is the seed's), same company, notes and web events, under an id unique across emulator instances.
 */
import type { HubSpotStore } from './hubspot/store';

let copies = 0;

/**
 * Numeric like HubSpot's ids and unique across processes sharing one Temporal server. 15 digits: HubSpot ids are
 * JSON numbers, so they stay below 2^53.
 */
export function uniqueContactId(): string {
  copies = (copies + 1) % 100;
  const ms = String(Date.now() % 1e9).padStart(9, '0');
  return `9${ms}${String(process.pid % 1000).padStart(3, '0')}${String(copies).padStart(2, '0')}`;
}

export function cloneDemoContact(store: HubSpotStore, seedId: string): string {
  const seed = store.get('contacts', seedId);
  if (!seed) throw new Error(`no seeded contact ${seedId}`);
  const id = uniqueContactId();
  const properties = { ...seed.properties };
  for (const p of ['hs_object_id', 'createdate', 'lastmodifieddate']) delete properties[p];
  if (properties.email) properties.email = properties.email.replace('@', `+${id}@`);
  store.create('contacts', properties, [], { id, system: true });
  for (const type of ['companies', 'notes'] as const) {
    for (const a of store.associations('contacts', seedId, type)) store.associate('contacts', id, type, a.toObjectId);
  }
  for (const e of store.webEvents.filter((x) => x.objectId === seedId)) {
    store.addWebEvent({ objectId: id, eventType: e.eventType, occurredAt: e.occurredAt, properties: e.properties });
  }
  return id;
}
