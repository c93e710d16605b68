/**
 * `npm run bench:bursts`: how fast an MQL reaches its rep in bursts of N at once, end to end in one process (the
 * figures of `npm run bench` run each part in its own process; this is the quicker look).
 *
 * A real Temporal dev server, the real worker with the real adapters against the sandbox emulators, and the real
 * bridge. For each burst size N, N signed HubSpot webhooks (one MQL each) are posted to the bridge at once and we
 * record, per lead:
 *   - webhook → bridge 200 (what HubSpot waits for),
 *   - webhook → Slack DM posted in the emulator (what the rep experiences: "speed to notify").
 * Then one 100-event batch in a single webhook request (HubSpot sends batches up to 100).
 * Prints p50/p95/max, throughput and ratios against N = 1. Figures depend on the machine; nothing here asserts.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { handoffDataConverter } from '../src/codec/data-converter';
import { createPorts } from '../src/main/wiring';
import { createBridge } from '../src/client/bridge/server';
import { hubspotSignatureV3 } from '../src/client/bridge/signatures';
import { mqlWebhookEvent } from './lib/hubspot-webhook';
import { fixedTemporalGateway } from '../src/client/temporal-gateway';
import { loadEnv } from '../src/config/env';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../src/config/org-config-file';
import { startSandbox } from '../src/sandbox';
import { cloneDemoContact } from '../src/sandbox/demo-leads';
import { resolveDevServer } from '../src/temporal/binaries';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../src/workflows/definitions';
import { createHandoffWorker } from '../src/worker';

const SECRET = 'bench-hubspot-client-secret';
const BURSTS = (process.env.BENCH_BURSTS ?? '1,10,50').split(',').map(Number);
const SEED_CONTACT = '1007'; // small-behavioral: round-robin in SDR Inbound

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const config = loadOrgConfigFile(resolveOrgConfigPath());
  for (const team of config.teams) for (const rep of team.reps) rep.capacity = 10_000;
  const dev = await resolveDevServer({ allowDownload: false });
  // Payloads encrypted as in production (AES-256-GCM), with a key that lives as long as this run.
  const dataConverter = handoffDataConverter([{ id: 'bench', key: randomBytes(32) }]);
  const env = await TestWorkflowEnvironment.createLocal({
    client: { dataConverter },
    server: {
      executable: dev.executable,
      searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => ({ name, type })),
      // The server logs retried internal calls (e.g. an update racing the roster's continue-as-new) as errors.
      log: { format: 'pretty', level: 'never' },
    },
  });
  const sandbox = await startSandbox({ config });
  const taskQueue = `bench-${Date.now()}`;
  const worker = await createHandoffWorker({
    connection: env.nativeConnection,
    client: env.client,
    namespace: 'default',
    taskQueue,
    config,
    ports: createPorts(loadEnv({}), config, sandbox),
    dataConverter,
  });
  const bridge = await createBridge({
    temporal: fixedTemporalGateway(env.client, env.address),
    taskQueue,
    config,
    secrets: { hubspotClientSecret: SECRET },
    production: false,
    log: () => undefined,
  });
  const bridgeUrl = await bridge.listen(0, '127.0.0.1');
  const store = sandbox.hubspot!.store;
  let eventId = 1;

  const post = async (events: object[]): Promise<{ status: number; ms: number }> => {
    const body = JSON.stringify(events);
    const timestamp = String(Date.now());
    const uri = `${bridgeUrl}/webhooks/hubspot`;
    const started = performance.now();
    const res = await fetch(uri, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-request-timestamp': timestamp,
        'x-hubspot-signature-v3': hubspotSignatureV3({ secret: SECRET, method: 'POST', uri, body, timestamp }),
      },
      body,
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  };
  const mqlEvent = (contactId: string) => mqlWebhookEvent({ eventId: eventId++, portalId: 4410001, contactId });
  /** Resolves when the lead's DM is in the Slack emulator. */
  const dmPosted = async (contactId: string): Promise<number> => {
    const wf = `mql-hubspot-${contactId}`;
    for (;;) {
      if (sandbox.slack!.messages().some((m) => JSON.stringify(m.metadata ?? {}).includes(wf)))
        return performance.now();
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  const rows: { n: number; ack: number[]; notify: number[]; wallMs: number }[] = [];
  await worker.runUntil(async () => {
    // Warm-up: bundle caches, connections, the roster workflow.
    const warm = cloneDemoContact(store, SEED_CONTACT);
    await post([mqlEvent(warm)]);
    await dmPosted(warm);

    for (const n of BURSTS) {
      const ids = Array.from({ length: n }, () => cloneDemoContact(store, SEED_CONTACT));
      const started = performance.now();
      const results = await Promise.all(
        ids.map(async (id) => {
          const t0 = performance.now();
          const [ack, dm] = await Promise.all([post([mqlEvent(id)]), dmPosted(id)]);
          if (ack.status !== 200) throw new Error(`bridge answered ${ack.status} for ${id}`);
          return { ack: ack.ms, notify: dm - t0 };
        }),
      );
      rows.push({
        n,
        ack: results.map((r) => r.ack),
        notify: results.map((r) => r.notify),
        wallMs: performance.now() - started,
      });
    }

    const batchIds = Array.from({ length: 100 }, () => cloneDemoContact(store, SEED_CONTACT));
    const t0 = performance.now();
    const batch = await post(batchIds.map(mqlEvent));
    const notified = await Promise.all(batchIds.map(dmPosted));
    const allNotifiedMs = Math.max(...notified) - t0;

    const base = rows[0]!;
    console.log(`\nMQL → rep, end to end (bridge → Temporal dev server → worker → HubSpot/Slack/SMTP emulators)`);
    console.log(`machine: ${process.platform} ${process.arch}, node ${process.version}, ${os.cpus().length} CPUs\n`);
    console.log(
      'burst  webhook→200 p50   p95      max   | webhook→DM p50   p95      max   | leads/s | DM p50 vs burst 1',
    );
    for (const r of rows) {
      console.log(
        `${String(r.n).padStart(5)}  ${fmt(pct(r.ack, 50)).padStart(13)} ${fmt(pct(r.ack, 95)).padStart(8)} ${fmt(Math.max(...r.ack)).padStart(8)} |` +
          ` ${fmt(pct(r.notify, 50)).padStart(13)} ${fmt(pct(r.notify, 95)).padStart(8)} ${fmt(Math.max(...r.notify)).padStart(8)} |` +
          ` ${(r.n / (r.wallMs / 1000)).toFixed(1).padStart(7)} | ×${(pct(r.notify, 50) / pct(base.notify, 50)).toFixed(2)}`,
      );
    }
    console.log(
      `\none webhook carrying 100 MQL events: answered ${batch.status} in ${fmt(batch.ms)}; all 100 DMs posted ${fmt(allNotifiedMs)} after sending` +
        ` (${(100 / (allNotifiedMs / 1000)).toFixed(1)} leads/s)`,
    );
    const open = await env.client.workflow.list({
      query: `WorkflowType = "mqlHandoff" AND ExecutionStatus = "Running"`,
    });
    for await (const wf of open) await env.client.workflow.getHandle(wf.workflowId).terminate('bench over');
  });
  await bridge.close();
  await sandbox.close();
  await env.teardown();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
