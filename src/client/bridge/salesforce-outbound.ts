/**
 * Salesforce Outbound Messages (SOAP, `http://soap.sforce.com/2005/09/outbound`): a `notifications` element with
 * the sending org's `OrganizationId` and up to 100 `Notification`s, each an `Id` and an `sObject` whose
 * `xsi:type` names the object and whose children are the fields chosen when the message was set up. Salesforce
 * re-sends until it receives the `notificationsResponse` with `<Ack>true</Ack>`, so a message is acknowledged once
 * every notification in it is handled (signalled, or ignored for a stated reason).
 *
 * What counts as rep activity (setup: src/client/README.md, "Salesforce"):
 *  - Task or Event created on a Lead/Contact: fields Id, WhoId, OwnerId, TaskSubtype (Task), CreatedDate and the
 *    HubSpot contact id copied onto the activity by a flow (the org config's `salesforce.externalIdField`,
 *    default `HubSpot_Contact_Id__c`). Tasks the handoff wrote itself carry `Handoff_Key__c` and are ignored.
 *  - Lead or Contact whose LastActivityDate changed: fields Id, OwnerId, LastActivityDate and the HubSpot id field.
 */
import { repByCrmOwnerId } from '../../domain/org';
import type { OrgConfig } from '../../domain/org-config';
import type { RepActivity, RepActivityType } from '../../workflows/definitions';
import { problem, type Problem } from './bad-request';
import { child, childText, parseXml, XmlSyntaxError, type XmlElement } from './xml';

export type OutboundDecision =
  | { action: 'signal'; contactId: string; activity: RepActivity }
  | { action: 'ignore'; reason: string };

export interface OutboundNotification {
  /** The notification id (stable across Salesforce's re-sends). */
  id: string;
  objectType: string;
  recordId: string | null;
  decision: OutboundDecision;
}

/** The acknowledgement Salesforce waits for. */
export const OUTBOUND_ACK = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">',
  '<soapenv:Body>',
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">',
  '<Ack>true</Ack>',
  '</notificationsResponse>',
  '</soapenv:Body>',
  '</soapenv:Envelope>',
].join('');

/** Field on Task holding the handoff's idempotency key: set only on Tasks the handoff wrote. */
const HANDOFF_KEY_FIELD = 'Handoff_Key__c';

const TASK_SUBTYPES: Record<string, RepActivityType> = { Call: 'call', Email: 'email', ListEmail: 'email' };

export function parseOutboundMessage(
  body: Buffer,
  expectedOrgId: string,
  config: OrgConfig,
): { orgId: string; notifications: OutboundNotification[] } | { problem: Problem; status: number } {
  let root: XmlElement;
  try {
    root = parseXml(body.toString('utf8'));
  } catch (e) {
    const why = e instanceof XmlSyntaxError ? e.message : 'unreadable';
    return { status: 400, problem: problem(`body is not XML: ${why}`, 'body', 'a SOAP envelope') };
  }
  const notifications = root.local === 'Envelope' ? child(child(root, 'Body') ?? root, 'notifications') : null;
  if (!notifications) {
    return {
      status: 400,
      problem: problem('no notifications element in a SOAP Envelope/Body', 'body', 'a Salesforce outbound message'),
    };
  }
  const orgId = childText(notifications, 'OrganizationId');
  if (!orgId) {
    return {
      status: 400,
      problem: problem('OrganizationId is missing', 'notifications.OrganizationId', 'the sending org id 00D…'),
    };
  }
  if (!expectedOrgId) {
    return {
      status: 403,
      problem: problem(
        `OrganizationId ${orgId} is not accepted: SALESFORCE_ORG_ID is not set, so no org may send outbound messages`,
        'notifications.OrganizationId',
        'the org in SALESFORCE_ORG_ID',
      ),
    };
  }
  // Salesforce sends 18-character ids; the configured id may be the 15-character form.
  if (orgId.slice(0, 15) !== expectedOrgId.slice(0, 15)) {
    return {
      status: 403,
      problem: problem(
        `OrganizationId ${orgId} is not the configured org`,
        'notifications.OrganizationId',
        'the org in SALESFORCE_ORG_ID',
      ),
    };
  }
  const list = notifications.children.filter((c) => c.local === 'Notification');
  if (list.length === 0) {
    return {
      status: 400,
      problem: problem('the message has no Notification', 'notifications.Notification', '1 to 100 notifications'),
    };
  }
  if (list.length > 100) {
    return {
      status: 400,
      problem: problem(`${list.length} notifications in one message`, 'notifications.Notification', 'at most 100'),
    };
  }
  const parsed: OutboundNotification[] = [];
  for (const [i, n] of list.entries()) {
    const id = childText(n, 'Id');
    const sObject = child(n, 'sObject');
    const type = sObject ? typeName(sObject) : null;
    if (!id || !sObject || !type) {
      return {
        status: 400,
        problem: problem(
          `notification ${i} has no ${!id ? 'Id' : !sObject ? 'sObject' : 'xsi:type on its sObject'}`,
          `notifications.Notification[${i}]`,
          'an Id and an sObject with xsi:type',
        ),
      };
    }
    parsed.push({
      id,
      objectType: type,
      recordId: childText(sObject, 'Id'),
      decision: decide(sObject, type, id, config),
    });
  }
  return { orgId, notifications: parsed };
}

function decide(sObject: XmlElement, type: string, notificationId: string, config: OrgConfig): OutboundDecision {
  const hubspotField = config.salesforce.externalIdField;
  const contactId = childText(sObject, hubspotField);
  const recordId = childText(sObject, 'Id');
  const ownerId = childText(sObject, 'OwnerId');
  const repId = ownerId ? (repByCrmOwnerId(config, 'salesforce', ownerId)?.id ?? undefined) : undefined;
  const ignore = (reason: string): OutboundDecision => ({ action: 'ignore', reason });
  const withContact = (activity: RepActivity): OutboundDecision => {
    if (!contactId)
      return ignore(`${type} ${recordId ?? notificationId} has no ${hubspotField}: no HubSpot contact to tell`);
    if (!/^[1-9]\d{0,19}$/.test(contactId))
      return ignore(`${type} ${recordId ?? notificationId} has a ${hubspotField} that is not a HubSpot id`);
    return { action: 'signal', contactId, activity: repId ? { ...activity, repId } : activity };
  };

  switch (type) {
    case 'Task':
    case 'Event': {
      if (childText(sObject, HANDOFF_KEY_FIELD))
        return ignore(`${type} ${recordId ?? notificationId} was written by the handoff`);
      if (!recordId) return ignore(`${type} notification ${notificationId} has no record Id`);
      const subtype = childText(sObject, 'TaskSubtype');
      const activityType: RepActivityType = type === 'Event' ? 'meeting' : (TASK_SUBTYPES[subtype ?? ''] ?? 'task');
      const created = isoOrUndefined(childText(sObject, 'CreatedDate'));
      return withContact({
        type: activityType,
        source: 'salesforce',
        ...(created ? { at: created } : {}),
        externalId: `salesforce-${recordId}`,
      });
    }
    case 'Lead':
    case 'Contact': {
      if (!childText(sObject, 'LastActivityDate'))
        return ignore(`${type} ${recordId ?? notificationId} has no LastActivityDate`);
      return withContact({
        type: 'task',
        source: 'salesforce',
        externalId: `salesforce-notification-${notificationId}`,
      });
    }
    default:
      return ignore(`${type} notifications are not used by the handoff`);
  }
}

function typeName(sObject: XmlElement): string | null {
  const raw = Object.entries(sObject.attributes).find(([k]) => k.split(':').pop() === 'type')?.[1];
  const name = raw?.split(':').pop();
  return name && /^\w+$/.test(name) ? name : null;
}

function isoOrUndefined(v: string | null): string | undefined {
  if (!v) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
