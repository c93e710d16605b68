/**
 * Finds (or builds, once) the two Temporal servers this project runs, without Docker and without the internet
 * beyond package registries. Used by `npm start`, the test harness and the benches alike.
 *
 * Dev server (Temporal CLI `temporal server start-dev`):
 *   TEMPORAL_CLI_PATH → `temporal` on PATH → cached build → `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`
 *   into the cache (when Go is installed) → the SDK's own download (`cached-download`, needs the internet).
 * Time-skipping test server (Java `io.temporal.testserver.TestServer`):
 *   TEMPORAL_TEST_SERVER_PATH → cached → Maven fetch of io.temporal:temporal-test-server with its runtime
 *   dependencies into the cache + a launcher script (when Maven and Java are installed) → the SDK's own download.
 *
 * Temporal server on SQL (`npm run bench -- --postgres`): the `server` and `temporal-sql-tool` binaries of
 *   go.temporal.io/server@v1.29.1 and its PostgreSQL schema: cached → `go install` into the cache (when Go is
 *   installed). The same server version the CLI's dev server embeds.
 *
 * The cache lives outside the repo (MQL_HANDOFF_CACHE_DIR, else $XDG_CACHE_HOME/mql-handoff, else
 * ~/.cache/mql-handoff), keyed by version. Builds happen in a scratch directory and are renamed into place only
 * once they work, under a lock, so a failed, partial or concurrent build never leaves a broken binary behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDirLock } from './dir-lock';

/** Newest tag `go install` can build (later tags carry a `replace` directive in go.mod). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** The Temporal server built for SQL persistence: the version the CLI's dev server embeds. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
/** Newest 1.x of io.temporal:temporal-test-server on Maven Central when this was pinned. */
export const TEST_SERVER_VERSION = '1.38.0';

export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };
export type ExecutableSource = 'env' | 'path' | 'cache' | 'built' | 'download';

export interface ResolvedExecutable {
  executable: ServerExecutable;
  source: ExecutableSource;
  /** Human description for logs. */
  description: string;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines (builds take minutes: never look hung). Default: stderr. */
  log?: (line: string) => void;
  /** Build/fetch from registries when not cached (default true). */
  allowBuild?: boolean;
  /** Fall back to the SDK's download from the internet (default true; the test harness says false). */
  allowDownload?: boolean;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MQL_HANDOFF_CACHE_DIR) return path.resolve(env.MQL_HANDOFF_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'mql-handoff');
}

export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

export function cachedTestServerPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'temporal-test-server', TEST_SERVER_VERSION, 'test-server');
}

const defaultLog = (line: string): void => {
  process.stderr.write(`[temporal-binaries] ${line}\n`);
};

function isExecutableFile(p: string): boolean {
  try {
    const s = statSync(p);
    return s.isFile() && (s.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function runsOk(command: string, args: string[], env?: NodeJS.ProcessEnv): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore', env, timeout: 60_000 });
  return r.status === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Dev server
// ---------------------------------------------------------------------------------------------------------------

export async function resolveDevServer(opts: ResolveOptions = {}): Promise<ResolvedExecutable> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? defaultLog;
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutableFile(env.TEMPORAL_CLI_PATH)) {
      throw new Error(
        `TEMPORAL_CLI_PATH: "${env.TEMPORAL_CLI_PATH}" is not an executable file (expected the temporal CLI)`,
      );
    }
    return existing(env.TEMPORAL_CLI_PATH, 'env', 'TEMPORAL_CLI_PATH');
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return existing(fromPath, 'path', '`temporal` on PATH');
  const cached = cachedCliPath(env);
  if (isExecutableFile(cached)) return existing(cached, 'cache', `cached build ${TEMPORAL_CLI_VERSION}`);
  if (opts.allowBuild !== false && onPath('go', env)) {
    await withBuildLock(path.dirname(cached), log, async () => {
      if (isExecutableFile(cached)) return; // another process built it while we waited
      await buildCliWithGo(cached, env, log);
    });
    return existing(cached, 'built', `built with Go ${TEMPORAL_CLI_VERSION}`);
  }
  return downloadOrFail(opts, 'Temporal CLI', 'install Go (to build it once) or set TEMPORAL_CLI_PATH');
}

async function buildCliWithGo(target: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  const versionDir = path.dirname(target);
  const scratch = path.join(path.dirname(versionDir), `.build-${process.pid}-${Date.now()}`);
  mkdirSync(path.join(scratch, 'bin'), { recursive: true });
  log(
    `building Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${versionDir} (once per machine; takes a few minutes)`,
  );
  try {
    await runWithProgress(
      'go',
      ['install', '-v', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
      {
        ...env,
        GOBIN: path.join(scratch, 'bin'),
        CGO_ENABLED: '0',
        GOFLAGS: [env.GOFLAGS, '-trimpath'].filter(Boolean).join(' '),
      },
      scratch,
      log,
      'go install',
      (line) => line.startsWith('go: downloading') || /^[\w.-]+(\/[\w.@~-]+)+$/.test(line.trim()),
    );
    const built = path.join(scratch, 'bin', 'temporal');
    if (!isExecutableFile(built) || !runsOk(built, ['--version'])) {
      throw new Error(`go install finished but ${built} does not run`);
    }
    rmSync(versionDir, { recursive: true, force: true });
    mkdirSync(versionDir, { recursive: true });
    renameSync(built, target); // same filesystem: atomic
    log(`Temporal CLI ready: ${target}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Time-skipping test server
// ---------------------------------------------------------------------------------------------------------------

export async function resolveTestServer(opts: ResolveOptions = {}): Promise<ResolvedExecutable> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? defaultLog;
  if (env.TEMPORAL_TEST_SERVER_PATH) {
    if (!isExecutableFile(env.TEMPORAL_TEST_SERVER_PATH)) {
      throw new Error(
        `TEMPORAL_TEST_SERVER_PATH: "${env.TEMPORAL_TEST_SERVER_PATH}" is not an executable file (expected a test server launcher)`,
      );
    }
    return existing(env.TEMPORAL_TEST_SERVER_PATH, 'env', 'TEMPORAL_TEST_SERVER_PATH');
  }
  const cached = cachedTestServerPath(env);
  const hasJava = onPath('java', env) !== null;
  if (isExecutableFile(cached) && hasJava)
    return existing(cached, 'cache', `cached test server ${TEST_SERVER_VERSION}`);
  if (opts.allowBuild !== false && hasJava && onPath('mvn', env)) {
    await withBuildLock(path.dirname(cached), log, async () => {
      if (isExecutableFile(cached)) return;
      await fetchTestServerWithMaven(cached, env, log);
    });
    return existing(cached, 'built', `fetched from Maven Central ${TEST_SERVER_VERSION}`);
  }
  return downloadOrFail(
    opts,
    'Temporal test server',
    'install Java 11+ and Maven (to fetch it once) or set TEMPORAL_TEST_SERVER_PATH',
  );
}

async function fetchTestServerWithMaven(
  target: string,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<void> {
  const versionDir = path.dirname(target);
  const scratch = path.join(path.dirname(versionDir), `.fetch-${process.pid}-${Date.now()}`);
  mkdirSync(scratch, { recursive: true });
  writeFileSync(
    path.join(scratch, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.mqlhandoff</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`,
  );
  log(`fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} and its runtime dependencies with Maven`);
  try {
    await runWithProgress(
      'mvn',
      ['-B', '-ntp', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory=lib'],
      env,
      scratch,
      log,
      'mvn',
      (line) => line.includes('Copying ') || line.includes('Downloaded'),
    );
    const jars = readdirSync(path.join(scratch, 'lib')).filter((f) => f.endsWith('.jar'));
    if (!jars.some((j) => j.startsWith(`temporal-test-server-${TEST_SERVER_VERSION}`))) {
      throw new Error(`Maven finished but temporal-test-server-${TEST_SERVER_VERSION}.jar is not in ${scratch}/lib`);
    }
    writeFileSync(
      path.join(scratch, 'test-server'),
      `#!/bin/sh
# Launcher for Temporal's Java test server; the SDK runs it as: test-server <port> --enable-time-skipping
DIR="$(cd "$(dirname "$0")" && pwd)"
exec java \${TEMPORAL_TEST_SERVER_JAVA_OPTS:--Xss1m -XX:+UseSerialGC} -cp "$DIR/lib/*" io.temporal.testserver.TestServer "$@"
`,
    );
    chmodSync(path.join(scratch, 'test-server'), 0o755);
    rmSync(path.join(scratch, 'pom.xml'));
    rmSync(path.join(scratch, 'target'), { recursive: true, force: true });
    rmSync(versionDir, { recursive: true, force: true });
    renameSync(scratch, versionDir); // atomic: the version dir appears complete or not at all
    log(`Temporal test server ready: ${target} (${jars.length} jars)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Temporal server on SQL (the bench's --postgres)
// ---------------------------------------------------------------------------------------------------------------

export interface SqlServerBinaries {
  /** `server` (go.temporal.io/server/cmd/server): `server -r <root> -c <dir> -e <env> start`. */
  server: string;
  /** `temporal-sql-tool` (go.temporal.io/server/cmd/tools/sql): create-database, setup-schema, update-schema. */
  sqlTool: string;
  /** The server's PostgreSQL schema: `<dir>/temporal/versioned`, `<dir>/visibility/versioned`. */
  postgresSchemaDir: string;
}

export function cachedSqlServerDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
}

function sqlServerIn(dir: string): SqlServerBinaries {
  return {
    server: path.join(dir, 'server'),
    sqlTool: path.join(dir, 'temporal-sql-tool'),
    postgresSchemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
  };
}

function isComplete(b: SqlServerBinaries): boolean {
  return (
    isExecutableFile(b.server) && isExecutableFile(b.sqlTool) && existsSync(path.join(b.postgresSchemaDir, 'temporal'))
  );
}

/** The cached server, sql tool and schema, built once with Go when missing. */
export async function resolveTemporalSqlServer(opts: ResolveOptions = {}): Promise<SqlServerBinaries> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? defaultLog;
  const dir = cachedSqlServerDir(env);
  if (isComplete(sqlServerIn(dir))) return sqlServerIn(dir);
  if (opts.allowBuild === false || !onPath('go', env)) {
    throw new Error(
      `no Temporal server ${TEMPORAL_SERVER_VERSION} in ${dir} and no Go to build it: install Go, or put there ` +
        `\`server\` and \`temporal-sql-tool\` (go install go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION} ` +
        `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}) and schema/postgresql/v12 from the module`,
    );
  }
  await withBuildLock(dir, log, async () => {
    if (isComplete(sqlServerIn(dir))) return;
    await buildSqlServerWithGo(dir, env, log);
  });
  return sqlServerIn(dir);
}

async function buildSqlServerWithGo(
  versionDir: string,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<void> {
  const scratch = path.join(path.dirname(versionDir), `.build-${process.pid}-${Date.now()}`);
  mkdirSync(path.join(scratch, 'bin'), { recursive: true });
  log(
    `building Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with Go into ${versionDir} (once per machine)`,
  );
  try {
    const goEnv = {
      ...env,
      GOBIN: path.join(scratch, 'bin'),
      CGO_ENABLED: '0',
      GOFLAGS: [env.GOFLAGS, '-trimpath'].filter(Boolean).join(' '),
    };
    await runWithProgress(
      'go',
      [
        'install',
        '-v',
        `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`,
        `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
      ],
      goEnv,
      scratch,
      log,
      'go install',
      (line) => line.startsWith('go: downloading') || /^[\w.-]+(\/[\w.@~-]+)+$/.test(line.trim()),
    );
    const out = spawnSync('go', ['env', 'GOMODCACHE'], { env: goEnv, encoding: 'utf8' });
    const moduleDir = path.join(out.stdout.trim(), `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`);
    if (out.status !== 0 || !existsSync(path.join(moduleDir, 'schema', 'postgresql'))) {
      throw new Error(`go install finished but the module's schema is not in ${moduleDir}/schema/postgresql`);
    }
    const built = sqlServerIn(scratch);
    renameSync(path.join(scratch, 'bin', 'server'), built.server);
    renameSync(path.join(scratch, 'bin', 'sql'), built.sqlTool);
    cpSync(path.join(moduleDir, 'schema', 'postgresql'), path.join(scratch, 'schema', 'postgresql'), {
      recursive: true,
    });
    makeWritable(path.join(scratch, 'schema')); // the module cache is read-only; the copy must be removable
    rmSync(path.join(scratch, 'bin'), { recursive: true, force: true });
    if (!runsOk(built.sqlTool, ['--help']) || !isComplete(built)) {
      throw new Error(`go install finished but ${built.server} / ${built.sqlTool} do not run`);
    }
    rmSync(versionDir, { recursive: true, force: true });
    renameSync(scratch, versionDir); // same filesystem: atomic
    log(`Temporal server ready: ${versionDir}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Shared machinery
// ---------------------------------------------------------------------------------------------------------------

function existing(p: string, source: ExecutableSource, what: string): ResolvedExecutable {
  return { executable: { type: 'existing-path', path: p }, source, description: `${what}: ${p}` };
}

function downloadOrFail(opts: ResolveOptions, what: string, hint: string): ResolvedExecutable {
  if (opts.allowDownload === false) {
    throw new Error(`no ${what} available on this machine and downloads are not allowed here: ${hint}`);
  }
  (opts.log ?? defaultLog)(`no local ${what}: falling back to the SDK's download (needs internet access)`);
  return { executable: { type: 'cached-download' }, source: 'download', description: `${what}: SDK download` };
}

/** Runs a long build, printing a progress line every 15 s and the tail of its output if it fails. */
function runWithProgress(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  log: (l: string) => void,
  label: string,
  isStep: (line: string) => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let steps = 0;
    const tail: string[] = [];
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        if (isStep(line)) steps += 1;
        tail.push(line);
        if (tail.length > 30) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      log(`${label}: still working, ${Math.round((Date.now() - started) / 1000)} s, ${steps} steps done`);
    }, 15_000);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(new Error(`${label} could not start: ${err.message}`));
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) {
        log(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else {
        reject(new Error(`${label} failed with exit code ${code}:\n${tail.join('\n')}`));
      }
    });
  });
}

/** Two processes never build into the same cache entry at once. */
function withBuildLock(dir: string, log: (l: string) => void, fn: () => Promise<void>): Promise<void> {
  const lock = `${dir}.lock`;
  return withDirLock(lock, fn, {
    pollMs: 1000,
    onWait: () => log(`another process is preparing ${path.basename(dir)}; waiting for it (${lock})`),
  });
}
