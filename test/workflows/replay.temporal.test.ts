/**
 * Leads already in flight must keep replaying: every recorded history under test/histories/ is replayed against
 * the current workflow code. A change that alters the commands a history recorded fails here — guard such changes
 * with `patched()` and record a new history (see test/support/histories.ts).
 */
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedServers } from '../harness/temporal';
import { HISTORIES_DIR } from '../support/histories';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

test('recorded histories exist for the main paths', () => {
  expect(files.map((f) => path.basename(f, '.json')).sort()).toEqual(
    expect.arrayContaining([
      'accepted-after-first-touch',
      'no-activity-full-ladder',
      'ops-reassign-then-accept',
      'rejected-wrong-title',
      'timing-not-right-recycled',
    ]),
  );
});

test.each(files)('replays %s', async (file) => {
  const history = temporal.api.history.v1.History.fromObject(
    JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
  );
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: sharedServers().workflowBundlePath }, replayName: file },
    history,
  );
});
