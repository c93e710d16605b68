/**
 * The official HubSpot client, configured the way the handoff needs it: private-app token, optional base path
 * (the sandbox emulator, or api.hubapi.com by default) and no client-side retries (Temporal retries activities).
 */
import { Client } from '@hubspot/api-client';

export interface HubSpotConnectionOptions {
  /** Private-app access token (from the environment; never logged). */
  accessToken: string;
  /** API origin, e.g. the sandbox emulator's URL. Default: https://api.hubapi.com. */
  baseUrl?: string;
  /** The client's own retries stay off: Temporal owns retrying. Only 0 is accepted. */
  numberOfApiCallRetries?: 0;
}

export function createHubSpotClient(opts: HubSpotConnectionOptions): Client {
  if (typeof opts.accessToken !== 'string' || opts.accessToken.trim() === '') {
    throw new Error('HubSpot accessToken is empty: expected the private-app access token (e.g. HUBSPOT_ACCESS_TOKEN)');
  }
  if (opts.numberOfApiCallRetries !== undefined && opts.numberOfApiCallRetries !== 0) {
    throw new Error(
      `HubSpot numberOfApiCallRetries = ${JSON.stringify(opts.numberOfApiCallRetries)}: expected 0 (Temporal retries activities)`,
    );
  }
  return new Client({
    accessToken: opts.accessToken.trim(),
    ...(opts.baseUrl !== undefined ? { basePath: normaliseBaseUrl(opts.baseUrl) } : {}),
    numberOfApiCallRetries: 0,
  });
}

/** "http://127.0.0.1:4010/" → "http://127.0.0.1:4010"; the client appends paths that start with "/". */
function normaliseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`HubSpot baseUrl "${baseUrl}" is not a URL: expected e.g. https://api.hubapi.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`HubSpot baseUrl "${baseUrl}" must be http(s)`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * The API objects the adapters use, instantiated now. The client decorates API objects with retries through a
 * process-wide singleton when they are first touched; binding them right after our own `new Client` (which set
 * "no decorators") keeps another Client created later in the process from adding retries to ours.
 */
export function bindHubSpotApis(client: Client) {
  return {
    contacts: client.crm.contacts.basicApi,
    companies: client.crm.companies.basicApi,
    deals: client.crm.deals.basicApi,
    pipelines: client.crm.pipelines.pipelinesApi,
    dealsBatch: client.crm.deals.batchApi,
    tasks: client.crm.objects.tasks.basicApi,
    tasksBatch: client.crm.objects.tasks.batchApi,
    notesBatch: client.crm.objects.notes.batchApi,
    associations: client.crm.associations.v4.basicApi,
    listMemberships: client.crm.lists.membershipsApi,
    events: client.events.eventsApi,
    properties: client.crm.properties.coreApi,
    propertyGroups: client.crm.properties.groupsApi,
  };
}

export type HubSpotApis = ReturnType<typeof bindHubSpotApis>;
