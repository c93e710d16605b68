/**
 * Where the codec keys come from: HANDOFF_CODEC_KEYS, else (outside production) the sandbox key `npm start`
 * generates once into the data folder; production refuses to run without the variable. Key material never
 * appears in a message.
 */
import { mkdtempSync, readFileSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codecFromEnv, CodecKeyError, ensureSandboxKey, resolveCodecKeys } from '../../src/codec/keys';
import { loadEnv } from '../../src/config/env';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const dataDir = () => mkdtempSync(path.join(os.tmpdir(), 'codec-keys-'));

test('HANDOFF_CODEC_KEYS: the first key encrypts, all decrypt; the description names ids, never keys', () => {
  const codec = codecFromEnv(loadEnv({ HANDOFF_CODEC_KEYS: `k2:${K2}, k1:${K1}` }));
  expect(codec.keys.map((k) => k.id)).toEqual(['k2', 'k1']);
  expect(codec.keys[1]!.key.equals(Buffer.alloc(32, 1))).toBe(true);
  expect(codec.description).toBe(
    'AES-256-GCM, encrypting with key "k2", also decrypting "k1" (from HANDOFF_CODEC_KEYS)',
  );
  expect(codec.dataConverter.payloadCodecs).toHaveLength(1);
});

test('production without HANDOFF_CODEC_KEYS refuses, naming the variable, even with a sandbox key present', () => {
  const dir = dataDir();
  ensureSandboxKey(loadEnv({ MQL_HANDOFF_DATA_DIR: dir }));
  const run = () => resolveCodecKeys(loadEnv({ NODE_ENV: 'production', MQL_HANDOFF_DATA_DIR: dir }));
  expect(run).toThrow(CodecKeyError);
  expect(run).toThrow(
    /^HANDOFF_CODEC_KEYS is not set: NODE_ENV=production does not write lead data into Temporal unencrypted/,
  );
  expect(ensureSandboxKey(loadEnv({ NODE_ENV: 'production', MQL_HANDOFF_DATA_DIR: dataDir() }))).toBeNull();
});

test('npm start generates the sandbox key once (mode 0600); everything started from the checkout then uses it', () => {
  const dir = dataDir();
  const env = loadEnv({ MQL_HANDOFF_DATA_DIR: dir });
  expect(resolveCodecKeys(env)).toEqual({ keys: [], source: 'none' });

  const first = ensureSandboxKey(env, new Date('2026-12-02T10:00:00Z'));
  const file = path.join(dir, 'codec-keys');
  expect(first).toEqual({ file, created: true });
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const text = readFileSync(file, 'utf8');
  expect(text).toMatch(/^sandbox-20261202:[A-Za-z0-9+/]{43}=\n$/);

  expect(ensureSandboxKey(env, new Date('2027-01-01T00:00:00Z'))).toEqual({ file, created: false });
  expect(readFileSync(file, 'utf8')).toBe(text);
  const resolved = resolveCodecKeys(env);
  expect(resolved.source).toBe(`the sandbox key file ${file}`);
  expect(resolved.keys.map((k) => k.id)).toEqual(['sandbox-20261202']);
  expect(resolved.keys[0]!.key.toString('base64')).toBe(text.trim().split(':')[1]);

  // HANDOFF_CODEC_KEYS wins, and no file is written for it.
  const other = dataDir();
  expect(ensureSandboxKey(loadEnv({ MQL_HANDOFF_DATA_DIR: other, HANDOFF_CODEC_KEYS: `k1:${K1}` }))).toBeNull();
  expect(resolveCodecKeys(loadEnv({ MQL_HANDOFF_DATA_DIR: dir, HANDOFF_CODEC_KEYS: `k1:${K1}` })).source).toBe(
    'HANDOFF_CODEC_KEYS',
  );
});

test('a sandbox key file readable by others is tightened to 0600', () => {
  const dir = dataDir();
  const env = loadEnv({ MQL_HANDOFF_DATA_DIR: dir });
  ensureSandboxKey(env);
  chmodSync(path.join(dir, 'codec-keys'), 0o644);
  ensureSandboxKey(env);
  expect(statSync(path.join(dir, 'codec-keys')).mode & 0o777).toBe(0o600);
});

test('a damaged sandbox key file stops start-up naming the file, not its content', () => {
  const dir = dataDir();
  writeFileSync(path.join(dir, 'codec-keys'), 'sandbox-1:c2hvcnQ=\n', { mode: 0o600 });
  const run = () => resolveCodecKeys(loadEnv({ MQL_HANDOFF_DATA_DIR: dir }));
  expect(run).toThrow(CodecKeyError);
  expect(run).toThrow(
    `the sandbox codec key ${path.join(dir, 'codec-keys')}: entry 1 (id "sandbox-1"): the key is 5 bytes: expected 32 bytes`,
  );
  expect(run).not.toThrow(/c2hvcnQ/);
});
