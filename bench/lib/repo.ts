import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root, from bench/lib (ts) or dist/bench/lib (compiled) alike. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}
