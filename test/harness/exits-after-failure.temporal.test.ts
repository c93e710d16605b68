/**
 * A failing run fails fast: jest, run on test files that fail on purpose (fixtures/fails-on-purpose.fixture.ts: an
 * assertion failing inside runUntil, a test throwing before its worker ran, a test timing out with its worker
 * running, a test timing out while an activity that ignores its cancellation runs), exits non-zero by itself,
 * without "Jest did not exit", and leaves no Temporal server behind; and a global setup that fails half-way (the
 * time-skipping server refuses to start) stops the dev server it had started. Each child jest runs the harness's
 * own global setup, so its servers are its own; they are found afterwards by a marker in their environment
 * (inherited from the child jest), never by name.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SHARED_ENV_VAR } from './shared';

const ROOT = path.resolve(__dirname, '../..');
const MARKER_VAR = 'MQL_HANDOFF_HARNESS_PROBE';
/**
 * How long a child jest may take before it counts as hung: a global setup on a loaded machine, the fixtures, a
 * teardown. A run that hangs prints "Jest did not exit" a second after its tests, which fails the test at once.
 */
const CHILD_DEADLINE_MS = 240_000;

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** Processes that carried the run's marker (its servers among them) and were still alive after it exited. */
  leftBehind: string[];
}

async function runChildJest(extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  const marker = randomUUID();
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, [MARKER_VAR]: marker, FORCE_COLOR: '0' };
  delete env[SHARED_ENV_VAR]; // the child's global setup starts servers of its own
  const child = spawn(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--config', 'test/harness/fixtures/jest.config.js', '--runInBand', '--ci'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const hung = new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve(`no exit within ${CHILD_DEADLINE_MS} ms`), CHILD_DEADLINE_MS);
    void exited.then(() => clearTimeout(timer));
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Jest did not exit')) resolve('"Jest did not exit"');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const outcome = await Promise.race([exited, hung]);
  if (typeof outcome === 'string') {
    killGroup(child.pid!);
    await exited;
    const leftBehind = processesWithMarker(marker);
    for (const p of leftBehind) killGroup(Number(p.split(' ')[0]));
    throw new Error(`the child jest hung (${outcome}); output:\n${output}`);
  }
  return { ...outcome, output, leftBehind: processesWithMarker(marker) };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** "pid command" of every live process whose environment holds MARKER_VAR=marker (Linux /proc). */
function processesWithMarker(marker: string): string[] {
  const needle = `${MARKER_VAR}=${marker}`;
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/.test(stat)) continue; // a zombie has exited; its parent has yet to reap it
      found.push(`${entry} ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim()}`);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

const describeOnLinux = process.platform === 'linux' ? describe : describe.skip;

describeOnLinux('a failing temporal run', () => {
  test('exits non-zero by itself, reports every failure, and leaves no server running', async () => {
    const run = await runChildJest();
    expect(run.output).not.toContain('Jest did not exit');
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
    // All seven failures reported (three ways on two servers, and the activity that never ends), each for the
    // reason it was written to fail for.
    expect(run.output).toMatch(/Tests:\s+7 failed, 7 total/);
    expect(run.output.match(/Expected: "accepted"/g)).toHaveLength(2);
    expect(run.output.match(/thrown before the worker ran/g)?.length).toBeGreaterThanOrEqual(2);
    expect(run.output.match(/Exceeded timeout of 1000 ms/g)).toHaveLength(2);
    expect(run.output.match(/Exceeded timeout of 5000 ms/g)).toHaveLength(1);
    expect(run.leftBehind).toEqual([]);
  }, 300_000);

  test('whose global setup fails half-way stops the server it had started', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mql-handoff-broken-test-server-'));
    try {
      const broken = path.join(dir, 'test-server');
      writeFileSync(broken, '#!/bin/sh\necho "broken test server: refusing to start" >&2\nexit 3\n');
      chmodSync(broken, 0o755);
      const run = await runChildJest({ TEMPORAL_TEST_SERVER_PATH: broken });
      expect(run.code).not.toBe(0);
      expect(run.signal).toBeNull();
      expect(run.output).toContain('broken test server: refusing to start');
      expect(run.leftBehind).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
