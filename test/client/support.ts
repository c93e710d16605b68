/**
 * Requests as HubSpot, Salesforce and Slack send them, for the bridge tests: signed with the documented
 * algorithms, shaped like the senders' documentation and the sandbox emulators.
 */
import type { Client } from '@temporalio/client';
import { createHmac } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { BridgeSecrets } from '../../src/client/bridge/secrets';
import { TemporalUnavailableError, type TemporalGateway } from '../../src/client/temporal-gateway';
import { SANDBOX_ORG_ID } from '../../src/sandbox/salesforce/seed';

export const HUBSPOT_SECRET = 'test-hubspot-client-secret';
export const SLACK_SECRET = 'test-slack-signing-secret';
export const SF_ORG_ID = SANDBOX_ORG_ID;
export const PORTAL_ID = 4410001;

/** The secrets the test bridges are created with (createBridge's `secrets`). */
export const BRIDGE_SECRETS: BridgeSecrets = {
  hubspotClientSecret: HUBSPOT_SECRET,
  slackSigningSecret: SLACK_SECRET,
  salesforceOrgId: SF_ORG_ID,
};

/** A gateway whose Temporal is down: every call is counted and refused as unreachable. */
export function unreachableTemporal(address = '127.0.0.1:1'): TemporalGateway & { calls: number } {
  const gateway = {
    address,
    calls: 0,
    async run<T>(_fn: (c: Client) => Promise<T>): Promise<T> {
      gateway.calls += 1;
      throw new TemporalUnavailableError(address);
    },
    ready: async () => false,
    close: async () => undefined,
  };
  return gateway;
}

/** A loopback port nothing listens on (fetch refuses the well-known "bad ports" such as 9 outright). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** X-HubSpot-Signature-v3 headers for a POST of `body` to `uri` (computed here, independently of the bridge). */
export function hubspotHeaders(uri: string, body: string, opts: { secret?: string; timestampMs?: number } = {}) {
  const timestamp = String(opts.timestampMs ?? Date.now());
  const signature = createHmac('sha256', opts.secret ?? HUBSPOT_SECRET)
    .update(`POST${uri}${body}${timestamp}`)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': signature,
    'x-hubspot-request-timestamp': timestamp,
  };
}

/** X-Slack-Signature headers for `body`. */
export function slackHeaders(body: string, opts: { secret?: string; timestampSeconds?: number } = {}) {
  const ts = String(opts.timestampSeconds ?? Math.floor(Date.now() / 1000));
  const mac = createHmac('sha256', opts.secret ?? SLACK_SECRET)
    .update(`v0:${ts}:${body}`)
    .digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${mac}`,
  };
}

let eventCounter = 0;
/** A unique HubSpot eventId per call. */
export function nextEventId(): number {
  eventCounter += 1;
  return Date.now() * 1000 + eventCounter;
}

export function lifecycleMqlEvent(contactId: string, opts: { eventId?: number; occurredAt?: number } = {}) {
  return {
    eventId: opts.eventId ?? nextEventId(),
    subscriptionId: 11,
    portalId: PORTAL_ID,
    appId: 7,
    occurredAt: opts.occurredAt ?? Date.now(),
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: Number(contactId),
    propertyName: 'lifecyclestage',
    propertyValue: 'marketingqualifiedlead',
    changeSource: 'CRM_UI',
  };
}

export function salesActivityEvent(contactId: string, opts: { eventId?: number; occurredAt?: number } = {}) {
  return {
    ...lifecycleMqlEvent(contactId, opts),
    propertyName: 'hs_last_sales_activity_timestamp',
    propertyValue: String(opts.occurredAt ?? Date.now()),
  };
}

export interface OutboundNotificationSpec {
  id: string;
  /** sObject type for xsi:type; '' leaves it out. */
  type: string;
  fields: Record<string, string>;
}

/** A Salesforce outbound message SOAP envelope (the shape of the outbound messaging WSDL). */
export function outboundMessage(notifications: OutboundNotificationSpec[], orgId: string = SF_ORG_ID): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const items = notifications
    .map(
      (n) =>
        `<Notification><Id>${esc(n.id)}</Id>` +
        `<sObject${n.type ? ` xsi:type="sf:${n.type}"` : ''} xmlns:sf="urn:sobject.enterprise.soap.sforce.com">` +
        Object.entries(n.fields)
          .map(([k, v]) => `<sf:${k}>${esc(v)}</sf:${k}>`)
          .join('') +
        '</sObject></Notification>',
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">' +
    (orgId ? `<OrganizationId>${orgId}</OrganizationId>` : '') +
    '<ActionId>04k5g000000CaRkAAK</ActionId><SessionId xsi:nil="true"/>' +
    '<EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/62.0/00D5g00000AcmeA</EnterpriseUrl>' +
    '<PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/62.0/00D5g00000AcmeA</PartnerUrl>' +
    items +
    '</notifications></soapenv:Body></soapenv:Envelope>'
  );
}

export { eventually as until } from '../support/eventually';

export {
  cloneDemoContact as cloneSandboxContact,
  uniqueContactId as uniqueHubSpotId,
} from '../../src/sandbox/demo-leads';
