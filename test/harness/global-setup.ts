/**
 * Jest global setup for the `temporal` project: one Temporal CLI dev server (with the project's search attributes)
 * and one Java time-skipping test server per run, both real, both local, plus the workflow bundle built once.
 * Nothing is downloaded: binaries come from TEMPORAL_CLI_PATH / PATH / the cache, or are built from the Go and
 * Maven registries on first use (src/temporal/binaries.ts).
 *
 * The servers are our own child processes (src/temporal/ephemeral-server.ts), each in its own process group, with a
 * startup deadline a loaded machine can meet (MQL_HANDOFF_SERVER_START_TIMEOUT_MS, default two minutes). Jest runs
 * no global teardown when the setup throws, so a setup that fails half-way stops what it started before rethrowing.
 */
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveDevServer, resolveTestServer } from '../../src/temporal/binaries';
import {
  startEphemeralDevServer,
  startEphemeralTimeSkippingServer,
  type EphemeralServer,
} from '../../src/temporal/ephemeral-server';
import { registerSearchAttributes } from '../../src/temporal/search-attributes';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/workflows/definitions';
import { testDataConverter } from '../support/codec';
import { stopServers } from './servers';
import { SHARED_ENV_VAR, type SharedTemporalServers } from './shared';

declare global {
  var __mqlTemporalServers: EphemeralServer[] | undefined;
  var __mqlTemporalTmp: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  // grpc-js reports the Java server's keepalive policy ("excess pings") as errors; they are harmless.
  process.env.GRPC_VERBOSITY ??= 'NONE';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mql-handoff-test-'));
  const servers: EphemeralServer[] = [];
  globalThis.__mqlTemporalServers = servers;
  globalThis.__mqlTemporalTmp = tmp;
  try {
    const [dev, ts] = await Promise.all([
      resolveDevServer({ allowDownload: false }),
      resolveTestServer({ allowDownload: false }),
    ]);
    const startAndKeep = async (start: Promise<EphemeralServer>): Promise<EphemeralServer> => {
      const server = await start;
      servers.push(server);
      return server;
    };
    // allSettled, not all: when one fails, the other may still be starting, and must be stopped once it has.
    const [devServer, tsServer, bundle] = await settleAll([
      startAndKeep(
        startEphemeralDevServer({
          executable: dev.executable,
          namespace: 'default',
          searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
          logFile: path.join(tmp, 'dev-server.log'),
        }),
      ),
      startAndKeep(
        startEphemeralTimeSkippingServer({ executable: ts.executable, logFile: path.join(tmp, 'time-skipping.log') }),
      ),
      bundleWorkflowCode({
        workflowsPath: require.resolve('../../src/workflows'),
        // As Worker.create bundles it in production: workflow failures' messages are encoded too.
        failureConverterPath: testDataConverter().failureConverterPath,
        logger: {
          log: () => undefined,
          trace: () => undefined,
          debug: () => undefined,
          info: () => undefined,
          warn: console.warn,
          error: console.error,
        },
      }),
    ] as const);
    // The Java test server knows no custom search attributes until told.
    const tsConnection = await Connection.connect({ address: tsServer.address });
    try {
      await registerSearchAttributes(tsConnection, 'default');
    } finally {
      await tsConnection.close();
    }
    const bundlePath = path.join(tmp, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);
    const shared: SharedTemporalServers = {
      devServer: { address: devServer.address, namespace: 'default' },
      timeSkipping: { address: tsServer.address },
      workflowBundlePath: bundlePath,
      timeSkippingLock: path.join(tmp, 'time-skipping.lock'),
    };
    process.env[SHARED_ENV_VAR] = JSON.stringify(shared);
    process.stderr.write(
      `\n[harness] dev server ${devServer.address} (${dev.source}, pid ${devServer.pid}), time-skipping server ` +
        `${tsServer.address} (${ts.source}, pid ${tsServer.pid}), bundle ${Math.round(bundle.code.length / 1024)} KiB, ` +
        `ready in ${((Date.now() - started) / 1000).toFixed(1)} s; server logs in ${tmp}\n`,
    );
  } catch (e) {
    await stopServers(servers);
    rmSync(tmp, { recursive: true, force: true });
    globalThis.__mqlTemporalServers = undefined;
    globalThis.__mqlTemporalTmp = undefined;
    throw e;
  }
}

/** Like Promise.all, but rejects (with the first failure) only once every promise has settled. */
async function settleAll<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}
