/**
 * Jest global setup for the `temporal` project: one Temporal CLI dev server (with the project's search attributes)
 * and one Java time-skipping test server per run, both real, both local, plus the workflow bundle built once.
 * Nothing is downloaded: binaries come from TEMPORAL_CLI_PATH / PATH / the cache, or are built from the Go and
 * Maven registries on first use (src/temporal/binaries.ts).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveDevServer, resolveTestServer } from '../../src/temporal/binaries';
import { registerSearchAttributes } from '../../src/temporal/search-attributes';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/workflows/definitions';
import { testDataConverter } from '../support/codec';
import { SHARED_ENV_VAR, type SharedTemporalServers } from './shared';

declare global {
  var __mqlTemporalEnvs: TestWorkflowEnvironment[] | undefined;
  var __mqlTemporalTmp: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  // grpc-js reports the Java server's keepalive policy ("excess pings") as errors; they are harmless.
  process.env.GRPC_VERBOSITY ??= 'NONE';
  const [dev, ts] = await Promise.all([
    resolveDevServer({ allowDownload: false }),
    resolveTestServer({ allowDownload: false }),
  ]);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mql-handoff-test-'));
  const [devEnv, tsEnv, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: dev.executable,
        namespace: 'default',
        searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => ({ name, type })),
        log: { format: 'pretty', level: 'warn' },
      },
    }),
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: ts.executable } }),
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
  ]);
  // The Java test server knows no custom search attributes until told.
  await registerSearchAttributes(tsEnv.connection, 'default');
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const shared: SharedTemporalServers = {
    devServer: { address: devEnv.address, namespace: 'default' },
    timeSkipping: { address: tsEnv.address },
    workflowBundlePath: bundlePath,
    timeSkippingLock: path.join(tmp, 'time-skipping.lock'),
  };
  process.env[SHARED_ENV_VAR] = JSON.stringify(shared);
  globalThis.__mqlTemporalEnvs = [devEnv, tsEnv];
  globalThis.__mqlTemporalTmp = tmp;
  process.stderr.write(
    `\n[harness] dev server ${devEnv.address} (${dev.source}), time-skipping server ${tsEnv.address} (${ts.source}), ` +
      `bundle ${Math.round(bundle.code.length / 1024)} KiB, ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
