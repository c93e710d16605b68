/**
 * What `*.temporal.test.ts` files use to reach the servers the global setup started.
 *
 *   const env = await devServerEnv();              // real dev server, real time
 *   const env = await timeSkippingEnv();           // Java test server; time skips while we await results
 *   const worker = await createTestWorker(env, { activities });
 *   await worker.runUntil(async () => { ... });
 *   afterAll(() => env?.teardown());               // stops the env's workers, closes its connections (and releases
 *                                                  // the time-skipping lock), even after a failed or timed-out test
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
import { resolveDevServer } from '../../src/temporal/binaries';
import { acquireDirLock } from '../../src/temporal/dir-lock';
import { startEphemeralDevServer } from '../../src/temporal/ephemeral-server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/workflows/definitions';
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
  return withSafeTeardown(
    await TestWorkflowEnvironment.createFromExistingServer({
      address: s.devServer.address,
      namespace: s.devServer.namespace,
      client: { dataConverter: opts.dataConverter ?? testDataConverter() },
    }),
  );
}

/**
 * A dev server of the file's own (for dynamic config the shared one must not have), started as the shared one is
 * (src/temporal/ephemeral-server.ts); env.teardown() stops it, after the env's workers and connections.
 */
export async function dedicatedDevServerEnv(opts: { extraArgs?: string[] } = {}): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const dev = await resolveDevServer({ allowDownload: false });
  const server = await startEphemeralDevServer({
    executable: dev.executable,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    extraArgs: opts.extraArgs,
    logLevel: 'error',
  });
  try {
    const env = await TestWorkflowEnvironment.createFromExistingServer({
      address: server.address,
      namespace: 'default',
      client: { dataConverter: testDataConverter() },
    });
    return withSafeTeardown(env, () => server.stop());
  } catch (e) {
    await server.stop();
    throw e;
  }
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
    return withSafeTeardown(env, release);
  } catch (e) {
    release();
    throw e;
  }
}

/** Workers created by createTestWorker, per env, until the env's teardown stops them. */
const workersOf = new WeakMap<TestWorkflowEnvironment, Set<Worker>>();
/** Each worker's run() (runUntil goes through it): it settles once the worker has let go of its connection. */
const runs = new WeakMap<Worker, Promise<void>>();

/**
 * An env.teardown() that a failed or timed-out test cannot defeat: it first stops every worker created on the env
 * (the SDK refuses to close a native connection a worker still holds, and that connection then keeps the process
 * alive: "Jest did not exit"), then closes the connections, then runs `after` (release a lock, stop a server),
 * each step even when one before it failed. Idempotent.
 */
function withSafeTeardown(env: TestWorkflowEnvironment, after?: () => unknown): TestWorkflowEnvironment {
  const teardown = env.teardown.bind(env);
  let done: Promise<void> | undefined;
  env.teardown = () => {
    done ??= (async () => {
      const errors: unknown[] = [];
      const step = async (fn: () => unknown): Promise<void> => {
        try {
          await fn();
        } catch (e) {
          errors.push(e);
        }
      };
      await step(() => stopTestWorkers([...(workersOf.get(env) ?? [])], { abort: () => env.connection.close() }));
      await step(teardown);
      if (after) await step(after);
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, 'tearing down the Temporal test environment');
    })();
    return done;
  };
  return env;
}

/** How long workers get to drain once told to stop (their in-flight activities and workflow tasks). */
const WORKER_DRAIN_MS = 20_000;
/** Test workers' shutdownForceTime: after the drain and the abort, with room to spare. */
const WORKER_FORCE_STOP_AFTER = '60s';
/** How long after the abort (see stopTestWorkers) before a worker that still has not stopped is an error. */
const WORKER_STOP_AFTER_ABORT_MS = 90_000;

/**
 * Tells workers to stop, whatever state a test left them in: running (a test that timed out inside runUntil),
 * never run (a test that threw between Worker.create and run: running it until at once is the SDK's way to make it
 * let go of its connection), stopping, or stopped. Does not wait.
 */
export function shutDownTestWorkers(workers: Worker[]): void {
  for (const w of workers) {
    if (w.getState() === 'INITIALIZED') void w.runUntil(Promise.resolve()).catch(() => undefined);
    else if (w.getState() === 'RUNNING') w.shutdown();
  }
}

/**
 * Stops workers (shutDownTestWorkers) and resolves once each has let go of its connection. A worker drains only
 * when its running activities end, and an activity blocked on a call through the env's client (a roster claim
 * whose update waits for a workflow task that this very worker, now stopping, will never poll) ends only when that
 * call fails: after WORKER_DRAIN_MS, `abort` (close the client's connection) makes it fail.
 */
export async function stopTestWorkers(workers: Worker[], opts: { abort?: () => unknown } = {}): Promise<void> {
  shutDownTestWorkers(workers);
  const stopped = (w: Worker): Promise<unknown> =>
    (runs.get(w) ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    );
  const all = Promise.all(workers.map(stopped));
  if (await within(all, WORKER_DRAIN_MS)) return;
  if (opts.abort) await opts.abort();
  if (await within(all, WORKER_STOP_AFTER_ABORT_MS)) return;
  const states = workers.map((w) => w.getState()).filter((st) => st !== 'STOPPED' && st !== 'FAILED');
  throw new Error(`${states.length} worker(s) still ${states.join(', ')} after shutdown`);
}

async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]).finally(() => clearTimeout(timer));
}

let queueCounter = 0;

/** A unique task queue per worker, so test files never steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  queueCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${queueCounter}`;
}

/** The env's teardown stops the worker if the test has not (see withSafeTeardown). */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  opts: { activities: ActivityInterface | object; taskQueue?: string } & Partial<WorkerOptions>,
): Promise<Worker> {
  const { activities, taskQueue, ...rest } = opts;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: taskQueue ?? uniqueTaskQueue(),
    workflowBundle: { codePath: sharedServers().workflowBundlePath },
    activities,
    dataConverter: testDataConverter(),
    // An activity that ignores its cancellation would keep a stopping worker draining, and the process alive,
    // forever; after this the SDK gives up on it and the worker lets go of its connection (as FAILED).
    shutdownForceTime: WORKER_FORCE_STOP_AFTER,
    ...rest,
  });
  const workers = workersOf.get(env) ?? new Set<Worker>();
  workersOf.set(env, workers);
  workers.add(worker);
  const run = worker.run.bind(worker);
  worker.run = () => {
    const running = run();
    runs.set(worker, running);
    return running;
  };
  return worker;
}
