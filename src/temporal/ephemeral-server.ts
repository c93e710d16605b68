/**
 * Starts a throwaway Temporal server (the CLI dev server or the Java time-skipping test server) as a child process
 * of our own, instead of through the SDK's TestWorkflowEnvironment.createLocal / createTimeSkipping:
 *
 * - The SDK's core gives a server 5 s to answer, hard-coded; a loaded 2-CPU machine misses that (a JVM alone can take
 *   longer to boot). Here the deadline is generous and can be raised (`startTimeoutMs`, or
 *   MQL_HANDOFF_SERVER_START_TIMEOUT_MS), and a server that exits while starting fails at once, with its output.
 * - Each server runs in its own process group, and stop() ends the whole group: SIGTERM, then SIGKILL after a grace
 *   period. A server not stopped by its owner is killed when this process exits or is interrupted (SIGINT, SIGTERM,
 *   SIGHUP), so an aborted run leaves no `temporal server start-dev` or TestServer behind.
 * - The child is unref'd and writes to a log file, not to pipes: a forgotten server never keeps this process alive.
 *
 * Connect to it with TestWorkflowEnvironment.createFromExistingServer (or a plain Connection); stop it yourself.
 */
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ServerExecutable } from './binaries';

export const START_TIMEOUT_ENV_VAR = 'MQL_HANDOFF_SERVER_START_TIMEOUT_MS';
/** Default startup deadline: minutes, not seconds; a healthy server answers in one to ten. */
export const DEFAULT_START_TIMEOUT_MS = 120_000;
/** How long a server gets to exit on SIGTERM before its process group is killed. */
const STOP_GRACE_MS = 10_000;

export interface EphemeralServer {
  kind: 'dev-server' | 'time-skipping';
  /** host:port of its frontend. */
  address: string;
  pid: number;
  /** Its stdout and stderr. */
  logFile: string;
  /** Ends its process group (idempotent); resolves once the server has exited. */
  stop(): Promise<void>;
}

interface CommonOptions {
  executable: ServerExecutable;
  extraArgs?: string[];
  /** Where its output goes; default a file in a temporary directory removed by stop(). */
  logFile?: string;
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface DevServerOptions extends CommonOptions {
  namespace?: string;
  /** `--search-attribute name=cliType` each (SEARCH_ATTRIBUTE_DEFINITIONS fits). */
  searchAttributes?: { name: string; cliType: string }[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export async function startEphemeralDevServer(opts: DevServerOptions): Promise<EphemeralServer> {
  const namespace = opts.namespace ?? 'default';
  const searchAttributeArgs = (opts.searchAttributes ?? []).flatMap((sa) => [
    '--search-attribute',
    `${sa.name}=${sa.cliType}`,
  ]);
  return startServer(
    'dev-server',
    opts,
    (port) => [
      // The arguments the SDK's core passes (ephemeral_server/mod.rs), so the server behaves as it did under createLocal.
      'server',
      'start-dev',
      '--port',
      String(port),
      '--namespace',
      namespace,
      '--ip',
      '127.0.0.1',
      '--log-format',
      'pretty',
      '--log-level',
      opts.logLevel ?? 'warn',
      '--dynamic-config-value',
      'frontend.enableServerVersionCheck=false',
      '--dynamic-config-value',
      'frontend.enableUpdateWorkflowExecution=true',
      '--dynamic-config-value',
      'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
      '--headless',
      ...searchAttributeArgs,
      ...(opts.extraArgs ?? []),
    ],
    async (connection) => {
      await connection.workflowService.describeNamespace({ namespace });
    },
  );
}

export async function startEphemeralTimeSkippingServer(opts: CommonOptions): Promise<EphemeralServer> {
  // Connection.connect has asked it for its system info: it answers.
  return startServer(
    'time-skipping',
    opts,
    (port) => [String(port), ...(opts.extraArgs ?? [])],
    async () => undefined,
  );
}

/** The startup deadline: the option, else MQL_HANDOFF_SERVER_START_TIMEOUT_MS, else two minutes. */
export function startTimeoutMs(option?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (option !== undefined) return option;
  const raw = env[START_TIMEOUT_ENV_VAR];
  if (raw === undefined || raw === '') return DEFAULT_START_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(
      `${START_TIMEOUT_ENV_VAR}=${JSON.stringify(raw)}: expected a positive whole number of milliseconds`,
    );
  }
  return ms;
}

/** Ports picked then bound by the server can be taken in between by someone else: a few fresh tries. */
const PORT_ATTEMPTS = 3;

async function startServer(
  kind: EphemeralServer['kind'],
  opts: CommonOptions,
  argsFor: (port: number) => string[],
  ready: (connection: Connection) => Promise<void>,
): Promise<EphemeralServer> {
  if (opts.executable.type !== 'existing-path') {
    throw new Error(`${kind}: executable ${JSON.stringify(opts.executable)}: expected { type: 'existing-path', path }`);
  }
  const timeoutMs = startTimeoutMs(opts.startTimeoutMs, opts.env ?? process.env);
  const ownLogDir = opts.logFile ? undefined : mkdtempSync(path.join(os.tmpdir(), `mql-handoff-${kind}-`));
  const logFile = opts.logFile ?? path.join(ownLogDir!, 'server.log');
  const deadline = Date.now() + timeoutMs;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= PORT_ATTEMPTS && Date.now() < deadline; attempt++) {
    const port = await freePort();
    const child = spawnInGroup(opts.executable.path, argsFor(port), logFile, opts.env);
    const server = track(kind, child, `127.0.0.1:${port}`, logFile, ownLogDir);
    try {
      await waitUntilReady(server, child, deadline, ready);
      return server;
    } catch (e) {
      lastError = e as Error;
      await server.stop({ keepLog: true });
      // Only an early exit may be a port taken meanwhile; a server still silent at the deadline is not retried.
      if (!(e instanceof ExitedDuringStartup)) break;
    }
  }
  const tail = logTail(logFile);
  if (ownLogDir) rmSync(ownLogDir, { recursive: true, force: true });
  throw new Error(
    `${kind} ${opts.executable.path} did not start within ${timeoutMs} ms (${START_TIMEOUT_ENV_VAR} raises it): ` +
      `${lastError?.message ?? 'no attempt made'}${tail ? `\n--- its output (last lines) ---\n${tail}` : ''}`,
  );
}

class ExitedDuringStartup extends Error {}

function spawnInGroup(executable: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(executable, args, {
      stdio: ['ignore', fd, fd],
      // Its own process group: stop() signals the group, so nothing the server forks outlives it.
      detached: true,
      env: env ?? process.env,
    });
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

async function waitUntilReady(
  server: TrackedServer,
  child: ChildProcess,
  deadline: number,
  ready: (connection: Connection) => Promise<void>,
): Promise<void> {
  let lastError: unknown = new Error('its port never opened');
  const [host, port] = server.address.split(':') as [string, string];
  while (Date.now() < deadline) {
    if (server.exit) {
      throw new ExitedDuringStartup(`exited while starting (${server.exit})`);
    }
    if (child.pid === undefined) throw new Error('could not be spawned');
    // A TCP probe fails at once while the port is closed; gRPC's own connect would back off for seconds.
    if (await acceptsTcp(host, Number(port))) {
      let connection: Connection | undefined;
      try {
        connection = await Connection.connect({
          address: server.address,
          connectTimeout: Math.max(500, Math.min(5_000, deadline - Date.now())),
        });
        await ready(connection);
        return;
      } catch (e) {
        lastError = e;
      } finally {
        await connection?.close().catch(() => undefined);
      }
    }
    await Promise.race([new Promise((r) => setTimeout(r, 200)), server.exited]);
  }
  throw new Error(`no answer at ${server.address}; last error: ${(lastError as Error)?.message ?? String(lastError)}`);
}

function acceptsTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface TrackedServer extends EphemeralServer {
  /** Set once the process has exited: `code N` or `signal S`. */
  exit?: string;
  exited: Promise<void>;
  stop(opts?: { keepLog?: boolean }): Promise<void>;
}

/** Servers started by this process and not yet stopped. */
const live = new Set<TrackedServer>();

function track(
  kind: EphemeralServer['kind'],
  child: ChildProcess,
  address: string,
  logFile: string,
  ownLogDir: string | undefined,
): TrackedServer {
  let stopping: Promise<void> | undefined;
  const exited = new Promise<void>((resolve) => {
    if (child.pid === undefined) {
      // spawn failed (ENOENT, EACCES): 'error' follows, 'exit' may not.
      child.once('error', (e) => {
        server.exit = `spawn error: ${e.message}`;
        resolve();
      });
      return;
    }
    child.once('exit', (code, signal) => {
      server.exit = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
  });
  const server: TrackedServer = {
    kind,
    address,
    pid: child.pid ?? -1,
    logFile,
    exited,
    stop(opts = {}) {
      stopping ??= (async () => {
        if (!server.exit) {
          // Unref'd, the child would let this process exit mid-stop (with code 0, before jest sets its own).
          child.ref();
          signalGroup(server.pid, 'SIGTERM');
          let timer: NodeJS.Timeout | undefined;
          const timedOut = await Promise.race([
            exited.then(() => false),
            new Promise<boolean>((r) => (timer = setTimeout(() => r(true), STOP_GRACE_MS))),
          ]);
          clearTimeout(timer);
          if (timedOut) {
            signalGroup(server.pid, 'SIGKILL');
            await exited;
          }
        }
        // Whatever the server forked and left in its group.
        signalGroup(server.pid, 'SIGKILL');
        live.delete(server);
        if (ownLogDir && !opts.keepLog) rmSync(ownLogDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  live.add(server);
  installExitHooks();
  return server;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

let hooksInstalled = false;

/** Kills every server still running when this process ends, however it ends short of SIGKILL. */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = (): void => {
    for (const s of live) signalGroup(s.pid, 'SIGKILL');
    live.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // Alone on this signal, our listener would swallow it: restore the default and re-raise.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function logTail(file: string, lines = 30): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
