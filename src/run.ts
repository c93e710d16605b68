/**
 * Process launcher shared by `npm start` (embedded: local dev server + sandbox + worker + bridge) and
 * `npm run worker` (the worker against TEMPORAL_ADDRESS). Everything it starts, it stops on SIGINT/SIGTERM, in
 * reverse order, so Ctrl-C leaves no process behind and the dev server's SQLite file is closed cleanly.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createPorts, describeServices, servicesNeedingSandbox } from './activities/wiring';
import { describeEnv, EnvError, loadEnv, temporalSettings, type Env } from './config/env';
import { loadOrgConfigFile, resolveOrgConfigPath } from './config/org-config-file';
import { OrgConfigError } from './domain/org-config';
import { DEFAULT_SANDBOX_BASE_PORT, startSandbox, type Sandbox } from './sandbox';
import { resolveDevServer } from './temporal/binaries';
import { connectClient, connectWorkerConnection } from './temporal/connection';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from './workflows/definitions';
import { createHandoffWorker } from './worker';

const say = (line: string): void => {
  process.stdout.write(`[mql-handoff] ${line}\n`);
};

export async function runProcess(opts: { embedded: boolean }): Promise<void> {
  let env: Env;
  try {
    env = loadEnv();
  } catch (e) {
    return fail(e);
  }
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch (e) {
        say(`stopping ${c.what}: ${(e as Error).message}`);
      }
    }
    process.exit(code);
  };

  try {
    const config = loadOrgConfigFile(resolveOrgConfigPath());
    const settings = temporalSettings(env);
    const production = env.NODE_ENV === 'production';
    Runtime.install({
      logger: new DefaultLogger(env.LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
    });

    // 1. Temporal: an embedded dev server unless TEMPORAL_ADDRESS names a cluster.
    let uiUrl: string | null = null;
    if (!settings.address && opts.embedded) {
      const dataDir = path.resolve(env.MQL_HANDOFF_DATA_DIR ?? '.data');
      mkdirSync(dataDir, { recursive: true });
      const dev = await resolveDevServer({ log: say });
      const port = env.TEMPORAL_DEV_PORT ?? 7233;
      const uiPort = env.TEMPORAL_UI_PORT ?? 8233;
      say(`starting the Temporal dev server (${dev.description}) with its database in ${dataDir}`);
      const server = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: dev.executable,
          ip: '127.0.0.1',
          port,
          ui: true,
          uiPort,
          dbFilename: path.join(dataDir, 'temporal.sqlite'),
          namespace: settings.namespace,
          searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => ({ name, type })),
          log: { format: 'pretty', level: 'warn' },
        },
      });
      cleanups.push({ what: 'the Temporal dev server', run: () => server.teardown() });
      settings.address = `127.0.0.1:${port}`;
      uiUrl = `http://localhost:${uiPort}`;
    }

    // 2. The sandbox for every service without credentials (never in production).
    const missing = servicesNeedingSandbox(env);
    let sandbox: Sandbox | null = null;
    if (missing.length > 0) {
      if (production) {
        throw new Error(
          `NODE_ENV=production and these services have no credentials: ${missing.join(', ')} (the sandbox is for development; see the README's environment table)`,
        );
      }
      sandbox = await startSandbox({
        config,
        services: missing,
        basePort: env.SANDBOX_BASE_PORT ?? DEFAULT_SANDBOX_BASE_PORT,
      });
      cleanups.push({ what: 'the sandbox emulators', run: () => sandbox!.close() });
    }
    const ports = createPorts(env, config, sandbox);

    // 3. The worker.
    const connection = await connectWorkerConnection(settings);
    cleanups.push({ what: 'the worker connection', run: () => connection.close() });
    const client = await connectClient(settings);
    cleanups.push({ what: 'the client connection', run: () => client.connection.close() });
    const worker = await createHandoffWorker({
      connection,
      client,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      config,
      ports,
    });

    // 4. The bridge (embedded mode; `npm run bridge` runs it on its own).
    let bridgeUrl: string | null = null;
    if (opts.embedded) {
      const { startBridge } = await import('./client/bridge/process');
      const bridge = await startBridge({
        env,
        config,
        client,
        taskQueue: settings.taskQueue,
        temporalAddress: settings.address,
        sandbox,
      });
      cleanups.push({ what: 'the bridge', run: () => bridge.close() });
      bridgeUrl = bridge.url;
    }

    say(`organisation: ${config.organization} (${resolveOrgConfigPath()}), sales CRM: ${config.salesCrm}`);
    say(
      `Temporal: ${settings.address ?? 'localhost:7233'} namespace ${settings.namespace}, task queue ${settings.taskQueue}`,
    );
    if (uiUrl) say(`Temporal UI: ${uiUrl}`);
    if (bridgeUrl) say(`bridge: ${bridgeUrl} (POST /webhooks/hubspot, /webhooks/salesforce, /slack/interactions)`);
    for (const [service, where] of Object.entries(describeServices(env, sandbox))) say(`${service}: ${where}`);
    for (const line of sandbox?.describe() ?? []) say(line);
    if (env.LOG_LEVEL === 'debug') say(`environment: ${JSON.stringify(describeEnv(env))}`);
    say('worker polling; Ctrl-C stops everything');

    const shutdown = (signal: string): void => {
      say(`${signal}: draining the worker and stopping`);
      worker.shutdown();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    await worker.run();
    await stop(0);
  } catch (e) {
    say(e instanceof Error ? e.message : String(e));
    await stop(1);
  }
}

function fail(e: unknown): void {
  if (e instanceof EnvError || e instanceof OrgConfigError) {
    process.stderr.write(`${e.message}\n`);
  } else {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  process.exit(1);
}
