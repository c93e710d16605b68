/**
 * Leads already in flight must keep replaying: every recorded history under test/histories/ is replayed against
 * the current workflow code, with the payload codec the workers run (test key). A change that alters the commands
 * a history recorded fails here — guard such changes with `patched()` and record a new history (see
 * test/support/histories.ts). Both kinds replay: plain ones (written before the codec; it passes them through)
 * and encrypted ones (written with it).
 */
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { handoffDataConverter } from '../../src/codec/data-converter';
import { sharedServers } from '../harness/temporal';
import { TEST_CODEC_KEY_ID, testDataConverter } from '../support/codec';
import { ENCRYPTED_HISTORIES_DIR, HISTORIES_DIR } from '../support/histories';
import { payloadsIn } from '../support/raw-history';

const jsonIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f));
const plainFiles = jsonIn(HISTORIES_DIR);
const encryptedFiles = jsonIn(ENCRYPTED_HISTORIES_DIR);
const MAIN_PATHS = [
  'accepted-after-first-touch',
  'no-activity-full-ladder',
  'ops-reassign-then-accept',
  'rejected-wrong-title',
  'timing-not-right-recycled',
];
const names = (files: string[]) => files.map((f) => path.basename(f, '.json')).sort();
const load = (file: string) =>
  temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(file, 'utf8')) as object);
/** The payloads a codec sees (not search attributes, headers, or the SDK's markers). */
const codecPayloads = (file: string) =>
  payloadsIn(load(file)).filter((p) => !/searchAttributes|header|markerRecordedEventAttributes/.test(p.path));
const label = (file: string) => path.relative(HISTORIES_DIR, file);

test('recorded histories exist for the main paths, plain and encrypted', () => {
  expect(names(plainFiles)).toEqual(expect.arrayContaining(MAIN_PATHS));
  expect(names(encryptedFiles)).toEqual(expect.arrayContaining(MAIN_PATHS));
});

test.each(plainFiles.map(label))('%s is plain (written before the codec)', (file) => {
  const payloads = codecPayloads(path.join(HISTORIES_DIR, file));
  expect(payloads.length).toBeGreaterThan(10);
  expect(payloads.filter((p) => p.encoding === 'binary/encrypted')).toEqual([]);
});

test.each(encryptedFiles.map(label))('%s is encrypted under the test key throughout', (file) => {
  const payloads = codecPayloads(path.join(HISTORIES_DIR, file));
  expect(payloads.length).toBeGreaterThan(10);
  expect(payloads.filter((p) => p.encoding !== 'binary/encrypted' || p.keyId !== TEST_CODEC_KEY_ID)).toEqual([]);
});

test.each([...plainFiles, ...encryptedFiles].map(label))('replays %s', async (file) => {
  await Worker.runReplayHistory(
    {
      workflowBundle: { codePath: sharedServers().workflowBundlePath },
      dataConverter: testDataConverter(),
      replayName: file,
    },
    load(path.join(HISTORIES_DIR, file)),
  );
});

test('an encrypted history does not replay without its key (replay really decodes it)', async () => {
  const file = path.join(ENCRYPTED_HISTORIES_DIR, 'accepted-after-first-touch.json');
  await expect(
    Worker.runReplayHistory(
      {
        workflowBundle: { codePath: sharedServers().workflowBundlePath },
        dataConverter: handoffDataConverter([{ id: 'other', key: Buffer.alloc(32, 1) }]),
        replayName: 'wrong-key',
      },
      load(file),
    ),
  ).rejects.toThrow(/^Replay failed due workflow task failure/);
});
