/**
 * The HubSpot webhook event the benches send: a contact whose lifecycle stage became MQL, in the shape HubSpot's
 * webhooks API posts (one element of the batch array). The bridge verifies and parses it as it would HubSpot's own.
 */
export interface MqlEventInput {
  eventId: number;
  portalId: number | string;
  contactId: string;
}

export function mqlWebhookEvent({ eventId, portalId, contactId }: MqlEventInput): Record<string, unknown> {
  return {
    eventId,
    subscriptionId: 1,
    portalId: Number(portalId),
    appId: 1,
    occurredAt: Date.now(),
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: Number(contactId),
    propertyName: 'lifecyclestage',
    propertyValue: 'marketingqualifiedlead',
    changeSource: 'CRM',
  };
}
