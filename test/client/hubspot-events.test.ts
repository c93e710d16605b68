/**
 * What each HubSpot webhook event means for the handoff, decided from the sample org config alone.
 */
import { classifyHubSpotEvent, parseHubSpotBody } from '../../src/client/bridge/hubspot-events';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';

const config = loadOrgConfigFile(resolveOrgConfigPath());
const AT = 1763719200000;
const AT_ISO = new Date(AT).toISOString();

const propertyChange = (propertyName: string, propertyValue: unknown, extra: Record<string, unknown> = {}) => ({
  eventId: 501,
  subscriptionId: 9,
  portalId: 4410001,
  appId: 7,
  occurredAt: AT,
  subscriptionType: 'contact.propertyChange',
  attemptNumber: 0,
  objectId: 1001,
  propertyName,
  propertyValue,
  changeSource: 'CRM_UI',
  ...extra,
});

const association = (fromObjectTypeId: string, toObjectTypeId: string, extra: Record<string, unknown> = {}) => ({
  eventId: 777,
  portalId: 4410001,
  occurredAt: AT,
  subscriptionType: 'object.associationChange',
  objectId: 9001,
  fromObjectTypeId,
  fromObjectId: fromObjectTypeId === '0-1' ? 1001 : 9001,
  toObjectTypeId,
  toObjectId: toObjectTypeId === '0-1' ? 1001 : 9001,
  associationRemoved: false,
  ...extra,
});

const classify = (raw: unknown) => classifyHubSpotEvent(raw, 0, config);

describe('events that start a handoff', () => {
  test.each([
    [
      'lifecycle stage → MQL',
      propertyChange('lifecyclestage', 'marketingqualifiedlead'),
      'lifecyclestage = marketingqualifiedlead',
    ],
    ['fit score at the threshold', propertyChange('mql_fit_score', '60'), 'mql_fit_score = 60 (threshold 60)'],
    [
      'engagement score above the threshold',
      propertyChange('mql_engagement_score', '88.5'),
      'mql_engagement_score = 88.5 (threshold 60)',
    ],
  ])('%s', (_name, event, detail) => {
    expect(classify(event)).toEqual({
      index: 0,
      eventId: '501',
      contactId: '1001',
      decision: {
        action: 'start',
        contactId: '1001',
        trigger: { kind: 'property_change', at: AT_ISO, detail, eventId: '501' },
        occurredAtMs: AT,
      },
    });
  });

  test('a contact created with a qualifying property starts as contact_creation', () => {
    const d = classify({
      ...propertyChange('lifecyclestage', 'marketingqualifiedlead'),
      subscriptionType: 'contact.creation',
    }).decision;
    expect(d).toMatchObject({ action: 'start', trigger: { kind: 'contact_creation' } });
  });

  test('the generic object.propertyChange on a contact (0-1) is the same as contact.propertyChange', () => {
    const d = classify({
      ...propertyChange('lifecyclestage', 'marketingqualifiedlead'),
      subscriptionType: 'object.propertyChange',
      objectTypeId: '0-1',
    }).decision;
    expect(d).toMatchObject({ action: 'start', contactId: '1001' });
  });

  test('a relayed form submission starts with its form type; ISO or epoch-ms times', () => {
    for (const occurredAt of [AT, AT_ISO]) {
      const e = classify({
        type: 'form_submission',
        contactId: '1001',
        formType: 'demo_request',
        occurredAt,
        submissionId: 'sub-1',
      });
      expect(e).toEqual({
        index: 0,
        eventId: 'sub-1',
        contactId: '1001',
        decision: {
          action: 'start',
          contactId: '1001',
          trigger: { kind: 'form_submission', at: AT_ISO, detail: 'form demo_request', eventId: 'sub-1' },
          occurredAtMs: AT,
        },
      });
    }
  });
});

describe('rep activity → repActivity signal, counted once per HubSpot id', () => {
  test.each([
    [
      'last sales activity set',
      propertyChange('hs_last_sales_activity_timestamp', String(AT)),
      'task',
      'hubspot-event-501',
    ],
    ['last contacted set', propertyChange('notes_last_contacted', String(AT)), 'task', 'hubspot-event-501'],
    [
      'lead status attempted to contact',
      propertyChange('hs_lead_status', 'ATTEMPTED_TO_CONTACT'),
      'task',
      'hubspot-event-501',
    ],
    ['lead status connected', propertyChange('hs_lead_status', 'CONNECTED'), 'task', 'hubspot-event-501'],
    ['lead status in progress', propertyChange('hs_lead_status', 'IN_PROGRESS'), 'task', 'hubspot-event-501'],
    ['call associated to the contact', association('0-48', '0-1'), 'call', 'hubspot-call-9001'],
    ['meeting associated (contact side)', association('0-1', '0-47'), 'meeting', 'hubspot-meeting-9001'],
    ['note associated', association('0-46', '0-1'), 'note', 'hubspot-note-9001'],
    ['email associated', association('0-49', '0-1'), 'email', 'hubspot-email-9001'],
  ])('%s', (_name, event, type, externalId) => {
    expect(classify(event).decision).toEqual({
      action: 'signal',
      contactId: '1001',
      activity: { type, source: 'hubspot', at: AT_ISO, externalId },
    });
  });
});

describe('events acknowledged and ignored', () => {
  test.each([
    [
      'a lifecycle stage other than MQL',
      propertyChange('lifecyclestage', 'salesqualifiedlead'),
      /not marketingqualifiedlead/,
    ],
    ['a score below the threshold', propertyChange('mql_fit_score', '59'), /below the threshold 60/],
    ['a cleared score', propertyChange('mql_engagement_score', ''), /cleared/],
    ['a lead status the handoff writes itself', propertyChange('hs_lead_status', 'NEW'), /not a sign of rep activity/],
    ['an unwatched property', propertyChange('firstname', 'Dana'), /not watched/],
    [
      'contact creation without a property',
      {
        ...propertyChange('x', 'y'),
        subscriptionType: 'contact.creation',
        propertyName: undefined,
        propertyValue: undefined,
      },
      /no qualifying property/,
    ],
    [
      'contact deletion',
      { ...propertyChange('x', 'y'), subscriptionType: 'contact.deletion' },
      /not used by the handoff/,
    ],
    [
      'deal events',
      { ...propertyChange('dealstage', 'closedwon'), subscriptionType: 'deal.propertyChange' },
      /not used by the handoff/,
    ],
    [
      'a call created (no contact id)',
      { ...propertyChange('x', 'y'), subscriptionType: 'object.creation', objectTypeId: '0-48' },
      /carries no contact id/,
    ],
    [
      'a task associated (the handoff writes tasks)',
      association('0-27', '0-1'),
      /not an engagement logged on a contact/,
    ],
    ['an association removed', association('0-48', '0-1', { associationRemoved: true }), /association removed/],
  ])('%s', (_name, event, reason) => {
    const d = classify(event).decision;
    expect(d.action).toBe('ignore');
    expect(d.action === 'ignore' && d.reason).toMatch(reason);
  });
});

describe('malformed events are refused, naming the field', () => {
  test.each([
    ['not an object', 'hello', '[0]'],
    ['no subscription type', { ...propertyChange('a', 'b'), subscriptionType: undefined }, '[0].subscriptionType'],
    [
      'unknown subscription type',
      { ...propertyChange('a', 'b'), subscriptionType: 'contact.teleported' },
      '[0].subscriptionType',
    ],
    ['eventId missing', { ...propertyChange('a', 'b'), eventId: undefined }, '[0].eventId'],
    ['objectId not an id', { ...propertyChange('a', 'b'), objectId: 'abc' }, '[0].objectId'],
    ['objectId negative', { ...propertyChange('a', 'b'), objectId: -4 }, '[0].objectId'],
    ['occurredAt as a string', { ...propertyChange('a', 'b'), occurredAt: AT_ISO }, '[0].occurredAt'],
    ['another portal', { ...propertyChange('a', 'b'), portalId: 999 }, '[0].portalId'],
    [
      'propertyName missing on a property change',
      { ...propertyChange('a', 'b'), propertyName: undefined },
      '[0].propertyName',
    ],
    ['propertyValue a number', propertyChange('lifecyclestage', 5), '[0].propertyValue'],
    ['a score that is not a number', propertyChange('mql_fit_score', 'high'), '[0].propertyValue'],
    [
      'generic event without objectTypeId',
      { ...propertyChange('a', 'b'), subscriptionType: 'object.propertyChange' },
      '[0].objectTypeId',
    ],
    ['association without toObjectId', association('0-48', '0-1', { toObjectId: undefined }), '[0].toObjectId'],
    ['relay of an unknown type', { type: 'page_view', contactId: '1001' }, '[0].type'],
    ['relay without contactId', { type: 'form_submission', formType: 'demo_request', occurredAt: AT }, '[0].contactId'],
    [
      'relay with a form name instead of an id',
      { type: 'form_submission', contactId: 1001, formType: 'Request a demo', occurredAt: AT },
      '[0].formType',
    ],
    [
      'relay without occurredAt',
      { type: 'form_submission', contactId: 1001, formType: 'demo_request' },
      '[0].occurredAt',
    ],
  ])('%s', (_name, event, field) => {
    const d = classify(event).decision;
    expect(d).toMatchObject({ action: 'reject', problem: { field } });
    expect(d.action === 'reject' && d.problem.expected).toBeTruthy();
  });

  test('a refusal never echoes the property value (it can be lead data)', () => {
    const d = classify(propertyChange('mql_fit_score', 'dana.ito@globex.example')).decision;
    expect(d).toMatchObject({ action: 'reject', problem: { field: '[0].propertyValue' } });
    expect(JSON.stringify(d)).not.toContain('dana');
  });
});

describe('the batch body', () => {
  test.each([
    ['not JSON', '{"eventId":', /not JSON/],
    ['an object, not an array', '{"eventId":1}', /not an array/],
    ['an empty array', '[]', /empty/],
  ])('%s → refused', (_name, body, error) => {
    const r = parseHubSpotBody(Buffer.from(body));
    expect('problem' in r && r.problem).toMatchObject({ error: expect.stringMatching(error), field: 'body' });
  });

  test('an array is read as events', () => {
    expect(parseHubSpotBody(Buffer.from('[{"a":1},2]'))).toEqual({ events: [{ a: 1 }, 2] });
  });
});
