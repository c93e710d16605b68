/**
 * Key rotation on a real Temporal: a handoff starts with HANDOFF_CODEC_KEYS=k1; then the deployment rotates to
 * HANDOFF_CODEC_KEYS=k2,k1 (k2 primary) and a fresh worker takes over. It replays the history written under k1,
 * the lead goes on to accepted, and what is written from then on is under k2. Its history now needs both keys: a
 * worker with k2 alone cannot replay it — why the old key stays until no retained history was written under it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { handoffDataConverter } from '../../src/codec/data-converter';
import { EncryptionCodec } from '../../src/codec/encryption-codec';
import { acceptUpdate, repActivitySignal, statusQuery } from '../../src/workflows/definitions';
import { devServerEnv, sharedServers } from '../harness/temporal';
import { eventually } from '../support/eventually';
import { cleanUpHandoffs, handoffFixture } from '../support/handoff-fixture';
import { InMemoryWorld } from '../support/in-memory-ports';
import { demoRequestLead } from '../support/leads';
import { payloadsIn, rawHistory } from '../support/raw-history';
import { closeAll } from '../support/close-all';

const k1 = { id: 'rotation-k1', key: randomBytes(32) };
const k2 = { id: 'rotation-k2', key: randomBytes(32) };
const before = handoffDataConverter([k1]);
const after = handoffDataConverter([k2, k1]);

let envBefore: TestWorkflowEnvironment;
let envAfter: TestWorkflowEnvironment;
beforeAll(async () => {
  envBefore = await devServerEnv({ dataConverter: before });
  envAfter = await devServerEnv({ dataConverter: after });
});
afterEach(cleanUpHandoffs);
afterAll(() =>
  closeAll(
    () => envBefore?.teardown(),
    () => envAfter?.teardown(),
  ),
);

test('data written under key 1 reads after key 2 becomes primary; new data is written under key 2', async () => {
  const world = new InMemoryWorld();
  const lead = demoRequestLead({ email: 'rotation.probe@keys-rotate.example' });

  // Under k1: the lead is routed and the rep notified.
  const first = await handoffFixture(envBefore, { world, dataConverter: before });
  const workflowId = await first.worker.runUntil(async () => {
    const handle = await first.start(lead);
    await eventually(
      () => handle.query(statusQuery),
      (s) => s.stage === 'awaiting_first_touch',
      'assignment under k1',
    );
    return handle.workflowId;
  });
  const underK1 = payloadsIn((await rawHistory(envBefore.connection, 'default', workflowId)).history);
  expect(new Set(underK1.map((p) => p.keyId).filter(Boolean))).toEqual(new Set([k1.id]));

  // Rotated: k2 first, k1 kept. A new worker (no cache: it replays everything written under k1) takes over.
  const second = await handoffFixture(envAfter, { world, dataConverter: after, taskQueue: first.taskQueue });
  await second.worker.runUntil(async () => {
    const handle = envAfter.client.workflow.getHandle(workflowId);
    await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot' });
    const status = await eventually(
      () => handle.query(statusQuery),
      (s) => s.stage === 'awaiting_decision',
      'first touch after the rotation',
    );
    expect(status.owner?.repId).toBe('rep-ana');
    await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana' }] });
    expect((await handle.result()).outcome).toBe('accepted');
  });

  const { history } = await rawHistory(envAfter.connection, 'default', workflowId);
  const coded = payloadsIn(history).filter((p) => p.encoding === 'binary/encrypted');
  const firstK2 = coded.findIndex((p) => p.keyId === k2.id);
  expect(firstK2).toBeGreaterThan(0);
  // Everything before the rotation under k1, everything after under k2.
  expect(coded.slice(0, firstK2).every((p) => p.keyId === k1.id)).toBe(true);
  expect(coded.slice(firstK2).every((p) => p.keyId === k2.id)).toBe(true);
  expect(coded.slice(0, firstK2)).toHaveLength(underK1.filter((p) => p.encoding === 'binary/encrypted').length);

  // The lead's data from before the rotation decodes with k2,k1 — and not with k2 alone.
  const asPayloads = coded.slice(0, firstK2).map(({ json }) => ({
    metadata: Object.fromEntries(Object.entries(json.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(json.data ?? '', 'base64'),
  }));
  const read = await new EncryptionCodec([k2, k1]).decode(asPayloads);
  const withEmail = read.findIndex((p) =>
    Buffer.from(p.data!).toString().includes('rotation.probe@keys-rotate.example'),
  );
  expect(withEmail).toBeGreaterThanOrEqual(0);
  await expect(new EncryptionCodec([k2]).decode([asPayloads[withEmail]!])).rejects.toThrow(
    'a payload is encrypted under key "rotation-k1", which is not in HANDOFF_CODEC_KEYS (rotation-k2)',
  );

  // A worker that dropped k1 could not replay this lead; with k2,k1 it does.
  const replay = (dataConverter: typeof after, replayName: string) =>
    Worker.runReplayHistory(
      { workflowBundle: { codePath: sharedServers().workflowBundlePath }, dataConverter, replayName },
      history,
    );
  await replay(after, 'rotated-both-keys');
  await expect(replay(handoffDataConverter([k2]), 'rotated-k2-only')).rejects.toThrow(
    /^Replay failed due workflow task failure/,
  );
});
