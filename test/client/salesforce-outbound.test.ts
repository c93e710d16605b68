/**
 * Salesforce Outbound Messages: the SOAP notification read into rep activity, the org check, and the XML reader's
 * refusals.
 */
import { OUTBOUND_ACK, parseOutboundMessage } from '../../src/client/bridge/salesforce-outbound';
import { parseXml } from '../../src/client/bridge/xml';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import { outboundMessage, SF_ORG_ID } from './support';

const config = loadOrgConfigFile(resolveOrgConfigPath());
const parse = (xml: string, org = SF_ORG_ID) => parseOutboundMessage(Buffer.from(xml), org, config);

test('a Task logged by a rep on a lead in handoff → call activity, with the rep from OwnerId', () => {
  const xml = outboundMessage([
    {
      id: '04l5g00000AbCdEAAZ',
      type: 'Task',
      fields: {
        Id: '00T5g00000TaskAAAA',
        WhoId: '00Q5g00000LeadAAAA',
        OwnerId: '0055g00000AnaRuAAA',
        TaskSubtype: 'Call',
        CreatedDate: '2025-11-21T10:05:00.000Z',
        HubSpot_Contact_Id__c: '1001',
      },
    },
  ]);
  expect(parse(xml)).toEqual({
    orgId: SF_ORG_ID,
    notifications: [
      {
        id: '04l5g00000AbCdEAAZ',
        objectType: 'Task',
        recordId: '00T5g00000TaskAAAA',
        decision: {
          action: 'signal',
          contactId: '1001',
          activity: {
            type: 'call',
            source: 'salesforce',
            at: '2025-11-21T10:05:00.000Z',
            externalId: 'salesforce-00T5g00000TaskAAAA',
            repId: 'rep-ana',
          },
        },
      },
    ],
  });
});

test.each([
  [
    'an Event (meeting)',
    'Event',
    { Id: '00U1', HubSpot_Contact_Id__c: '1002' },
    { action: 'signal', activity: { type: 'meeting' } },
  ],
  [
    'an email Task',
    'Task',
    { Id: '00T2', TaskSubtype: 'Email', HubSpot_Contact_Id__c: '1002' },
    { action: 'signal', activity: { type: 'email' } },
  ],
  [
    'a plain Task',
    'Task',
    { Id: '00T3', HubSpot_Contact_Id__c: '1002' },
    { action: 'signal', activity: { type: 'task' } },
  ],
  [
    'a Lead whose LastActivityDate changed',
    'Lead',
    { Id: '00Q1', LastActivityDate: '2025-11-21', HubSpot_Contact_Id__c: '1002' },
    { action: 'signal', activity: { type: 'task', externalId: 'salesforce-notification-04lX' } },
  ],
  [
    'a Task the handoff wrote',
    'Task',
    { Id: '00T4', Handoff_Key__c: 'mql-hubspot-1002:c0:task-1', HubSpot_Contact_Id__c: '1002' },
    { action: 'ignore', reason: expect.stringMatching(/written by the handoff/) },
  ],
  [
    'a Task without the HubSpot id',
    'Task',
    { Id: '00T5' },
    { action: 'ignore', reason: expect.stringMatching(/no HubSpot_Contact_Id__c/) },
  ],
  [
    'a Task with a non-HubSpot id',
    'Task',
    { Id: '00T6', HubSpot_Contact_Id__c: 'abc' },
    { action: 'ignore', reason: expect.stringMatching(/not a HubSpot id/) },
  ],
  [
    'a Lead without LastActivityDate',
    'Lead',
    { Id: '00Q2', HubSpot_Contact_Id__c: '1002' },
    { action: 'ignore', reason: expect.stringMatching(/no LastActivityDate/) },
  ],
  ['an Opportunity', 'Opportunity', { Id: '0061' }, { action: 'ignore', reason: expect.stringMatching(/not used/) }],
])('%s', (_name, type, fields, decision) => {
  const r = parse(outboundMessage([{ id: '04lX', type, fields }]));
  expect('notifications' in r && r.notifications[0]!.decision).toMatchObject(decision);
});

test('xsi:nil fields count as absent', () => {
  const xml = outboundMessage([{ id: '04lY', type: 'Task', fields: { Id: '00T7' } }]).replace(
    '<sf:Id>00T7</sf:Id>',
    '<sf:Id>00T7</sf:Id><sf:HubSpot_Contact_Id__c xsi:nil="true"/>',
  );
  const r = parse(xml);
  expect('notifications' in r && r.notifications[0]!.decision).toMatchObject({ action: 'ignore' });
});

test('the 15-character form of the configured org id matches the 18-character one Salesforce sends', () => {
  expect(
    parse(outboundMessage([{ id: '04lZ', type: 'Task', fields: { Id: '00T8' } }]), SF_ORG_ID.slice(0, 15)),
  ).toHaveProperty('orgId');
});

test.each([
  ['not XML', 'hello', 400, 'body', /not XML/],
  ['XML but not SOAP', '<a><b/></a>', 400, 'body', /no notifications/],
  [
    'another org',
    outboundMessage([{ id: '1', type: 'Task', fields: {} }], '00D000000000001AAA'),
    403,
    'notifications.OrganizationId',
    /not the configured org/,
  ],
  [
    'no OrganizationId',
    outboundMessage([{ id: '1', type: 'Task', fields: {} }], ''),
    400,
    'notifications.OrganizationId',
    /missing/,
  ],
  ['no notifications', outboundMessage([]), 400, 'notifications.Notification', /no Notification/],
  [
    'a notification without xsi:type',
    outboundMessage([{ id: '1', type: '', fields: {} }]),
    400,
    'notifications.Notification[0]',
    /xsi:type/,
  ],
  [
    '101 notifications',
    outboundMessage(Array.from({ length: 101 }, (_, i) => ({ id: String(i), type: 'Task', fields: {} }))),
    400,
    'notifications.Notification',
    /101/,
  ],
])('%s → %s', (_name, xml, status, field, error) => {
  const r = parse(xml);
  expect(r).toMatchObject({ status, problem: { field, error: expect.stringMatching(error) } });
});

test('the Ack is the notificationsResponse Salesforce waits for', () => {
  const ack = parseXml(OUTBOUND_ACK);
  expect(ack.local).toBe('Envelope');
  const response = ack.children[0]!.children[0]!;
  expect(response).toMatchObject({
    local: 'notificationsResponse',
    attributes: { xmlns: 'http://soap.sforce.com/2005/09/outbound' },
  });
  expect(response.children[0]).toMatchObject({ local: 'Ack', text: 'true' });
});

describe('the XML reader', () => {
  test('reads prefixes, attributes, entities, character references, CDATA and comments', () => {
    const el = parseXml(
      `<?xml version="1.0"?>\n<!-- c --><a:root x='1' y="&quot;2&quot;"><b>Ben &amp; Co &#233;&#x41;</b><c><![CDATA[<raw>]]></c><d/></a:root>`,
    );
    expect(el).toMatchObject({ name: 'a:root', local: 'root', attributes: { x: '1', y: '"2"' } });
    expect(el.children.map((c) => [c.local, c.text])).toEqual([
      ['b', 'Ben & Co éA'],
      ['c', '<raw>'],
      ['d', ''],
    ]);
  });

  test.each([
    ['a DOCTYPE (no entity expansion)', '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', /DOCTYPE/],
    ['mismatched tags', '<a><b></a></b>', /does not close/],
    ['an unclosed element', '<a><b></b>', /not closed/],
    ['an unknown entity', '<a>&nope;</a>', /unknown entity/],
    ['a bare ampersand', '<a>Ben & Co</a>', /bare "&"/],
    ['two roots', '<a/><b/>', /after the root/],
    ['text outside the root', 'x<a/>', /outside the root/],
    ['a duplicate attribute', '<a x="1" x="2"/>', /duplicate attribute/],
    ['nothing', '   ', /no root/],
  ])('refuses %s', (_name, xml, error) => {
    expect(() => parseXml(xml)).toThrow(error);
  });
});
