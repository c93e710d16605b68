/**
 * What `*.temporal.test.ts` files use to reach the servers the global setup started.
 *
 *   const env = await devServerEnv();              // real dev server, real time
 *   const env = await timeSkippingEnv();           // Java test server; time skips while we await results
 *   const worker = await createTestWorker(env, { activities });
 *   await worker.runUntil(async () => { ... });
 *   await env.teardown();                          // closes connections (and releases the time-skipping lock)
 *
 * Time on the time-skipping server is global to that server, so time-skipping files take a lock and run one at a
 * time; dev-server files run in parallel with each other and with them.
 *
 * Clients and workers run with the handoff's payload codec under the test key (test/support/codec.ts), as
 * production does: what the tests write into history is encrypted.
 */
import type { ActivityInterface, DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { acquireDirLock } from '../../src/temporal/dir-lock';
import { testDataConverter } from '../support/codec';
import { SHARED_ENV_VAR, type SharedTemporalServers } from './shared';

export function sharedServers(): SharedTemporalServers {
  const raw = process.env[SHARED_ENV_VAR];
  if (!raw) {
    throw new Error(
      `${SHARED_ENV_VAR} is not set: *.temporal.test.ts files run in the jest "temporal" project, whose global setup starts the servers`,
    );
  }
  return JSON.parse(raw) as SharedTemporalServers;
}

let runtimeInstalled = false;

/** Workers log at WARN in tests; the SDK's INFO chatter hides the failures that matter. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} },
    },
  });
}

/** `dataConverter`: another codec for the env's client (rotation and plain-text controls); default the test key's. */
export async function devServerEnv(opts: { dataConverter?: DataConverter } = {}): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const s = sharedServers();
  return TestWorkflowEnvironment.createFromExistingServer({
    address: s.devServer.address,
    namespace: s.devServer.namespace,
    client: { dataConverter: opts.dataConverter ?? testDataConverter() },
  });
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const s = sharedServers();
  const release = await acquireDirLock(s.timeSkippingLock);
  try {
    // The SDK's public constructors either start a server or connect without time skipping; connecting to the
    // shared time-skipping server needs its (private, pinned-version) `create`.
    const create = (TestWorkflowEnvironment as unknown as { create(o: unknown): Promise<TestWorkflowEnvironment> })
      .create;
    const env = await create.call(TestWorkflowEnvironment, {
      server: { type: 'existing' },
      address: s.timeSkipping.address,
      namespace: 'default',
      supportsTimeSkipping: true,
      client: { dataConverter: testDataConverter() },
    });
    const teardown = env.teardown.bind(env);
    env.teardown = async () => {
      try {
        await teardown();
      } finally {
        release();
      }
    };
    return env;
  } catch (e) {
    release();
    throw e;
  }
}

let queueCounter = 0;

/** A unique task queue per worker, so test files never steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  queueCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${queueCounter}`;
}

export async function createTestWorker(
  env: TestWorkflowEnvironment,
  opts: { activities: ActivityInterface | object; taskQueue?: string } & Partial<WorkerOptions>,
): Promise<Worker> {
  const { activities, taskQueue, ...rest } = opts;
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: taskQueue ?? uniqueTaskQueue(),
    workflowBundle: { codePath: sharedServers().workflowBundlePath },
    activities,
    dataConverter: testDataConverter(),
    ...rest,
  });
}
