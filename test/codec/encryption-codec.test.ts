/**
 * The payload codec's wire format and key handling, checked against values worked out independently of it: a
 * known-answer vector built with node:crypto and a hand-written Payload protobuf, and a by-hand decryption of what
 * it writes. The rotation cases are the unit half of "data written under key 1 reads after key 2 becomes primary"
 * (the Temporal half is test/codec/rotation.temporal.test.ts).
 */
import type { Payload } from '@temporalio/common';
import { createDecipheriv } from 'node:crypto';
import { EncryptionCodec } from '../../src/codec/encryption-codec';

const k1 = { id: 'k1', key: Buffer.alloc(32, 1) };
const k2 = { id: 'k2', key: Buffer.alloc(32, 2) };
const str = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

const lead: Payload = {
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from('{"email":"jordan.lee@smallco.example","firstName":"Jordan"}'),
};

/** Payload{metadata:{encoding:"json/plain"}, data:'{"email":"kat@example.com"}'} as protobuf, written by hand. */
const KAT_PROTO =
  '0a160a08656e636f64696e67120a6a736f6e2f706c61696e121b7b22656d61696c223a226b6174406578616d706c652e636f6d227d';
/** That protobuf under AES-256-GCM, key 32×0x07, IV 01..0c, as IV ‖ ciphertext ‖ tag (made with node:crypto). */
const KAT_DATA =
  'AQIDBAUGBwgJCgsMsWrilg+EgUOBV2x5h63JM7uLfkDeKluJbLr3vck1J3dSLg56bGa/FRzMKfMKNSIIs1QP6M7GraF/M0BZEx2Hrm2dE0PO';

test('decodes the known-answer vector: the format of histories already written stays readable', async () => {
  const codec = new EncryptionCodec([{ id: 'kat-1', key: Buffer.alloc(32, 7) }]);
  const [p] = await codec.decode([
    {
      metadata: { encoding: Buffer.from('binary/encrypted'), 'encryption-key-id': Buffer.from('kat-1') },
      data: Buffer.from(KAT_DATA, 'base64'),
    },
  ]);
  expect(str(p!.metadata!.encoding)).toBe('json/plain');
  expect(str(p!.data)).toBe('{"email":"kat@example.com"}');
});

test('encode writes binary/encrypted with the key id, and IV ‖ AES-256-GCM(payload protobuf) ‖ tag', async () => {
  const codec = new EncryptionCodec([{ id: 'kat-1', key: Buffer.alloc(32, 7) }]);
  const [p] = await codec.encode([
    { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"email":"kat@example.com"}') },
  ]);
  expect(Object.keys(p!.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
  expect(str(p!.metadata!.encoding)).toBe('binary/encrypted');
  expect(str(p!.metadata!['encryption-key-id'])).toBe('kat-1');
  const data = Buffer.from(p!.data!);
  expect(data.length).toBe(12 + KAT_PROTO.length / 2 + 16);
  expect(data.includes(Buffer.from('kat@example.com'))).toBe(false);
  // Decrypted by hand, it is the hand-written protobuf.
  const decipher = createDecipheriv('aes-256-gcm', Buffer.alloc(32, 7), data.subarray(0, 12));
  decipher.setAuthTag(data.subarray(data.length - 16));
  const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
  expect(plain.toString('hex')).toBe(KAT_PROTO);
});

test('round trip, and a fresh IV each time (the same lead never encrypts to the same bytes)', async () => {
  const codec = new EncryptionCodec([k1]);
  const [a] = await codec.encode([lead]);
  const [b] = await codec.encode([lead]);
  expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  const [back] = await codec.decode([a!]);
  expect(str(back!.metadata!.encoding)).toBe('json/plain');
  expect(str(back!.data)).toBe(str(lead.data));
});

test('rotation: written under k1, read after k2 becomes primary; new writes use k2', async () => {
  const [underK1] = await new EncryptionCodec([k1]).encode([lead]);
  const rotated = new EncryptionCodec([k2, k1]);
  const [read] = await rotated.decode([underK1!]);
  expect(str(read!.data)).toBe(str(lead.data));
  const [underK2] = await rotated.encode([lead]);
  expect(str(underK2!.metadata!['encryption-key-id'])).toBe('k2');
  expect(str((await rotated.decode([underK2!]))[0]!.data)).toBe(str(lead.data));
});

test('dropping a key too early: its payloads no longer decode, and the error says which key and what to do', async () => {
  const [underK1] = await new EncryptionCodec([k1]).encode([lead]);
  const err = await new EncryptionCodec([k2]).decode([underK1!]).catch((e: Error) => e);
  expect((err as Error).message).toBe(
    'a payload is encrypted under key "k1", which is not in HANDOFF_CODEC_KEYS (k2): add it back (after the primary) to read histories written under it',
  );
  const none = await new EncryptionCodec([]).decode([underK1!]).catch((e: Error) => e);
  expect((none as Error).message).toBe(
    'a payload is encrypted under key "k1" and no codec key is configured: set HANDOFF_CODEC_KEYS',
  );
});

test('other key material under the same id, or altered bytes, fail authentication without naming the key', async () => {
  const [p] = await new EncryptionCodec([k1]).encode([lead]);
  const impostor = new EncryptionCodec([{ id: 'k1', key: Buffer.alloc(32, 9) }]);
  const err = (await impostor.decode([p!]).catch((e: Error) => e)) as Error;
  expect(err.message).toMatch(/^a payload encrypted under key "k1" does not decrypt with the configured key "k1"/);
  expect(err.message).not.toContain(Buffer.alloc(32, 9).toString('base64'));

  const altered = Buffer.from(p!.data!);
  altered[20] = altered[20]! ^ 0xff;
  await expect(new EncryptionCodec([k1]).decode([{ ...p!, data: altered }])).rejects.toThrow(/does not decrypt/);
});

test('plain payloads decode unchanged (histories from before the codec); no key: encode leaves them plain', async () => {
  const codec = new EncryptionCodec([k1]);
  expect(await codec.decode([lead])).toEqual([lead]);
  expect(await new EncryptionCodec([]).encode([lead])).toEqual([lead]);
  expect(new EncryptionCodec([k2, k1]).keyIds).toEqual(['k2', 'k1']);
});
