/**
 * The worker: the handoff workflows and activities on one task queue, built from what the caller injects (a
 * connection, the org config, the ports). It starts nothing and reads no environment; the processes that run it
 * are in src/main (`npm start`, `npm run worker`, the Docker image), and the tests and bench build it the same way.
 */
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createHandoffActivities } from './activities/handoff-activities';
import type { Ports } from './activities/ports';
import { createDeterministicSummariser } from './activities/summariser';
import { createDigestActivities } from './activities/weekly-digest';
import type { OrgConfig } from './domain/org-config';

export interface HandoffWorkerOptions {
  connection: NativeConnection;
  /** The client activities use to reach the team-roster workflows. */
  client: Client;
  namespace: string;
  taskQueue: string;
  config: OrgConfig;
  ports: Ports;
  /**
   * The payload codec and failure converter (src/codec `codecFromEnv`): the same as the clients', so what the
   * worker writes into history is encrypted and what they write decodes here.
   */
  dataConverter: DataConverter;
  /**
   * Keeps this worker's team rosters apart from other deployments' in the same namespace (`teamRosterWorkflowId`):
   * the bench runs several workers, one after the other, against one server.
   */
  rosterScope?: string;
}

export async function createHandoffWorker(opts: HandoffWorkerOptions): Promise<Worker> {
  const { config } = opts;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    dataConverter: opts.dataConverter,
    activities: {
      ...createHandoffActivities({
        config: () => config,
        ...opts.ports,
        summariser: createDeterministicSummariser({
          pricingUrlContains: config.mql.highIntent.pricingPage.urlContains,
        }),
        temporal: opts.client,
        rosterScope: opts.rosterScope,
      }),
      // The weekly digest (its Schedule: src/main/digest-schedule.ts), when the report channels are wired.
      ...(opts.ports.reports
        ? createDigestActivities({ config: () => config, temporal: opts.client, ...opts.ports.reports })
        : {}),
    },
  });
}
