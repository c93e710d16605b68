/**
 * One running handoff deployment for the bench, against a Temporal server it is given: the emulators, the worker
 * (plus P2's bare worker) and the production bridge (`node dist/src/main/bridge.js`), each in its own process, and
 * in the bench process the load generator, a client with the workers' codec, and the arrival clocks.
 *
 * Arrivals are timed where they land (the Slack emulator, the bare worker) with `nowMs()`, and sends here, on the
 * same machine clock.
 */
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { hubspotSignatureV3 } from '../../src/client/bridge/signatures';
import { handoffDataConverter } from '../../src/codec/data-converter';
import { parseCodecKeys } from '../../src/config/codec-keys';
import type { OrgConfig } from '../../src/domain/org-config';
import type { SandboxEndpoints } from '../../src/main/wiring';
import { forkChild } from './ipc';
import { writeOrg } from './org';
import type { SlackArrival } from './sandbox-child';
import { nowMs, sleep } from './stats';
import type { TemporalServer } from './server';
import type { BareArrival, WorkerChildStart, WorkerChildStarted } from './worker-child';
import { mqlWebhookEvent } from './hubspot-webhook';

const HUBSPOT_SECRET = 'bench-hubspot-client-secret';
/** Bench contact numbers are unique across the stacks of one run (they share one server). */
let nextContact = 1;

export interface Stack {
  readonly name: string;
  readonly config: OrgConfig;
  readonly taskQueue: string;
  readonly bareTaskQueue: string;
  readonly rosterScope: string;
  /** The workers' codec: handoff payloads are encrypted. */
  readonly client: Client;
  /** Default data converter, for the bare workflow. */
  readonly bareClient: Client;
  readonly bridgeUrl: string;
  readonly workerPid: number;
  /** The worker process's RSS at start-up (worker-child.ts). */
  readonly workerStartup: WorkerChildStarted['rss'];
  /** When the DM (step `notify-1`; the adapter suffixes the channel) of each handoff reached Slack, by workflow id. */
  readonly dmAt: Map<string, number>;
  /** When the first-rung reminder (`reminder-1`) reached Slack. */
  readonly reminderAt: Map<string, number>;
  /** The last chat.update of each handoff's DM. */
  readonly dmUpdatedAt: Map<string, number>;
  /** When each bare workflow's DM-equivalent activity ran. */
  readonly bareAt: Map<string, number>;
  createLeads(count: number, kind: 'demo' | 'behavioral'): Promise<string[]>;
  /** One signed HubSpot webhook carrying one MQL event per contact. */
  postMqls(contactIds: string[]): Promise<{ sentAt: number; ackMs: number; status: number }>;
  /** Resolves when every id is in `map`, or rejects after `timeoutMs` naming how many are missing. */
  waitFor(map: Map<string, number>, ids: readonly string[], timeoutMs: number, what: string): Promise<void>;
  workerMemory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

export async function startStack(input: {
  name: string;
  server: TemporalServer;
  config: OrgConfig;
  /** Run P2's bare worker in the worker process (default true). */
  bare?: boolean;
}): Promise<Stack> {
  const { server, config, name } = input;
  const dir = mkdtempSync(path.join(os.tmpdir(), `mql-bench-${name}-`));
  const configPath = writeOrg(config, dir);
  const codecKeys = `bench:${randomBytes(32).toString('base64')}`;
  const suffix = `${name}-${Date.now().toString(36)}`;
  const taskQueue = `bench-${suffix}`;
  const bareTaskQueue = `bench-bare-${suffix}`;
  const rosterScope = `bench-${suffix}`;
  const stoppers: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const s of stoppers.reverse()) await s().catch((e: unknown) => console.error(`stopping: ${String(e)}`));
  };

  try {
    const here = __dirname;
    const sandbox = forkChild(path.join(here, 'sandbox-child.js'), { name: 'sandbox' });
    stoppers.push(() => sandbox.stop());
    const endpoints = await sandbox.call<SandboxEndpoints>('start', { configPath });

    const dmAt = new Map<string, number>();
    const reminderAt = new Map<string, number>();
    const dmUpdatedAt = new Map<string, number>();
    const bareAt = new Map<string, number>();
    sandbox.on('slack', (batch: SlackArrival[]) => {
      for (const a of batch) {
        if (!a.workflowId || !a.key) continue;
        if (a.method === 'chat.update') dmUpdatedAt.set(a.workflowId, a.at);
        else if (/:notify-1(:|$)/.test(a.key)) dmAt.set(a.workflowId, a.at);
        else if (/:reminder-1(:|$)/.test(a.key)) reminderAt.set(a.workflowId, a.at);
      }
    });

    const worker = forkChild(path.join(here, 'worker-child.js'), { name: 'worker' });
    stoppers.push(() => worker.stop(30_000));
    worker.on('bare', (batch: BareArrival[]) => {
      for (const a of batch) bareAt.set(a.workflowId, a.at);
    });
    const startArgs: WorkerChildStart = {
      address: server.address,
      namespace: server.namespace,
      taskQueue,
      bareTaskQueue: input.bare === false ? null : bareTaskQueue,
      rosterScope,
      configPath,
      codecKeys,
      endpoints,
    };
    const { pid: workerPid, rss: workerStartup } = await worker.call<WorkerChildStarted>('start', startArgs);

    const bridgeUrl = await startBridge(
      {
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: server.namespace,
        TEMPORAL_TASK_QUEUE: taskQueue,
        HANDOFF_CONFIG: configPath,
        HANDOFF_CODEC_KEYS: codecKeys,
        HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
        MQL_HANDOFF_DATA_DIR: path.join(dir, 'bridge-data'),
        BRIDGE_HOST: '127.0.0.1',
        BRIDGE_PORT: String(await freePort()),
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
      },
      stoppers,
    );

    const connection = await Connection.connect({ address: server.address });
    stoppers.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: server.namespace,
      dataConverter: handoffDataConverter(parseCodecKeys(codecKeys)),
    });
    const bareClient = new Client({ connection, namespace: server.namespace });

    let eventId = 1;
    const webhookUri = `${bridgeUrl}/webhooks/hubspot`;
    return {
      name,
      config,
      taskQueue,
      bareTaskQueue,
      rosterScope,
      client,
      bareClient,
      bridgeUrl,
      workerPid,
      workerStartup,
      dmAt,
      reminderAt,
      dmUpdatedAt,
      bareAt,
      async createLeads(count, kind) {
        const ids: string[] = [];
        for (let done = 0; done < count; done += 1000) {
          const n = Math.min(1000, count - done);
          const first = nextContact;
          nextContact += n;
          ids.push(...(await sandbox.call<string[]>('createLeads', { first, count: n, demo: kind === 'demo' })));
        }
        return ids;
      },
      async postMqls(contactIds) {
        const body = JSON.stringify(
          contactIds.map((id) =>
            mqlWebhookEvent({ eventId: eventId++, portalId: config.hubspot.portalId, contactId: id }),
          ),
        );
        const timestamp = String(Date.now());
        const signature = hubspotSignatureV3({
          secret: HUBSPOT_SECRET,
          method: 'POST',
          uri: webhookUri,
          body,
          timestamp,
        });
        const sentAt = nowMs();
        const res = await fetch(webhookUri, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hubspot-request-timestamp': timestamp,
            'x-hubspot-signature-v3': signature,
          },
          body,
        });
        await res.arrayBuffer();
        return { sentAt, ackMs: nowMs() - sentAt, status: res.status };
      },
      async waitFor(map, ids, timeoutMs, what) {
        const deadline = Date.now() + timeoutMs;
        let missing = [...ids];
        for (;;) {
          missing = missing.filter((id) => !map.has(id));
          if (missing.length === 0) return;
          if (Date.now() > deadline) {
            throw new Error(
              `${what}: ${missing.length} of ${ids.length} did not arrive within ${Math.round(timeoutMs / 1000)} s`,
            );
          }
          await sleep(20);
        }
      },
      workerMemory: () => worker.call<NodeJS.MemoryUsage>('memory'),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The production bridge entry point in its own process; resolves with its URL once it listens. */
async function startBridge(env: Record<string, string>, stoppers: (() => Promise<void>)[]): Promise<string> {
  const entry = path.resolve(__dirname, '../../src/main/bridge.js');
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stoppers.push(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  });
  return new Promise<string>((resolve, reject) => {
    let buffered = '';
    let found = false;
    const timer = setTimeout(() => reject(new Error('the bridge did not say it listens within 30 s')), 30_000);
    child.once('exit', (code) => {
      if (!found) reject(new Error(`the bridge exited with code ${code} before listening`));
    });
    // Its per-request log lines are read and dropped (a full pipe would stall it).
    child.stdout!.on('data', (chunk: Buffer) => {
      if (found) return;
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('"bridge listening"')) continue;
        found = true;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
        return;
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
