/**
 * A lock shared by processes on one machine: a directory (mkdir is atomic) holding the owner's pid. A lock whose
 * owner died, or that never got a pid within a minute, is taken over.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DirLockOptions {
  /** Called once, the first time the lock is found held by someone else. */
  onWait?: () => void;
  pollMs?: number;
}

/** Waits for the lock and returns its release function. */
export async function acquireDirLock(lock: string, opts: DirLockOptions = {}): Promise<() => void> {
  mkdirSync(path.dirname(lock), { recursive: true });
  let waiting = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (isStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!waiting) {
      waiting = true;
      opts.onWait?.();
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}

export async function withDirLock<T>(lock: string, fn: () => Promise<T>, opts: DirLockOptions = {}): Promise<T> {
  const release = await acquireDirLock(lock, opts);
  try {
    return await fn();
  } finally {
    release();
  }
}

function isStale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    // The owner may be between mkdir and writing its pid; only a long-silent lock is stale.
    try {
      return Date.now() - statSync(lock).mtimeMs > 60_000;
    } catch {
      return true; // released meanwhile
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
