/**
 * Registers the handoff's custom search attributes on a Temporal server through the operator API. The dev server
 * gets them on its command line (`--search-attribute`); this serves servers started another way (the Java
 * time-skipping test server, a fresh self-hosted cluster). Re-registering an existing attribute is harmless.
 */
import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/definitions';

const INDEXED: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.KEYWORD_LIST]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const { name, type } of SEARCH_ATTRIBUTE_DEFINITIONS) {
    const indexed = INDEXED[type];
    if (indexed === undefined) throw new Error(`search attribute ${name}: no indexed type for ${type}`);
    searchAttributes[name] = indexed;
  }
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (e) {
    // ALREADY_EXISTS (6) when they are registered: fine.
    if ((e as { code?: number }).code !== 6) throw e;
  }
}
