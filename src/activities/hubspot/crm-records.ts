/**
 * Small helpers both HubSpot adapters share: record links, id checks, reading every association of a record
 * (associations v4, strongly consistent, unlike search) and batch-reading records.
 */
import type { OrgConfig } from '../../domain/org-config';
import type { HubSpotApis } from './hubspot-client';
import { callHubSpot, invalidInput } from './hubspot-errors';

export const OBJECT_TYPE_ID = { contact: '0-1', company: '0-2', deal: '0-3' } as const;

/** Link to a record in HubSpot's UI. */
export function recordUrl(config: OrgConfig, objectTypeId: string, id: string): string {
  const base = config.hubspot.appBaseUrl.replace(/\/+$/, '');
  return `${base}/contacts/${config.hubspot.portalId}/record/${objectTypeId}/${id}`;
}

/** Whether `id` has the shape of a HubSpot record or owner id: a decimal number. */
export function isHubSpotId(id: unknown): id is string {
  return typeof id === 'string' && /^\d{1,18}$/.test(id);
}

/** HubSpot record ids are decimal numbers; anything else is a caller bug, refused before sending. */
export function requireRecordId(operation: string, kind: string, id: unknown): string {
  if (!isHubSpotId(id)) {
    throw invalidInput(operation, undefined, `${kind}Id`, id, `a HubSpot ${kind} id (digits)`);
  }
  return id;
}

export interface AssociatedRecord {
  id: string;
  typeIds: number[];
}

/** Every record of `toType` associated with a record, following paging. */
export async function associatedRecords(
  apis: HubSpotApis,
  fromType: string,
  fromId: string,
  toType: string,
  operation: string,
): Promise<AssociatedRecord[]> {
  const out: AssociatedRecord[] = [];
  let after: string | undefined;
  do {
    const page = await callHubSpot({ operation, object: `${fromType} ${fromId}` }, () =>
      apis.associations.getPage(fromType, fromId, toType, after, 500),
    );
    for (const r of page.results) {
      out.push({ id: String(r.toObjectId), typeIds: r.associationTypes.map((t) => t.typeId) });
    }
    after = page.paging?.next?.after;
  } while (after);
  return out;
}

export interface RecordValues {
  id: string;
  properties: Record<string, string | null>;
}

type BatchReader = (input: {
  inputs: { id: string }[];
  properties: string[];
  propertiesWithHistory: string[];
}) => Promise<{ results: { id: string; properties: Record<string, string | null> }[] }>;

/** Reads records 100 at a time; ids that no longer exist are skipped (HubSpot answers 207 for them). */
export async function batchRead(
  read: BatchReader,
  ids: string[],
  properties: string[],
  ctx: { operation: string; object: string },
): Promise<RecordValues[]> {
  const out: RecordValues[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const res = await callHubSpot(ctx, () =>
      read({ inputs: chunk.map((id) => ({ id })), properties, propertiesWithHistory: [] }),
    );
    out.push(...res.results.map((r) => ({ id: r.id, properties: r.properties })));
  }
  return out;
}

/** A property value as a trimmed string, or null when unset/empty. */
export function text(v: string | null | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}
