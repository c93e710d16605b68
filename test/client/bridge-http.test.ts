/**
 * The bridge's HTTP surface without a Temporal server: every bad-input class is answered 4xx with the field and
 * what was expected, starts nothing and logs one line without lead data; Temporal unreachable is 503; the
 * operations endpoints; the secrets policy. The gateway here is the bridge's own port (src/client/temporal-gateway.ts)
 * with Temporal down: any call it gets is recorded and answered "unreachable".
 */
import type { LightMyRequestResponse } from 'fastify';
import { createSlackResponder } from '../../src/activities/slack/slack-responder';
import { createBridge, type Bridge } from '../../src/client/bridge/server';
import { MissingSecretError, SANDBOX_HUBSPOT_CLIENT_SECRET } from '../../src/client/bridge/secrets';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import { startSlackEmulator, type SlackEmulator } from '../../src/sandbox/slack/slack-emulator';
import {
  BRIDGE_SECRETS,
  hubspotHeaders,
  lifecycleMqlEvent,
  outboundMessage,
  SF_ORG_ID,
  slackHeaders,
  unreachableTemporal,
} from './support';

const config = loadOrgConfigFile(resolveOrgConfigPath());
const PUBLIC_URL = 'https://bridge.acme-analytics.example';
const HUBSPOT_URI = `${PUBLIC_URL}/webhooks/hubspot`;

let slack: SlackEmulator;
let temporal: ReturnType<typeof unreachableTemporal>;
let logs: Record<string, unknown>[];
let bridge: Bridge;

beforeAll(async () => {
  slack = await startSlackEmulator({ config });
  slack.addChannel({ id: 'D0REPANA1', name: 'dm-ana', members: ['U0REPANA1'] });
});
afterAll(async () => {
  await slack.close();
});

beforeEach(async () => {
  temporal = unreachableTemporal();
  logs = [];
  bridge = await createBridge({
    temporal,
    taskQueue: 'unit',
    config,
    secrets: BRIDGE_SECRETS,
    publicUrl: PUBLIC_URL,
    slack: createSlackResponder({ token: slack.token, apiUrl: slack.apiUrl }),
    production: true,
    log: (e) => logs.push(e as Record<string, unknown>),
  });
});
afterEach(async () => {
  await bridge.close();
});

const signedHubSpot = (body: string, opts: Parameters<typeof hubspotHeaders>[2] = {}) =>
  bridge.app.inject({
    method: 'POST',
    url: '/webhooks/hubspot',
    headers: hubspotHeaders(HUBSPOT_URI, body, opts),
    payload: body,
  });

const slackForm = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
const click = (user: string, channel: string, action: Record<string, unknown>) => ({
  type: 'block_actions',
  user: { id: user, username: 'someone', name: 'someone', team_id: 'T0SANDBOX' },
  container: { type: 'message', message_ts: '1.000001', channel_id: channel, is_ephemeral: false },
  channel: { id: channel, name: 'directmessage' },
  response_url: `${slack.url}/response/none`,
  actions: [{ action_ts: '1763719200.000001', block_id: 'handoff_actions', ...action }],
});
const signedSlack = (body: string, opts: Parameters<typeof slackHeaders>[1] = {}) =>
  bridge.app.inject({ method: 'POST', url: '/slack/interactions', headers: slackHeaders(body, opts), payload: body });

/** No lead data in any log line: no emails, no names from the demo org. */
function expectNoPii(): void {
  const text = JSON.stringify(logs);
  expect(text).not.toMatch(/@|Dana|Ito|globex/i);
}

describe('bad input is refused with a 4xx naming the problem, starts nothing and logs one line', () => {
  const mql = JSON.stringify([lifecycleMqlEvent('1001')]);
  const stale = Date.now() - 6 * 60_000;
  test.each<{ name: string; send: () => Promise<LightMyRequestResponse>; status: number; field: string }>([
    {
      name: 'HubSpot: no signature',
      send: () =>
        bridge.app.inject({
          method: 'POST',
          url: '/webhooks/hubspot',
          headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': String(Date.now()) },
          payload: mql,
        }),
      status: 401,
      field: 'x-hubspot-signature-v3',
    },
    {
      name: 'HubSpot: signed with another secret',
      send: () => signedHubSpot(mql, { secret: 'not-the-secret' }),
      status: 401,
      field: 'x-hubspot-signature-v3',
    },
    {
      name: 'HubSpot: stale timestamp',
      send: () => signedHubSpot(mql, { timestampMs: stale }),
      status: 401,
      field: 'x-hubspot-request-timestamp',
    },
    {
      name: 'HubSpot: signed for another URL',
      send: () =>
        bridge.app.inject({
          method: 'POST',
          url: '/webhooks/hubspot',
          headers: hubspotHeaders('https://evil.example/webhooks/hubspot', mql),
          payload: mql,
        }),
      status: 401,
      field: 'x-hubspot-signature-v3',
    },
    {
      name: 'HubSpot: empty body',
      send: () =>
        bridge.app.inject({ method: 'POST', url: '/webhooks/hubspot', headers: hubspotHeaders(HUBSPOT_URI, '') }),
      status: 400,
      field: 'body',
    },
    { name: 'HubSpot: unparseable body', send: () => signedHubSpot('[{"eventId":'), status: 400, field: 'body' },
    { name: 'HubSpot: not an array', send: () => signedHubSpot('{"eventId":1}'), status: 400, field: 'body' },
    {
      name: 'HubSpot: missing field',
      send: () => signedHubSpot(JSON.stringify([{ ...lifecycleMqlEvent('1001'), objectId: undefined }])),
      status: 400,
      field: '[0].objectId',
    },
    {
      name: 'HubSpot: wrong-typed field',
      send: () => signedHubSpot(JSON.stringify([{ ...lifecycleMqlEvent('1001'), occurredAt: 'yesterday' }])),
      status: 400,
      field: '[0].occurredAt',
    },
    {
      name: 'HubSpot: unknown subscription type',
      send: () =>
        signedHubSpot(JSON.stringify([{ ...lifecycleMqlEvent('1001'), subscriptionType: 'contact.exploded' }])),
      status: 400,
      field: '[0].subscriptionType',
    },
    {
      name: 'HubSpot: payload too large',
      send: () => signedHubSpot(JSON.stringify([{ ...lifecycleMqlEvent('1001'), pad: 'x'.repeat(1024 * 1024) }])),
      status: 413,
      field: 'body',
    },
    {
      name: 'Slack: no signature',
      send: () =>
        bridge.app.inject({
          method: 'POST',
          url: '/slack/interactions',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
          },
          payload: 'payload=%7B%7D',
        }),
      status: 401,
      field: 'x-slack-signature',
    },
    {
      name: 'Slack: stale timestamp',
      send: () => signedSlack('payload=%7B%7D', { timestampSeconds: Math.floor(stale / 1000) }),
      status: 401,
      field: 'x-slack-request-timestamp',
    },
    {
      name: 'Slack: signed with another secret',
      send: () => signedSlack('payload=%7B%7D', { secret: 'nope' }),
      status: 401,
      field: 'x-slack-signature',
    },
    { name: 'Slack: no payload field', send: () => signedSlack('token=abc'), status: 400, field: 'payload' },
    { name: 'Slack: payload not JSON', send: () => signedSlack('payload=%7Bnot'), status: 400, field: 'payload' },
    {
      name: 'Slack: not block_actions',
      send: () => signedSlack(slackForm({ type: 'view_submission' })),
      status: 400,
      field: 'payload.type',
    },
    {
      name: 'Slack: no user',
      send: () => signedSlack(slackForm({ ...click('U0REPANA1', 'D0REPANA1', {}), user: undefined })),
      status: 400,
      field: 'payload.user.id',
    },
    {
      name: 'Slack: a button value that names no handoff',
      send: () =>
        signedSlack(
          slackForm(
            click('U0REPANA1', 'D0REPANA1', {
              type: 'button',
              action_id: 'handoff_accept',
              value: '{"wf":"something-else"}',
            }),
          ),
        ),
      status: 400,
      field: 'payload.actions[0].value',
    },
    {
      name: 'Salesforce: not XML',
      send: () =>
        bridge.app.inject({
          method: 'POST',
          url: '/webhooks/salesforce',
          headers: { 'content-type': 'text/xml' },
          payload: 'nope',
        }),
      status: 400,
      field: 'body',
    },
    {
      name: 'Salesforce: another org',
      send: () =>
        bridge.app.inject({
          method: 'POST',
          url: '/webhooks/salesforce',
          headers: { 'content-type': 'text/xml' },
          payload: outboundMessage(
            [{ id: '04l1', type: 'Task', fields: { Id: '00T1', HubSpot_Contact_Id__c: '1001' } }],
            '00D000000000009AAA',
          ),
        }),
      status: 403,
      field: 'notifications.OrganizationId',
    },
    {
      name: 'unknown route',
      send: () => bridge.app.inject({ method: 'GET', url: '/webhooks/hubspot' }),
      status: 404,
      field: 'url',
    },
  ])('$name → $status', async ({ send, status, field }) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    const body = res.json() as { error: string; field?: string };
    expect(body.field).toBe(field);
    expect(body.error).toEqual(expect.any(String));
    expect(temporal.calls).toBe(0);
    if (status !== 404) {
      expect(logs.filter((l) => l.level === 'warn' && l.msg === 'request refused')).toHaveLength(1);
    }
    expectNoPii();
  });
});

test('a batch with bad events answers for each one and still handles the good ones', async () => {
  const body = JSON.stringify([
    { ...lifecycleMqlEvent('1001'), propertyName: 'mql_fit_score', propertyValue: '12' },
    { ...lifecycleMqlEvent('1002'), objectId: 'x' },
    { ...lifecycleMqlEvent('1003'), propertyName: 'lifecyclestage', propertyValue: 'lead' },
  ]);
  const res = await signedHubSpot(body);
  expect(res.statusCode).toBe(200);
  expect(res.json().results).toEqual([
    expect.objectContaining({
      index: 0,
      contactId: '1001',
      outcome: 'ignored',
      reason: expect.stringMatching(/below the threshold/),
    }),
    expect.objectContaining({ index: 1, outcome: 'rejected', field: '[1].objectId', expected: 'a positive integer' }),
    expect.objectContaining({ index: 2, contactId: '1003', outcome: 'ignored' }),
  ]);
  expect(logs).toContainEqual(
    expect.objectContaining({
      msg: 'hubspot batch',
      refused: [expect.objectContaining({ index: 1, field: '[1].objectId' })],
    }),
  );
});

test('Temporal known down → 503 with Retry-After at once, so HubSpot retries; nothing waits on Temporal', async () => {
  expect(bridge.health.state).toBe('down');
  const res = await signedHubSpot(JSON.stringify([lifecycleMqlEvent('1001')]));
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('30');
  expect(res.json().error).toMatch(/Temporal at 127\.0\.0\.1:1 is unreachable/);
  expect(temporal.calls).toBe(0);
});

test('a request that finds Temporal gone since the last probe → 503, and the probe runs at once', async () => {
  let probeAnswers = true;
  const gateway = Object.assign(unreachableTemporal('127.0.0.1:2'), { ready: async () => probeAnswers });
  // Probes only when asked: the first at start, then none for a minute unless something suspects Temporal.
  const b = await createBridge({
    temporal: gateway,
    taskQueue: 'unit',
    config,
    secrets: BRIDGE_SECRETS,
    publicUrl: PUBLIC_URL,
    production: true,
    log: () => undefined,
    health: { upIntervalMs: 60_000 },
  });
  try {
    expect(b.health.state).toBe('up');
    probeAnswers = false;
    const down = () => new Promise<void>((resolve) => b.health.onChange((s) => s === 'down' && resolve()));
    const seenDown = down();
    const body = JSON.stringify([lifecycleMqlEvent('1001')]);
    const send = () =>
      b.app.inject({
        method: 'POST',
        url: '/webhooks/hubspot',
        headers: hubspotHeaders(HUBSPOT_URI, body),
        payload: body,
      });
    expect((await send()).statusCode).toBe(503);
    expect(gateway.calls).toBe(1);
    await seenDown;
    expect((await send()).statusCode).toBe(503);
    expect(gateway.calls).toBe(1);
  } finally {
    await b.close();
  }
});

test('Salesforce outbound message with Temporal unreachable → 503 (no Ack, Salesforce re-sends)', async () => {
  const res = await bridge.app.inject({
    method: 'POST',
    url: '/webhooks/salesforce',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    payload: outboundMessage([{ id: '04l1', type: 'Task', fields: { Id: '00T1', HubSpot_Contact_Id__c: '1001' } }]),
  });
  expect(res.statusCode).toBe(503);
  expect(res.body).not.toContain('<Ack>');
});

test('a Salesforce message with nothing to signal is acknowledged without Temporal', async () => {
  const res = await bridge.app.inject({
    method: 'POST',
    url: '/webhooks/salesforce',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    payload: outboundMessage([
      { id: '04l1', type: 'Task', fields: { Id: '00T1', Handoff_Key__c: 'k', HubSpot_Contact_Id__c: '1001' } },
    ]),
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/xml/);
  expect(res.body).toContain('<Ack>true</Ack>');
  expect(temporal.calls).toBe(0);
});

describe('Slack clicks answered without the workflow', () => {
  const accept = { type: 'button', action_id: 'handoff_accept', value: '{"wf":"mql-hubspot-1001"}' };

  test('someone who is not a rep is told so, only them', async () => {
    const res = await signedSlack(slackForm(click('U0VPSALES', 'C0REVOPS01', accept)));
    expect(res.statusCode).toBe(200);
    expect(slack.ephemerals('U0VPSALES').at(-1)?.text).toMatch(/not a rep in the handoff configuration/);
    expect(temporal.calls).toBe(0);
  });

  test('a reject option whose reason is not on the picklist is refused before the workflow', async () => {
    const reject = {
      type: 'static_select',
      action_id: 'handoff_reject',
      selected_option: {
        text: { type: 'plain_text', text: 'Too expensive' },
        value: '{"wf":"mql-hubspot-1001","reason":"too_expensive"}',
      },
    };
    const res = await signedSlack(slackForm(click('U0REPANA1', 'D0REPANA1', reject)));
    expect(res.statusCode).toBe(200);
    expect(slack.ephemerals('U0REPANA1').at(-1)?.text).toMatch(
      /"too_expensive" is not on the picklist; expected one of: wrong_company_size/,
    );
    expect(temporal.calls).toBe(0);
  });

  test('buttons that are not the handoff’s are acknowledged and ignored', async () => {
    const res = await signedSlack(
      slackForm(click('U0REPANA1', 'D0REPANA1', { type: 'button', action_id: 'other_app_button', value: 'x' })),
    );
    expect(res.statusCode).toBe(200);
    expect(temporal.calls).toBe(0);
  });

  test('Temporal unreachable → 503, and the clicker is told nothing was recorded', async () => {
    const res = await signedSlack(slackForm(click('U0REPANA1', 'D0REPANA1', accept)));
    expect(res.statusCode).toBe(503);
    expect(slack.ephemerals('U0REPANA1').at(-1)?.text).toMatch(/could not be reached, so nothing was recorded/);
  });
});

describe('operations endpoints', () => {
  test('/healthz answers while Temporal is down; /readyz says it is not ready', async () => {
    expect((await bridge.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
      status: 'ok',
      temporal: { state: 'down', address: '127.0.0.1:1', since: expect.any(String), checkedAt: expect.any(String) },
    });
    const ready = await bridge.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', temporal: '127.0.0.1:1' });
  });

  test('/metrics counts requests by route and status, outcomes, and latency as a histogram', async () => {
    await signedHubSpot('[{"eventId":');
    await signedHubSpot(
      JSON.stringify([{ ...lifecycleMqlEvent('1001'), propertyName: 'mql_fit_score', propertyValue: '12' }]),
    );
    const res = await bridge.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('handoff_bridge_requests_total{route="/webhooks/hubspot",status="400"} 1');
    expect(text).toContain('handoff_bridge_requests_total{route="/webhooks/hubspot",status="200"} 1');
    expect(text).toContain('handoff_bridge_outcomes_total{route="/webhooks/hubspot",outcome="rejected"} 1');
    expect(text).toContain('handoff_bridge_outcomes_total{route="/webhooks/hubspot",outcome="ignored"} 1');
    expect(text).toContain('# TYPE handoff_bridge_request_duration_seconds histogram');
    expect(text).toContain('handoff_bridge_temporal_up 0');
    expect(text).toContain('handoff_bridge_request_duration_seconds_bucket{route="/webhooks/hubspot",le="+Inf"} 2');
    expect(text).toContain('handoff_bridge_request_duration_seconds_count{route="/webhooks/hubspot"} 2');
    // Every sample line is `name{labels} value`.
    for (const line of text
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/);
    }
  });
});

describe('secrets', () => {
  const base = { temporal: unreachableTemporal(), taskQueue: 'unit', config, log: () => undefined };

  test('production refuses to start without them, naming each missing variable', async () => {
    const refusal = createBridge({ ...base, production: true, secrets: {} });
    await expect(refusal).rejects.toBeInstanceOf(MissingSecretError);
    await expect(refusal).rejects.toThrow(
      'the bridge will not start in production without HUBSPOT_CLIENT_SECRET, SLACK_SIGNING_SECRET, SALESFORCE_ORG_ID: set them in the environment',
    );
    await expect(
      createBridge({ ...base, production: true, secrets: { hubspotClientSecret: 'a', salesforceOrgId: SF_ORG_ID } }),
    ).rejects.toThrow(/without SLACK_SIGNING_SECRET: set it/);
  });

  test('outside production the sandbox defaults are used, and the log says which variables fell back', async () => {
    const seen: Record<string, unknown>[] = [];
    const dev = await createBridge({
      ...base,
      production: false,
      secrets: { slackSigningSecret: 's' },
      // What `npm start` passes: the org of the sandbox it started.
      developmentSecrets: { salesforceOrgId: SF_ORG_ID },
      log: (e) => seen.push(e as Record<string, unknown>),
    });
    try {
      expect(seen).toContainEqual(
        expect.objectContaining({ level: 'warn', variables: ['HUBSPOT_CLIENT_SECRET', 'SALESFORCE_ORG_ID'] }),
      );
      expect(JSON.stringify(seen)).not.toContain(SANDBOX_HUBSPOT_CLIENT_SECRET);
      const body = JSON.stringify([
        { ...lifecycleMqlEvent('1001'), propertyName: 'mql_fit_score', propertyValue: '1' },
      ]);
      const res = await dev.app.inject({
        method: 'POST',
        url: '/webhooks/hubspot',
        headers: {
          ...hubspotHeaders('http://localhost:80/webhooks/hubspot', body, { secret: SANDBOX_HUBSPOT_CLIENT_SECRET }),
          host: 'localhost:80',
        },
        payload: body,
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await dev.close();
    }
  });

  test('outside production with no Salesforce org given, the bridge starts but refuses every outbound message', async () => {
    const seen: Record<string, unknown>[] = [];
    const dev = await createBridge({
      ...base,
      production: false,
      secrets: {},
      log: (e) => seen.push(e as Record<string, unknown>),
    });
    try {
      expect(seen).toContainEqual(
        expect.objectContaining({ level: 'warn', variables: ['HUBSPOT_CLIENT_SECRET', 'SLACK_SIGNING_SECRET'] }),
      );
      expect(seen).toContainEqual(expect.objectContaining({ level: 'warn', variables: ['SALESFORCE_ORG_ID'] }));
      const res = await dev.app.inject({
        method: 'POST',
        url: '/webhooks/salesforce',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        payload: outboundMessage([{ id: '04l1', type: 'Task', fields: { Id: '00T1', HubSpot_Contact_Id__c: '1001' } }]),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({
        error: `OrganizationId ${SF_ORG_ID} is not accepted: SALESFORCE_ORG_ID is not set, so no org may send outbound messages`,
        field: 'notifications.OrganizationId',
      });
    } finally {
      await dev.close();
    }
  });
});
