/**
 * The worker process of the bench: the real handoff worker (src/worker.ts, the real adapters against the emulators'
 * endpoints, payloads encrypted), and on a task queue of its own the bare workflow of P2, in the same process, so
 * both share one machine and one server the same way. Its RSS is P4's figure.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { handoffDataConverter } from '../../src/codec/data-converter';
import { parseCodecKeys } from '../../src/config/codec-keys';
import { loadEnv } from '../../src/config/env';
import { loadOrgConfigFile } from '../../src/config/org-config-file';
import { createPorts, type SandboxEndpoints } from '../../src/main/wiring';
import { createHandoffWorker } from '../../src/worker';
import type { BareActivities } from './bare-workflow';
import { serveParent } from './ipc';
import { nowMs } from './stats';

export interface WorkerChildStart {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Also run P2's bare worker (not in P4's worker, whose RSS is the figure). */
  bareTaskQueue: string | null;
  rosterScope: string;
  configPath: string;
  codecKeys: string;
  endpoints: SandboxEndpoints;
}

export interface WorkerChildStarted {
  pid: number;
  /** RSS when the process had loaded its modules, after the handoff worker was created (its workflow bundle
   *  built: webpack runs in-process), and after the bare worker too. */
  rss: { boot: number; afterHandoffWorker: number; afterAll: number };
}

export interface BareArrival {
  workflowId: string;
  at: number;
}

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
});

let running: { workers: Worker[]; done: Promise<unknown>; close: () => Promise<void> } | null = null;
let queued: BareArrival[] = [];

const { emit } = serveParent(
  {
    async start(args: WorkerChildStart): Promise<WorkerChildStarted> {
      const boot = process.memoryUsage().rss;
      const config = loadOrgConfigFile(args.configPath);
      const dataConverter = handoffDataConverter(parseCodecKeys(args.codecKeys));
      const connection = await NativeConnection.connect({ address: args.address });
      const clientConnection = await Connection.connect({ address: args.address });
      const client = new Client({ connection: clientConnection, namespace: args.namespace, dataConverter });
      const handoff = await createHandoffWorker({
        connection,
        client,
        namespace: args.namespace,
        taskQueue: args.taskQueue,
        config,
        ports: createPorts(loadEnv({}), config, args.endpoints),
        dataConverter,
        rosterScope: args.rosterScope,
      });
      const afterHandoffWorker = process.memoryUsage().rss;
      const activities: BareActivities = {
        async noop(report) {
          if (!report) return;
          if (queued.length === 0) setImmediate(flush);
          queued.push({ workflowId: report, at: nowMs() });
        },
      };
      const workers = [handoff];
      if (args.bareTaskQueue) {
        workers.push(
          await Worker.create({
            connection,
            namespace: args.namespace,
            taskQueue: args.bareTaskQueue,
            workflowsPath: require.resolve('./bare-workflow'),
            activities,
          }),
        );
      }
      const done = Promise.all(workers.map((w) => w.run()));
      running = {
        workers,
        done,
        close: async () => {
          for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
          await done.catch(() => undefined);
          await clientConnection.close();
          await connection.close();
        },
      };
      done.catch((e: unknown) => {
        process.stderr.write(`[bench worker] a worker stopped: ${(e as Error).message}\n`);
        process.exit(1);
      });
      return { pid: process.pid, rss: { boot, afterHandoffWorker, afterAll: process.memoryUsage().rss } };
    },

    memory(): NodeJS.MemoryUsage {
      return process.memoryUsage();
    },
  },
  async () => {
    await running?.close();
  },
);

function flush(): void {
  const batch = queued;
  queued = [];
  emit('bare', batch);
}
