/**
 * Recorded histories guard workflow changes: every file under test/histories/ is replayed against the current
 * workflow code on each test run (test/workflows/replay.temporal.test.ts).
 *
 *   test/histories/*.json            plain payloads: recorded before the payload codec, as the leads in flight when
 *                                    it was rolled out wrote them (v1-* older still). Kept, never re-recorded.
 *   test/histories/encrypted/*.json  recorded since, with the codec on under the test key (test/support/codec.ts),
 *                                    exactly as the server stored them.
 *
 * To record (into encrypted/) after an intended change (behind `patched()` for leads already in flight), run:
 *
 *   RECORD_HISTORIES=1 npx jest test/workflows --selectProjects temporal
 */
import type { WorkflowHandle } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');
export const ENCRYPTED_HISTORIES_DIR = path.join(HISTORIES_DIR, 'encrypted');

export async function recordHistoryIfAsked(
  handle: WorkflowHandle,
  name: string,
  opts: { terminate?: boolean } = {},
): Promise<void> {
  if (process.env.RECORD_HISTORIES === '1') {
    const history = await handle.fetchHistory();
    // What the server holds: the payloads as the workers' and clients' codec wrote them.
    mkdirSync(ENCRYPTED_HISTORIES_DIR, { recursive: true });
    writeFileSync(path.join(ENCRYPTED_HISTORIES_DIR, `${name}.json`), JSON.stringify(history, null, 1) + '\n');
  }
  if (opts.terminate) await handle.terminate('test over');
}
