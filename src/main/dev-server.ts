/**
 * `npm start`'s local Temporal: the Temporal CLI dev server with the UI, its SQLite database under
 * MQL_HANDOFF_DATA_DIR (default .data/, so leads survive a restart), the handoff's search attributes registered,
 * its namespace keeping closed workflows 30 days (the dev server's default is one day, too short for the
 * handoff-health report's week-over-week), and the UI pointed at the codec server so it shows the encrypted
 * payloads decoded. Development only; the worker image does not contain it.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '../config/env';
import { resolveDevServer } from '../temporal/binaries';
import { ensureRetentionAtLeast } from '../temporal/namespace-retention';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/definitions';
import type { DevServer } from './launcher';

/** Days the local namespace keeps closed handoffs (`temporal server start-dev` has no flag for it). */
export const DEV_NAMESPACE_RETENTION_DAYS = 30;

export async function startDevServer(input: {
  env: Env;
  namespace: string;
  log: (line: string) => void;
  /** The codec server the UI decodes payloads through (`--ui-codec-endpoint`). */
  codecEndpoint?: string;
}): Promise<DevServer> {
  const { env, log } = input;
  const dataDir = path.resolve(env.MQL_HANDOFF_DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const dev = await resolveDevServer({ log });
  const port = env.TEMPORAL_DEV_PORT ?? 7233;
  const uiPort = env.TEMPORAL_UI_PORT ?? 8233;
  log(`starting the Temporal dev server (${dev.description}) with its database in ${dataDir}`);
  const server = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: dev.executable,
      ip: '127.0.0.1',
      port,
      ui: true,
      uiPort,
      dbFilename: path.join(dataDir, 'temporal.sqlite'),
      namespace: input.namespace,
      searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => ({ name, type })),
      log: { format: 'pretty', level: 'warn' },
      extraArgs: input.codecEndpoint ? ['--ui-codec-endpoint', input.codecEndpoint] : [],
    },
  });
  try {
    const { before } = await ensureRetentionAtLeast(server.connection, input.namespace, DEV_NAMESPACE_RETENTION_DAYS);
    if (before < DEV_NAMESPACE_RETENTION_DAYS) {
      log(
        `namespace ${input.namespace}: closed workflows now kept ${DEV_NAMESPACE_RETENTION_DAYS} days (was ${before})`,
      );
    }
  } catch (e) {
    await server.teardown();
    throw new Error(`setting the retention of namespace ${input.namespace}: ${(e as Error).message}`);
  }
  return { address: `127.0.0.1:${port}`, uiUrl: `http://localhost:${uiPort}`, teardown: () => server.teardown() };
}
