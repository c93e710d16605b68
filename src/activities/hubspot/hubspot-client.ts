/**
 * The official HubSpot client, configured the way the handoff needs it: private-app token, optional base path
 * (the sandbox emulator, or api.hubapi.com by default) and no client-side retries (Temporal retries activities).
 * Every API call of one client passes one Retry-After gate (../retry-after-gate.ts): after a 429 no request of that
 * client goes out until HubSpot's Retry-After has passed, whichever lead or operation it is for.
 */
import { Client } from '@hubspot/api-client';
import { RetryAfterGate } from '../retry-after-gate';
import { retryAfterOfFailure } from './hubspot-errors';

export interface HubSpotConnectionOptions {
  /** Private-app access token (from the environment; never logged). */
  accessToken: string;
  /** API origin, e.g. the sandbox emulator's URL. Default: https://api.hubapi.com. */
  baseUrl?: string;
  /** The client's own retries stay off: Temporal owns retrying. Only 0 is accepted. */
  numberOfApiCallRetries?: 0;
  /**
   * After a 429, how long (ms) a call may wait in-process for the Retry-After window to close; a longer window
   * fails the call at once, unsent, as RateLimited with the delay left. Default 5 000.
   */
  retryAfterWaitMs?: number;
}

/** The Retry-After gate of each client this module created (a Client from elsewhere gets one on first binding). */
const gates = new WeakMap<Client, RetryAfterGate>();

function gateOf(client: Client): RetryAfterGate {
  let gate = gates.get(client);
  if (!gate) gates.set(client, (gate = new RetryAfterGate('hubspot')));
  return gate;
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
  const gate = new RetryAfterGate('hubspot', { maxWaitMs: opts.retryAfterWaitMs });
  const client = new Client({
    accessToken: opts.accessToken.trim(),
    ...(opts.baseUrl !== undefined ? { basePath: normaliseBaseUrl(opts.baseUrl) } : {}),
    numberOfApiCallRetries: 0,
  });
  gates.set(client, gate);
  return client;
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
 * The API objects the adapters use, instantiated now, each method behind the client's Retry-After gate (one method
 * call is one HTTP request: the client has no retry decorator). The client decorates API objects with retries
 * through a process-wide singleton when they are first touched; binding them right after our own `new Client`
 * (which set "no decorators") keeps another Client created later in the process from adding retries to ours.
 */
export function bindHubSpotApis(client: Client) {
  const gate = gateOf(client);
  const g = <T extends object>(api: T): T => gated(api, gate);
  return {
    contacts: g(client.crm.contacts.basicApi),
    companies: g(client.crm.companies.basicApi),
    deals: g(client.crm.deals.basicApi),
    pipelines: g(client.crm.pipelines.pipelinesApi),
    dealsBatch: g(client.crm.deals.batchApi),
    tasks: g(client.crm.objects.tasks.basicApi),
    tasksBatch: g(client.crm.objects.tasks.batchApi),
    notesBatch: g(client.crm.objects.notes.batchApi),
    associations: g(client.crm.associations.v4.basicApi),
    listMemberships: g(client.crm.lists.membershipsApi),
    events: g(client.events.eventsApi),
    properties: g(client.crm.properties.coreApi),
    propertyGroups: g(client.crm.properties.groupsApi),
  };
}

/** `api` with every method call passing the gate: held (waiting or refused) in a window, opening one on a 429. */
function gated<T extends object>(api: T, gate: RetryAfterGate): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => gate.run(() => Promise.resolve(value.apply(target, args)), retryAfterOfFailure);
    },
  });
}

export type HubSpotApis = ReturnType<typeof bindHubSpotApis>;
