import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireDirLock, withDirLock } from '../../src/temporal/dir-lock';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'dir-lock-'));

test('holders run one at a time, in turn', async () => {
  const lock = path.join(tmp(), 'build.lock');
  const events: string[] = [];
  const hold = (name: string) =>
    withDirLock(
      lock,
      async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 50));
        events.push(`${name} out`);
      },
      { pollMs: 10 },
    );
  await Promise.all([hold('a'), hold('b')]);
  expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
});

test('a lock left by a process that died is taken over; a live one is waited for', async () => {
  const lock = path.join(tmp(), 'dead.lock');
  mkdirSync(lock);
  writeFileSync(path.join(lock, 'pid'), '2147483646'); // no such process
  const release = await acquireDirLock(lock, { pollMs: 10 });
  let waited = false;
  const second = acquireDirLock(lock, { pollMs: 10, onWait: () => (waited = true) });
  await new Promise((r) => setTimeout(r, 50));
  expect(waited).toBe(true);
  release();
  (await second)();
});
