/**
 * `--postgres`: the bench against a Temporal server on PostgreSQL instead of the dev server's in-memory SQLite,
 * as production runs it (docker-compose.yml). Everything is set up by the bench and thrown away after:
 *
 *   1. the Temporal server and its SQL tool, built once with Go into ~/.cache/mql-handoff/temporal-server/v1.29.1/
 *      (src/temporal/binaries.ts `resolveTemporalSqlServer`);
 *   2. PostgreSQL from Debian's `postgresql` package (`apt-get install -y postgresql`; binaries under
 *      /usr/lib/postgresql/<version>/bin, or PG_BIN): a cluster initdb'd in a temp dir, on a free port, run as the
 *      `postgres` user when the bench runs as root (PostgreSQL refuses root);
 *   3. the databases and schema (`temporal-sql-tool create-database / setup-schema / update-schema`), a minimal
 *      server config (4 history shards, as docker-compose's auto-setup), the server started, the `default`
 *      namespace and the handoff's search attributes registered.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveTemporalSqlServer, TEMPORAL_SERVER_VERSION } from '../../src/temporal/binaries';
import { registerSearchAttributes } from '../../src/temporal/search-attributes';
import type { TemporalServer } from './server';
import { sleep } from './stats';

interface PgBin {
  dir: string;
  version: string;
}

function findPostgres(): PgBin {
  const fromEnv = process.env.PG_BIN;
  const candidates = fromEnv
    ? [fromEnv]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  for (const dir of candidates) {
    if (['initdb', 'postgres', 'pg_isready'].every((b) => existsSync(path.join(dir, b)))) {
      const v = spawnSync(path.join(dir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim();
      return { dir, version: v.replace(/^postgres \(PostgreSQL\) /, '') };
    }
  }
  throw new Error(
    `no PostgreSQL server binaries (initdb, postgres, pg_isready) ${fromEnv ? `in PG_BIN=${fromEnv}` : 'under /usr/lib/postgresql/*/bin'}: ` +
      `install Debian's package (apt-get install -y postgresql) or set PG_BIN`,
  );
}

/** PostgreSQL refuses to run as root: as root, its processes run as the `postgres` user the package creates. */
function pgUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      'running as root and there is no `postgres` user to run PostgreSQL as (the postgresql package creates it)',
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function run(command: string, args: string[], what: string, as: { uid: number; gid: number } | null = null): void {
  const r = spawnSync(command, args, { encoding: 'utf8', ...(as ?? {}), timeout: 300_000 });
  if (r.status !== 0) {
    throw new Error(
      `${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout || '').trim().slice(-2000)}`,
    );
  }
}

function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address() as { port: number };
      srv.close(() => resolve(bound));
    });
  });
}

const taken = new Set<number>();

/**
 * A free port below 32768: the server stores membership ports in a PostgreSQL smallint, so the kernel's ephemeral
 * range (32768 and up) is refused ("out of range for type smallint").
 */
async function freePort(): Promise<number> {
  for (let i = 0; i < 1000; i++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(candidate)) continue;
    const port = await tryPort(candidate);
    if (port !== null) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000');
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill(signal);
  });
}

const serverConfig = (p: {
  pgPort: number;
  ports: Record<
    | 'frontend'
    | 'frontendHttp'
    | 'frontendMembership'
    | 'history'
    | 'historyMembership'
    | 'matching'
    | 'matchingMembership'
    | 'worker'
    | 'workerMembership',
    number
  >;
  dynamicConfig: string;
}): string => {
  const store = (db: string, conns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: 127.0.0.1:${p.pgPort}
        connectProtocol: tcp
        user: temporal
        password: ''
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const service = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnIP: 127.0.0.1${http ? `\n      httpPort: ${http}` : ''}`;
  return `# Written by bench/lib/postgres.ts for one bench run.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:${store('temporal', 20)}
    postgres-visibility:${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:${service(p.ports.frontend, p.ports.frontendMembership, p.ports.frontendHttp)}
  history:${service(p.ports.history, p.ports.historyMembership)}
  matching:${service(p.ports.matching, p.ports.matchingMembership)}
  worker:${service(p.ports.worker, p.ports.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${p.ports.frontend}
      httpAddress: 127.0.0.1:${p.ports.frontendHttp}
dcRedirectionPolicy:
  policy: noop
archival:
  history:
    state: disabled
  visibility:
    state: disabled
namespaceDefaults:
  archival:
    history:
      state: disabled
    visibility:
      state: disabled
dynamicConfigClient:
  filepath: ${p.dynamicConfig}
  pollInterval: 10s
`;
};

/** What the dev server turns on that the handoff uses (updates) or that makes a fresh server usable at once. */
const DYNAMIC_CONFIG = `frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableUpdateWorkflowExecutionAsyncAccepted:
  - value: true
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
limit.maxIDLength:
  - value: 255
`;

export async function startPostgresServer(opts: { log: (line: string) => void }): Promise<TemporalServer> {
  const { log } = opts;
  const pg = findPostgres();
  const binaries = await resolveTemporalSqlServer({ log });
  const as = pgUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mql-bench-pg-'));
  const stops: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => log(`stopping: ${String(e)}`));
  };
  try {
    if (as) chownSync(dir, as.uid, as.gid);
    const data = path.join(dir, 'data');
    log(`PostgreSQL ${pg.version}: initdb ${data}${as ? ' (as the postgres user)' : ''}`);
    run(
      path.join(pg.dir, 'initdb'),
      ['-D', data, '-U', 'temporal', '--auth=trust', '-E', 'UTF8', '--no-sync'],
      'initdb',
      as,
    );
    const pgPort = await freePort();
    const pgLog = path.join(dir, 'postgres.log');
    const pgOut = openSync(pgLog, 'a');
    if (as) chownSync(pgLog, as.uid, as.gid);
    const postgres = spawn(
      path.join(pg.dir, 'postgres'),
      ['-D', data, '-p', String(pgPort), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      { ...(as ?? {}), stdio: ['ignore', pgOut, pgOut] },
    );
    closeSync(pgOut);
    stops.push(() => stopChild(postgres, 'SIGINT', 30_000)); // SIGINT: PostgreSQL's fast shutdown
    for (let i = 0; ; i++) {
      const ready = spawnSync(path.join(pg.dir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(pgPort)]);
      if (ready.status === 0) break;
      if (postgres.exitCode !== null || i > 300) {
        throw new Error(`PostgreSQL did not start: ${readFileSync(pgLog, 'utf8').slice(-2000)}`);
      }
      await sleep(100);
    }

    log(`schema: temporal and temporal_visibility (${binaries.postgresSchemaDir})`);
    const sql = (db: string, ...args: string[]) =>
      run(
        binaries.sqlTool,
        ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pgPort), '-u', 'temporal', '--db', db, ...args],
        `temporal-sql-tool ${args[0]} (${db})`,
      );
    for (const [db, schema] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      sql(db, 'create-database');
      sql(db, 'setup-schema', '-v', '0.0');
      sql(db, 'update-schema', '-d', path.join(binaries.postgresSchemaDir, schema, 'versioned'));
    }

    const names = [
      'frontend',
      'frontendHttp',
      'frontendMembership',
      'history',
      'historyMembership',
      'matching',
      'matchingMembership',
      'worker',
      'workerMembership',
    ] as const;
    const ports = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()]))) as Record<
      (typeof names)[number],
      number
    >;
    mkdirSync(path.join(dir, 'config'));
    const dynamicConfig = path.join(dir, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfig, DYNAMIC_CONFIG);
    writeFileSync(path.join(dir, 'config', 'bench.yaml'), serverConfig({ pgPort, ports, dynamicConfig }));
    const serverLog = path.join(dir, 'server.log');
    const out = openSync(serverLog, 'a');
    const server = spawn(binaries.server, ['-r', dir, '-c', 'config', '-e', 'bench', '--allow-no-auth', 'start'], {
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    stops.push(() => stopChild(server, 'SIGTERM', 20_000));
    const address = `127.0.0.1:${ports.frontend}`;
    log(`Temporal server ${TEMPORAL_SERVER_VERSION} starting at ${address} (log ${serverLog})`);

    const failed = (): Error =>
      new Error(`the Temporal server did not come up: ${readFileSync(serverLog, 'utf8').slice(-3000)}`);
    const deadline = Date.now() + 180_000;
    let connection: Connection | null = null;
    while (!connection) {
      if (server.exitCode !== null || Date.now() > deadline) throw failed();
      connection = await Connection.connect({ address, connectTimeout: '2s' }).catch(() => null);
      if (!connection) await sleep(500);
    }
    try {
      // The namespace, then the search attributes, then a workflow start: each retried until the fresh server
      // (its services joining, its namespace cache refreshing) takes it.
      const retry = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
        for (;;) {
          try {
            await fn();
            return;
          } catch (e) {
            if (server.exitCode !== null || Date.now() > deadline) {
              throw new Error(`${what}: ${(e as Error).message}; ${failed().message}`);
            }
            await sleep(500);
          }
        }
      };
      await retry('registering namespace default', async () => {
        try {
          await connection!.workflowService.registerNamespace({
            namespace: 'default',
            workflowExecutionRetentionPeriod: msToTs('3 days'),
          });
        } catch (e) {
          if ((e as { code?: number }).code !== 6) throw e; // ALREADY_EXISTS
        }
      });
      await retry('registering the search attributes', () => registerSearchAttributes(connection!, 'default'));
      await retry('a first workflow start', async () => {
        const workflowId = `bench-probe-${Date.now()}`;
        await connection!.workflowService.startWorkflowExecution({
          namespace: 'default',
          workflowId,
          workflowType: { name: 'probe' },
          taskQueue: { name: 'bench-probe' },
          requestId: workflowId,
          searchAttributes: {},
        });
        await connection!.workflowService.terminateWorkflowExecution({
          namespace: 'default',
          workflowExecution: { workflowId },
          reason: 'probe',
        });
        await connection!.workflowService.listWorkflowExecutions({
          namespace: 'default',
          query: 'LeadStage = "probe" AND SlaDueAt < "2000-01-01T00:00:00Z"',
        });
      });
    } finally {
      await connection.close();
    }
    return {
      kind: 'postgres',
      description: `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL ${pg.version} (a throwaway cluster, 4 history shards)`,
      address,
      namespace: 'default',
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
