/**
 * The process launcher behind `npm start` (start.ts: local dev server + sandbox + worker + bridge) and
 * `npm run worker` / the worker image (worker.ts: the worker alone against TEMPORAL_ADDRESS). What only `npm start`
 * has — the dev server, the sandbox — is injected, so the worker's build contains neither. Everything it starts, it
 * stops on SIGINT/SIGTERM, in reverse order, so Ctrl-C leaves no process behind and the dev server's SQLite file is
 * closed cleanly.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { describeEnv, EnvError, loadEnv, temporalSettings, type Env } from '../config/env';
import { listHandoffRecords } from '../activities/handoff-records';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../config/org-config-file';
import { OrgConfigError, type OrgConfig } from '../domain/org-config';
import { connectClient, connectWorkerConnection } from '../temporal/connection';
import { createHandoffWorker } from '../worker';
import { ensureDigestSchedule } from './digest-schedule';
import { createHealthMetrics, startMetricsServer } from './health-metrics';
import { createPorts, describeServices, servicesNeedingSandbox, type SandboxEndpoints, type Service } from './wiring';

/** A local Temporal the launcher started (dev-server.ts). */
export interface DevServer {
  /** host:port of the frontend. */
  address: string;
  uiUrl: string;
  teardown(): Promise<void>;
}

/** A running sandbox as the launcher uses it (src/sandbox's `Sandbox` has this shape). */
export interface RunningSandbox extends SandboxEndpoints {
  salesforce?: SandboxEndpoints['salesforce'] & { orgId: string };
  /** One line per emulator, for the start-up banner. */
  describe(): string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Starts a local Temporal when TEMPORAL_ADDRESS is unset (`npm start`); without it the worker dials the cluster. */
  devServer?: (input: { env: Env; namespace: string; log: (line: string) => void }) => Promise<DevServer>;
  /** Starts emulators for the services without credentials (`npm start`); without it every service needs them. */
  sandbox?: (input: { env: Env; config: OrgConfig; services: Service[] }) => Promise<RunningSandbox>;
  /** Runs the webhook bridge in the same process (`npm start`). */
  bridge?: boolean;
}

const say = (line: string): void => {
  process.stdout.write(`[mql-handoff] ${line}\n`);
};

export async function runProcess(opts: LaunchOptions): Promise<void> {
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

    // 1. Temporal: a local dev server when offered and TEMPORAL_ADDRESS names no cluster.
    let uiUrl: string | null = null;
    if (!settings.address && opts.devServer) {
      const server = await opts.devServer({ env, namespace: settings.namespace, log: say });
      cleanups.push({ what: 'the Temporal dev server', run: () => server.teardown() });
      settings.address = server.address;
      uiUrl = server.uiUrl;
    }

    // 2. The sandbox for every service without credentials (when offered; never in production).
    const missing = servicesNeedingSandbox(env);
    let sandbox: RunningSandbox | null = null;
    if (missing.length > 0 && opts.sandbox) {
      if (production) {
        throw new Error(
          `NODE_ENV=production and these services have no credentials: ${missing.join(', ')} (the sandbox is for development; see the README's environment table)`,
        );
      }
      sandbox = await opts.sandbox({ env, config, services: missing });
      cleanups.push({ what: 'the sandbox emulators', run: () => sandbox!.close() });
    }
    // Without a sandbox, a service the org needs and has no credentials for stops here, naming the variables.
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

    // The weekly digest's Schedule, created or updated from the org config (idempotent across restarts/replicas).
    const digest = await ensureDigestSchedule(client, { policy: config.health, taskQueue: settings.taskQueue });

    // 4. The Prometheus endpoint: the week's handoff-health figures from visibility, and process metrics.
    let metricsUrl: string | null = null;
    const metricsPort = env.METRICS_PORT ?? 9464;
    if (metricsPort !== 0) {
      let lastError = '';
      const metrics = createHealthMetrics({
        loadRecords: (from, to) => listHandoffRecords(client, from, to),
        policy: () => config.health,
        onError: (e) => {
          // Once per distinct failure, not once per scrape.
          const message = e instanceof Error ? e.message : String(e);
          if (message !== lastError) say(`metrics: cannot read the handoff records from visibility: ${message}`);
          lastError = message;
        },
      });
      const server = await startMetricsServer({
        metrics,
        port: metricsPort,
        host: env.METRICS_HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
      });
      cleanups.push({ what: 'the metrics endpoint', run: () => server.close() });
      metricsUrl = server.url;
    }

    // 5. The bridge, in this process when asked (`npm run bridge` runs it on its own).
    let bridgeUrl: string | null = null;
    if (opts.bridge) {
      const { startBridge } = await import('../client/bridge/process');
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
    if (metricsUrl) say(`metrics: ${metricsUrl} (handoff health of the current week, process metrics)`);
    if (bridgeUrl) say(`bridge: ${bridgeUrl} (POST /webhooks/hubspot, /webhooks/salesforce, /slack/interactions)`);
    say(
      `weekly digest: schedule ${digest.scheduleId} ${digest.outcome} (${digest.cron}, ${digest.timeZone})` +
        (digest.nextRuns[0] ? `, next run ${digest.nextRuns[0].toISOString()}` : ''),
    );
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
