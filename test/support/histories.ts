/**
 * Recorded histories guard workflow changes: every file under test/histories/ is replayed against the current
 * workflow code on each test run (test/workflows/replay.temporal.test.ts). To record them again after an intended
 * change (behind `patched()` for leads already in flight), run:
 *
 *   RECORD_HISTORIES=1 npx jest test/workflows --selectProjects temporal
 */
import type { WorkflowHandle } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');

export async function recordHistoryIfAsked(
  handle: WorkflowHandle,
  name: string,
  opts: { terminate?: boolean } = {},
): Promise<void> {
  if (process.env.RECORD_HISTORIES === '1') {
    const history = await handle.fetchHistory();
    mkdirSync(HISTORIES_DIR, { recursive: true });
    writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify(history, null, 1) + '\n');
  }
  if (opts.terminate) await handle.terminate('test over');
}
