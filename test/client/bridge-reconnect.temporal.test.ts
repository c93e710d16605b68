/**
 * Temporal stops and comes back (issue 9.6): the bridge answers 503 while it is down and serves again within
 * seconds of its return, noticed by its own probe rather than by a request. The Temporal here is a dev server of
 * this file's own, on its own port and database, stopped and started again on both; the bridge reaches it as the
 * standalone bridge does (src/main/bridge.ts: a lazy gateway over connectClient).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBridge, type Bridge } from '../../src/client/bridge/server';
import { createLazyTemporalGateway } from '../../src/client/temporal-gateway';
import { resolveDevServer } from '../../src/temporal/binaries';
import { connectClient } from '../../src/temporal/connection';
import { handoffWorkflowId } from '../../src/workflows/definitions';
import { testDataConverter } from '../support/codec';
import { sampleOrg } from '../support/handoff-fixture';
import { BRIDGE_SECRETS, hubspotHeaders, lifecycleMqlEvent, uniqueHubSpotId, until, unusedPort } from './support';

const PUBLIC_URL = 'https://bridge.acme-analytics.example';
/** Down long enough for gRPC's default reconnect backoff (1 s × 1.6 per failed attempt) to pass 10 s. */
const OUTAGE_MS = 30_000;

let tmp: string;
let port: number;
let server: TestWorkflowEnvironment | null = null;

async function startServer(): Promise<void> {
  const dev = await resolveDevServer({ allowDownload: false });
  server = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: dev.executable,
      ip: '127.0.0.1',
      port,
      dbFilename: path.join(tmp, 'temporal.sqlite'),
      namespace: 'default',
      log: { format: 'pretty', level: 'error' },
    },
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'bridge-reconnect-'));
  port = await unusedPort();
  await startServer();
});
afterAll(async () => {
  await server?.teardown();
  rmSync(tmp, { recursive: true, force: true });
});

async function deliver(bridge: Bridge, contactId: string) {
  const body = JSON.stringify([lifecycleMqlEvent(contactId)]);
  const res = await bridge.app.inject({
    method: 'POST',
    url: '/webhooks/hubspot',
    headers: hubspotHeaders(`${PUBLIC_URL}/webhooks/hubspot`, body),
    payload: body,
  });
  return { status: res.statusCode, body: res.json() as { results?: { outcome: string }[]; error?: string } };
}

test('Temporal stopped → 503 while down; its return is noticed by the probe and served within seconds', async () => {
  const address = `127.0.0.1:${port}`;
  const settings = { address, namespace: 'default', taskQueue: 'bridge-reconnect' };
  const gateway = createLazyTemporalGateway({ address, connect: () => connectClient(settings, testDataConverter()) });
  const bridge = await createBridge({
    temporal: gateway,
    taskQueue: settings.taskQueue,
    config: sampleOrg(),
    secrets: BRIDGE_SECRETS,
    publicUrl: PUBLIC_URL,
    production: true,
    log: () => undefined,
  });
  const readyz = async () => (await bridge.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
  const healthz = async () =>
    (await bridge.app.inject({ method: 'GET', url: '/healthz' })).json() as { temporal: { state: string } };
  const transitions: string[] = [];
  bridge.health.onChange((s) => transitions.push(s));
  try {
    expect(bridge.health.state).toBe('up');
    const before = await deliver(bridge, uniqueHubSpotId());
    expect(before.status).toBe(200);
    expect(before.body.results!.map((r) => r.outcome)).toEqual(['started']);

    await server!.teardown();
    server = null;
    await until(
      () => bridge.health.state,
      (s) => s === 'down',
      'the probe to notice Temporal stopped',
    );
    const down = await deliver(bridge, uniqueHubSpotId());
    expect(down.status).toBe(503);
    expect(down.body.error).toMatch(/is unreachable; nothing was lost, retry later/);
    expect(await readyz()).toBe(503);
    expect((await healthz()).temporal.state).toBe('down');

    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    expect((await deliver(bridge, uniqueHubSpotId())).status).toBe(503);

    await startServer();
    // Generous: the probe finds it within about a second; gRPC's default backoff left it ~10 s or more away.
    await until(
      () => bridge.health.state,
      (s) => s === 'up',
      'the probe to notice Temporal back',
      5_000,
    );
    expect(await readyz()).toBe(200);
    expect((await healthz()).temporal.state).toBe('up');
    const contactId = uniqueHubSpotId();
    const back = await deliver(bridge, contactId);
    expect(back.status).toBe(200);
    expect(back.body.results!.map((r) => r.outcome)).toEqual(['started']);
    const described = await server!.client.workflow.getHandle(handoffWorkflowId('hubspot', contactId)).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(transitions).toEqual(['down', 'up']);
  } finally {
    await bridge.close();
    await gateway.close();
  }
});
