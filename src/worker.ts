/**
 * The worker: registers the handoff workflows and activities on a task queue. `npm run worker` runs it alone
 * against TEMPORAL_ADDRESS (a self-hosted cluster with mTLS, or Temporal Cloud with an API key); `npm start`
 * runs it next to an embedded dev server (src/start.ts).
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createHandoffActivities } from './activities/handoff-activities';
import type { Ports } from './activities/wiring';
import { createDeterministicSummariser } from './activities/summariser';
import type { OrgConfig } from './domain/org-config';

export interface HandoffWorkerOptions {
  connection: NativeConnection;
  client: Client;
  namespace: string;
  taskQueue: string;
  config: OrgConfig;
  ports: Ports;
}

export async function createHandoffWorker(opts: HandoffWorkerOptions): Promise<Worker> {
  const { config } = opts;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: createHandoffActivities({
      config: () => config,
      ...opts.ports,
      summariser: createDeterministicSummariser({ pricingUrlContains: config.mql.highIntent.pricingPage.urlContains }),
      temporal: opts.client,
    }),
  });
}

if (require.main === module) {
  // Worker only, against an existing cluster. Services without credentials fail here: the sandbox belongs to `npm start`.
  void import('./run').then(({ runProcess }) => runProcess({ embedded: false }));
}
