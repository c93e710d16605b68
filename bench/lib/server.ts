/**
 * The Temporal server a bench run measures against: the Temporal CLI dev server (SQLite in memory, what `npm start`
 * runs), or with `--postgres` a Temporal server on PostgreSQL (postgres.ts). One per run; every stack of the run
 * uses it with task queues and roster scopes of its own.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveDevServer } from '../../src/temporal/binaries';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/workflows/definitions';

export interface TemporalServer {
  /** "dev-server" or "postgres": part of the results file name. */
  kind: string;
  description: string;
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

export async function startDevServer(): Promise<TemporalServer> {
  const dev = await resolveDevServer({ allowDownload: false });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: dev.executable,
      ip: '127.0.0.1',
      searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => ({ name, type })),
      // The server logs retried internal calls (an update racing the roster's continue-as-new) as errors.
      log: { format: 'pretty', level: 'never' },
    },
  });
  return {
    kind: 'dev-server',
    description: `Temporal CLI dev server (${dev.description}), SQLite in memory`,
    address: env.address,
    namespace: 'default',
    stop: () => env.teardown(),
  };
}
