/**
 * The process launcher behind `npm start` (start.ts: local dev server + sandbox + worker + bridge) and
 * `npm run worker` / the worker image (worker.ts: the worker alone against TEMPORAL_ADDRESS). What only `npm start`
 * has — the dev server, the sandbox — is injected, so the worker's build contains neither. Everything it starts, it
 * stops on SIGINT/SIGTERM, in reverse order, so Ctrl-C leaves no process behind and the dev server's SQLite file is
 * closed cleanly.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import path from 'node:path';
import { checkCodecServerConfig, createCodecServer } from '../codec/codec-server';
import { codecFromEnv, ensureSandboxKey } from '../codec/keys';
import { listHandoffRecords } from '../activities/handoff-records';
import { codecServerSettings, describeEnv, EnvError, loadEnv, temporalSettings, type Env } from '../config/env';
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
  /**
   * Starts a local Temporal when TEMPORAL_ADDRESS is unset (`npm start`); without it the worker dials the cluster.
   * `codecEndpoint`: the codec server its UI should decode payloads through.
   */
  devServer?: (input: {
    env: Env;
    namespace: string;
    log: (line: string) => void;
    codecEndpoint?: string;
  }) => Promise<DevServer>;
  /** Starts emulators for the services without credentials (`npm start`); without it every service needs them. */
  sandbox?: (input: { env: Env; config: OrgConfig; services: Service[] }) => Promise<RunningSandbox>;
  /** Runs the webhook bridge in the same process (`npm start`). */
  bridge?: boolean;
  /**
   * `npm start`: outside production and without HANDOFF_CODEC_KEYS, generates a sandbox key once into the data
   * folder, and runs the codec server (src/codec/codec-server.ts) for the Temporal UI and CLI.
   */
  sandboxCodec?: boolean;
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

    // 0. The payload codec: lead data is encrypted before it reaches Temporal. Production needs HANDOFF_CODEC_KEYS;
    //    `npm start` makes a sandbox key once, and runs the codec server the UI decodes through.
    const sandboxKey = opts.sandboxCodec ? ensureSandboxKey(env) : null;
    const codec = codecFromEnv(env);
    let codecUrl: string | null = null;
    if (opts.sandboxCodec) {
      const codecSettings = codecServerSettings(env);
      checkCodecServerConfig({ keyCount: codec.keys.length, production, authToken: codecSettings.authToken });
      const codecServer = createCodecServer({
        codec: codec.codec,
        settings: codecSettings,
        // Refusals only, unless debugging: the UI calls it for every page it shows.
        log: (entry) => {
          if (entry.level !== 'info' || env.LOG_LEVEL === 'debug') say(`codec server: ${JSON.stringify(entry)}`);
        },
      });
      codecUrl = await codecServer.listen(codecSettings.port, codecSettings.host);
      cleanups.push({ what: 'the codec server', run: () => codecServer.close() });
    }

    // 1. Temporal: a local dev server when offered and TEMPORAL_ADDRESS names no cluster.
    let uiUrl: string | null = null;
    if (!settings.address && opts.devServer) {
      const server = await opts.devServer({
        env,
        namespace: settings.namespace,
        log: say,
        codecEndpoint: codecUrl ?? undefined,
      });
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
    const ports = createPorts(env, config, sandbox, {
      warn: (message) => say(`warning: ${message}`),
      // What was emailed, so a restarted worker does not send it again (EMAIL_SENT_RECORD overrides).
      sentRecordDefault: path.resolve(env.MQL_HANDOFF_DATA_DIR ?? '.data', 'email-sent.jsonl'),
    });

    // 3. The worker.
    const connection = await connectWorkerConnection(settings);
    cleanups.push({ what: 'the worker connection', run: () => connection.close() });
    const client = await connectClient(settings, codec.dataConverter);
    cleanups.push({ what: 'the client connection', run: () => client.connection.close() });
    const worker = await createHandoffWorker({
      connection,
      client,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      config,
      ports,
      dataConverter: codec.dataConverter,
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
    say(`payload codec: ${codec.description}`);
    if (sandboxKey?.created) {
      say(
        `generated the sandbox codec key ${sandboxKey.file} (mode 0600; histories written under it decode only with it)`,
      );
    }
    if (codecUrl) {
      const auth = env.HANDOFF_CODEC_AUTH_TOKEN ? ' --codec-auth "Bearer $HANDOFF_CODEC_AUTH_TOKEN"' : '';
      say(
        uiUrl
          ? `codec server: ${codecUrl} (the Temporal UI above decodes through it; CLI: temporal workflow show -w <id> --address ${settings.address} --codec-endpoint ${codecUrl}${auth})`
          : `codec server: ${codecUrl} (in your Temporal UI set it as the Remote Codec Endpoint in the codec/data-encoder settings; CLI: temporal … --codec-endpoint ${codecUrl}${auth})`,
      );
    }
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
