/**
 * The launcher's failure paths, on stand-in executables (shell scripts) instead of Temporal servers: a server that
 * exits while starting fails at once with its output; one that never answers fails at the deadline; either way
 * nothing it started is left running, whatever it forked into its process group.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startEphemeralDevServer,
  startEphemeralTimeSkippingServer,
  startTimeoutMs,
  START_TIMEOUT_ENV_VAR,
} from '../../src/temporal/ephemeral-server';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ephemeral-server-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string): { type: 'existing-path'; path: string } {
  const p = path.join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return { type: 'existing-path', path: p };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // Exited but not yet reaped by its parent (a zombie) counts as gone.
  return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

const pidIn = (file: string) => Number(readFileSync(path.join(dir, file), 'utf8').trim());

test('a server that exits while starting fails at once, with what it printed and its exit code', async () => {
  const executable = script('test-server', 'echo "no Java here" >&2\nexit 3');
  await expect(startEphemeralTimeSkippingServer({ executable, startTimeoutMs: 600_000 })).rejects.toThrow(
    /exited while starting \(code 3\)[\s\S]*no Java here/,
  );
});

const onLinux = process.platform === 'linux' ? test : test.skip;

onLinux('a server that never answers fails at its deadline, and it and what it forked are killed', async () => {
  const executable = script(
    'temporal',
    [`sleep 600 & echo $! > '${dir}/forked.pid'`, `echo $$ > '${dir}/server.pid'`, 'exec sleep 600'].join('\n'),
  );
  await expect(startEphemeralDevServer({ executable, startTimeoutMs: 1_500 })).rejects.toThrow(
    /dev-server .* did not start within 1500 ms .*MQL_HANDOFF_SERVER_START_TIMEOUT_MS/,
  );
  expect(alive(pidIn('server.pid'))).toBe(false);
  expect(alive(pidIn('forked.pid'))).toBe(false);
});

test('the dev server is asked for the namespace and search attributes it was given', async () => {
  // It records its arguments, then exits: the failure carries them in its output.
  const executable = script('temporal', 'echo "args: $*"\nexit 1');
  await expect(
    startEphemeralDevServer({
      executable,
      namespace: 'handoffs',
      searchAttributes: [{ name: 'LeadStage', cliType: 'Keyword' }],
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
    }),
  ).rejects.toThrow(
    /args: server start-dev --port \d+ --namespace handoffs .*--headless --search-attribute LeadStage=Keyword --dynamic-config-value limit\.historyCount\.suggestContinueAsNew=40/,
  );
});

test('the startup deadline: the option, else the environment, else two minutes; a bad value is named', () => {
  expect(startTimeoutMs(5_000, { [START_TIMEOUT_ENV_VAR]: '9000' })).toBe(5_000);
  expect(startTimeoutMs(undefined, { [START_TIMEOUT_ENV_VAR]: '9000' })).toBe(9_000);
  expect(startTimeoutMs(undefined, {})).toBe(120_000);
  expect(() => startTimeoutMs(undefined, { [START_TIMEOUT_ENV_VAR]: '5s' })).toThrow(
    'MQL_HANDOFF_SERVER_START_TIMEOUT_MS="5s": expected a positive whole number of milliseconds',
  );
});
