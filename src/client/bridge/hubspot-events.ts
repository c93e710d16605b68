/**
 * What each event of a HubSpot webhook batch means for the handoff, decided in memory from the org config (no API
 * call): start a handoff, tell a running handoff the rep acted, ignore it, or refuse it as malformed.
 *
 * HubSpot sends a JSON array of events (`subscriptionType`, `eventId`, `objectId`, `occurredAt` in epoch ms,
 * `portalId`, and for property changes `propertyName`/`propertyValue`; generic `object.*` events add
 * `objectTypeId`, association changes `fromObjectTypeId`/`fromObjectId`/`toObjectTypeId`/`toObjectId`/
 * `associationRemoved`).
 *
 * Starts a handoff (the workflow re-checks everything on fresh CRM data):
 *  - contact `lifecyclestage` → `marketingqualifiedlead`
 *  - contact `mql_fit_score` / `mql_engagement_score` at or above the configured threshold
 *  - a form submission relayed by a HubSpot workflow's "Send a webhook" action, in the same signed array:
 *      { "type": "form_submission", "contactId": "1001", "formType": "demo_request",
 *        "occurredAt": 1732200000000, "submissionId": "optional, for tracing" }
 *    `formType` is a lower-case id (demo_request, free_trial_start, contact_sales, …); `occurredAt` epoch ms or ISO.
 *  - `contact.creation` only when it carries one of the properties above.
 *
 * Rep activity (the `repActivity` signal; `externalId` from HubSpot's ids so re-deliveries count once):
 *  - contact `hs_last_sales_activity_timestamp` or `notes_last_contacted` set (HubSpot updates them when a rep logs
 *    a call, email or meeting) — type `task`, HubSpot does not say which kind
 *  - contact `hs_lead_status` → ATTEMPTED_TO_CONTACT / CONNECTED / IN_PROGRESS — type `task`
 *  - `object.associationChange` between a call, meeting, note or email and a contact — that engagement's type
 *    (an engagement's own `object.creation` carries no contact id, so the association event is what counts).
 */
import { CONTACT_PROPERTY } from '../../activities/hubspot/custom-properties';
import type { OrgConfig } from '../../domain/org-config';
import type { HandoffTrigger, RepActivity, RepActivityType } from '../../workflows/definitions';
import { problem, type Problem } from './bad-request';

export type HubSpotEventDecision =
  | { action: 'start'; contactId: string; trigger: HandoffTrigger; occurredAtMs: number }
  | { action: 'signal'; contactId: string; activity: RepActivity }
  | { action: 'ignore'; reason: string }
  | { action: 'reject'; problem: Problem };

export interface ClassifiedEvent {
  index: number;
  /** HubSpot's eventId (or the relay's submissionId), for the answer and the log. */
  eventId: string | null;
  contactId: string | null;
  decision: HubSpotEventDecision;
}

/** HubSpot object type ids of the engagements a rep logs. */
const ENGAGEMENT_OBJECT_TYPES: Record<string, RepActivityType> = {
  '0-46': 'note',
  '0-47': 'meeting',
  '0-48': 'call',
  '0-49': 'email',
};
const CONTACT_OBJECT_TYPE = '0-1';

const ACTIVITY_TIMESTAMP_PROPERTIES = new Set(['hs_last_sales_activity_timestamp', 'notes_last_contacted']);
const WORKING_LEAD_STATUSES = new Set(['ATTEMPTED_TO_CONTACT', 'CONNECTED', 'IN_PROGRESS']);

const HUBSPOT_OBJECTS = ['contact', 'company', 'deal', 'ticket', 'product', 'line_item', 'conversation', 'object'];
const HUBSPOT_ACTIONS = [
  'creation',
  'deletion',
  'propertyChange',
  'associationChange',
  'merge',
  'restore',
  'privacyDeletion',
];
const SUBSCRIPTION_TYPE = new RegExp(`^(${HUBSPOT_OBJECTS.join('|')})\\.(${HUBSPOT_ACTIONS.join('|')})$`);
const SUBSCRIPTION_TYPE_EXPECTED = `<object>.<action> with object one of ${HUBSPOT_OBJECTS.join(', ')} and action one of ${HUBSPOT_ACTIONS.join(', ')}`;

const RELAY_TYPES = ['form_submission'];

/** Parses the body as HubSpot's JSON array; null problem when it is one. */
export function parseHubSpotBody(body: Buffer): { events: unknown[] } | { problem: Problem } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return { problem: problem(`body is not JSON: ${(e as Error).message}`, 'body', 'a JSON array of HubSpot events') };
  }
  if (!Array.isArray(parsed)) {
    return { problem: problem('body is not an array', 'body', 'a JSON array of HubSpot events') };
  }
  if (parsed.length === 0) return { problem: problem('the batch is empty', 'body', 'at least one event') };
  return { events: parsed };
}

export function classifyHubSpotEvent(raw: unknown, index: number, config: OrgConfig): ClassifiedEvent {
  const at = (field: string): string => `[${index}].${field}`;
  const result = (decision: HubSpotEventDecision, eventId: string | null, contactId: string | null) => ({
    index,
    eventId,
    contactId,
    decision,
  });
  const reject = (p: Problem, eventId: string | null = null, contactId: string | null = null) =>
    result({ action: 'reject', problem: p }, eventId, contactId);

  if (!isRecord(raw)) return reject(problem('event is not an object', `[${index}]`, 'a HubSpot event object'));
  if (raw.type !== undefined) return classifyRelay(raw, at, config, result, reject);

  if (typeof raw.subscriptionType !== 'string') {
    return reject(
      problem('subscriptionType is missing or not a string', at('subscriptionType'), SUBSCRIPTION_TYPE_EXPECTED),
    );
  }
  const subscriptionType = raw.subscriptionType;
  if (!SUBSCRIPTION_TYPE.test(subscriptionType)) {
    return reject(
      problem(
        `unknown subscription type ${JSON.stringify(subscriptionType.slice(0, 60))}`,
        at('subscriptionType'),
        SUBSCRIPTION_TYPE_EXPECTED,
      ),
    );
  }
  const eventId = idOf(raw.eventId);
  if (eventId === null)
    return reject(problem('eventId is missing or not an id', at('eventId'), 'a number or a non-empty string'));
  const objectId = hubspotId(raw.objectId);
  if (objectId === null) {
    return reject(problem('objectId is missing or not a HubSpot id', at('objectId'), 'a positive integer'), eventId);
  }
  if (typeof raw.occurredAt !== 'number' || !Number.isFinite(raw.occurredAt) || raw.occurredAt <= 0) {
    return reject(problem('occurredAt is missing or not a timestamp', at('occurredAt'), 'epoch milliseconds'), eventId);
  }
  const occurredAtMs = raw.occurredAt;
  const portal = checkPortal(raw.portalId, config, at('portalId'));
  if (portal) return reject(portal, eventId);

  const [object, action] = subscriptionType.split('.') as [string, string];
  if (action === 'associationChange' && object === 'object') {
    const engagement = engagementActivity(raw, at, eventId, occurredAtMs);
    if ('problem' in engagement) return reject(engagement.problem, eventId);
    if ('ignore' in engagement) return result({ action: 'ignore', reason: engagement.ignore }, eventId, null);
    return result(
      { action: 'signal', contactId: engagement.contactId, activity: engagement.activity },
      eventId,
      engagement.contactId,
    );
  }

  const objectTypeId = object === 'object' ? raw.objectTypeId : object === 'contact' ? CONTACT_OBJECT_TYPE : null;
  if (object === 'object' && typeof objectTypeId !== 'string') {
    return reject(
      problem(
        'objectTypeId is missing on a generic object event',
        at('objectTypeId'),
        'an object type id such as "0-1"',
      ),
      eventId,
    );
  }

  if (objectTypeId !== CONTACT_OBJECT_TYPE) {
    const engagementType = typeof objectTypeId === 'string' ? ENGAGEMENT_OBJECT_TYPES[objectTypeId] : undefined;
    const reason = engagementType
      ? `${engagementType} ${action} carries no contact id; the engagement's association to the contact (object.associationChange) is what counts`
      : `${subscriptionType} events of object type ${String(objectTypeId)} are not used by the handoff`;
    return result({ action: 'ignore', reason }, eventId, null);
  }

  if (action === 'creation' && raw.propertyName === undefined) {
    return result({ action: 'ignore', reason: 'contact creation carries no qualifying property' }, eventId, objectId);
  }
  if (action !== 'propertyChange' && action !== 'creation') {
    return result({ action: 'ignore', reason: `${subscriptionType} is not used by the handoff` }, eventId, objectId);
  }

  if (typeof raw.propertyName !== 'string' || raw.propertyName === '') {
    return reject(
      problem('propertyName is missing or not a string', at('propertyName'), 'the changed property name'),
      eventId,
      objectId,
    );
  }
  if (typeof raw.propertyValue !== 'string') {
    return reject(
      problem('propertyValue is missing or not a string', at('propertyValue'), 'the new value as a string'),
      eventId,
      objectId,
    );
  }
  const decision = classifyContactProperty({
    contactId: objectId,
    property: raw.propertyName,
    value: raw.propertyValue,
    kind: action === 'creation' ? 'contact_creation' : 'property_change',
    eventId,
    occurredAtMs,
    config,
    field: at('propertyValue'),
  });
  return result(decision, eventId, objectId);
}

function classifyContactProperty(e: {
  contactId: string;
  property: string;
  value: string;
  kind: 'contact_creation' | 'property_change';
  eventId: string;
  occurredAtMs: number;
  config: OrgConfig;
  field: string;
}): HubSpotEventDecision {
  const at = new Date(e.occurredAtMs).toISOString();
  const start = (detail: string): HubSpotEventDecision => ({
    action: 'start',
    contactId: e.contactId,
    trigger: { kind: e.kind, at, detail, eventId: e.eventId },
    occurredAtMs: e.occurredAtMs,
  });
  const activity = (type: RepActivityType): HubSpotEventDecision => ({
    action: 'signal',
    contactId: e.contactId,
    activity: { type, source: 'hubspot', at, externalId: `hubspot-event-${e.eventId}` },
  });
  const ignore = (reason: string): HubSpotEventDecision => ({ action: 'ignore', reason });

  switch (e.property) {
    case 'lifecyclestage':
      return e.value === 'marketingqualifiedlead'
        ? start('lifecyclestage = marketingqualifiedlead')
        : ignore(`lifecycle stage ${JSON.stringify(e.value.slice(0, 40))} is not marketingqualifiedlead`);
    case CONTACT_PROPERTY.fitScore:
    case CONTACT_PROPERTY.engagementScore: {
      if (e.value.trim() === '') return ignore(`${e.property} was cleared`);
      const score = Number(e.value);
      if (!Number.isFinite(score)) {
        return {
          action: 'reject',
          problem: problem(`${e.property} is not a number`, e.field, 'a score from 0 to 100'),
        };
      }
      const threshold =
        e.property === CONTACT_PROPERTY.fitScore ? e.config.mql.fitThreshold : e.config.mql.engagementThreshold;
      return score >= threshold
        ? start(`${e.property} = ${score} (threshold ${threshold})`)
        : ignore(`${e.property} ${score} is below the threshold ${threshold}`);
    }
    case 'hs_lead_status':
      return WORKING_LEAD_STATUSES.has(e.value)
        ? activity('task')
        : ignore(`lead status ${JSON.stringify(e.value.slice(0, 40))} is not a sign of rep activity`);
    default:
      if (ACTIVITY_TIMESTAMP_PROPERTIES.has(e.property)) {
        return e.value.trim() === '' ? ignore(`${e.property} was cleared`) : activity('task');
      }
      return ignore(`property ${JSON.stringify(e.property.slice(0, 60))} is not watched by the handoff`);
  }
}

function engagementActivity(
  raw: Record<string, unknown>,
  at: (field: string) => string,
  eventId: string,
  occurredAtMs: number,
): { contactId: string; activity: RepActivity } | { ignore: string } | { problem: Problem } {
  const from = { type: raw.fromObjectTypeId, id: hubspotId(raw.fromObjectId) };
  const to = { type: raw.toObjectTypeId, id: hubspotId(raw.toObjectId) };
  for (const [name, v] of [
    ['fromObjectTypeId', from.type],
    ['toObjectTypeId', to.type],
  ] as const) {
    if (typeof v !== 'string')
      return { problem: problem(`${name} is missing or not a string`, at(name), 'an object type id such as "0-48"') };
  }
  if (from.id === null)
    return {
      problem: problem('fromObjectId is missing or not a HubSpot id', at('fromObjectId'), 'a positive integer'),
    };
  if (to.id === null)
    return { problem: problem('toObjectId is missing or not a HubSpot id', at('toObjectId'), 'a positive integer') };
  if (raw.associationRemoved === true) return { ignore: 'association removed' };
  const [engagement, contact] =
    to.type === CONTACT_OBJECT_TYPE ? [from, to] : from.type === CONTACT_OBJECT_TYPE ? [to, from] : [null, null];
  const type = engagement ? ENGAGEMENT_OBJECT_TYPES[engagement.type as string] : undefined;
  if (!engagement || !contact || !type) {
    return { ignore: `association ${String(from.type)} → ${String(to.type)} is not an engagement logged on a contact` };
  }
  return {
    contactId: contact.id!,
    activity: {
      type,
      source: 'hubspot',
      at: new Date(occurredAtMs).toISOString(),
      // The engagement, not the event: the same call seen through two events counts once.
      externalId: `hubspot-${type}-${engagement.id}`,
    },
  };
}

function classifyRelay(
  raw: Record<string, unknown>,
  at: (field: string) => string,
  config: OrgConfig,
  result: (d: HubSpotEventDecision, eventId: string | null, contactId: string | null) => ClassifiedEvent,
  reject: (p: Problem, eventId?: string | null, contactId?: string | null) => ClassifiedEvent,
): ClassifiedEvent {
  if (typeof raw.type !== 'string' || !RELAY_TYPES.includes(raw.type)) {
    return reject(problem('unknown relayed event type', at('type'), RELAY_TYPES.join(', ')));
  }
  const submissionId = raw.submissionId === undefined ? null : idOf(raw.submissionId);
  if (raw.submissionId !== undefined && submissionId === null) {
    return reject(problem('submissionId is not an id', at('submissionId'), 'a number or a non-empty string'));
  }
  const contactId = hubspotId(raw.contactId);
  if (contactId === null) {
    return reject(
      problem('contactId is missing or not a HubSpot id', at('contactId'), 'a positive integer'),
      submissionId,
    );
  }
  if (typeof raw.formType !== 'string' || !/^[a-z0-9_]{1,60}$/.test(raw.formType)) {
    return reject(
      problem('formType is missing or not a form type id', at('formType'), 'a lower-case id such as demo_request'),
      submissionId,
      contactId,
    );
  }
  const occurredAtMs = timestampMs(raw.occurredAt);
  if (occurredAtMs === null) {
    return reject(
      problem('occurredAt is missing or not a timestamp', at('occurredAt'), 'epoch milliseconds or ISO-8601'),
      submissionId,
      contactId,
    );
  }
  const portal = checkPortal(raw.portalId, config, at('portalId'));
  if (portal) return reject(portal, submissionId, contactId);
  return result(
    {
      action: 'start',
      contactId,
      trigger: {
        kind: 'form_submission',
        at: new Date(occurredAtMs).toISOString(),
        detail: `form ${raw.formType}`,
        ...(submissionId ? { eventId: submissionId } : {}),
      },
      occurredAtMs,
    },
    submissionId,
    contactId,
  );
}

function checkPortal(raw: unknown, config: OrgConfig, field: string): Problem | null {
  if (raw === undefined) return null;
  const portalId = idOf(raw);
  if (portalId === null) return problem('portalId is not an id', field, 'a HubSpot portal id');
  const mine = config.hubspot.portalId;
  if (mine !== '0' && portalId !== mine) {
    return problem(
      `portalId ${portalId} is not this organisation's portal`,
      field,
      `portal ${mine} (hubspot.portalId in the org config)`,
    );
  }
  return null;
}

function hubspotId(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return String(v);
  if (typeof v === 'string' && /^[1-9]\d{0,19}$/.test(v)) return v;
  return null;
}

function idOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(v)) return v;
  return null;
}

function timestampMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
