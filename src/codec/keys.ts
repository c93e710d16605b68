/**
 * Where the codec's keys come from. HANDOFF_CODEC_KEYS when set (production requires it). Outside production,
 * without it, the sandbox key that `npm start` generated once into the data folder (MQL_HANDOFF_DATA_DIR, default
 * .data/codec-keys, mode 0600), so the worker, the bridge, the CLI and the codec server started from the same
 * checkout agree. No key at all: payloads are written in plain text (development only, said at start-up).
 * Nothing here logs or returns key material in a message.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CODEC_KEY_EXPECTED,
  CodecKeyFormatError,
  formatCodecKeys,
  parseCodecKeys,
  type CodecKey,
} from '../config/codec-keys';
import type { Env } from '../config/env';
import type { DataConverter } from '@temporalio/common';
import { handoffDataConverter } from './data-converter';
import { EncryptionCodec } from './encryption-codec';

export class CodecKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecKeyError';
  }
}

export interface ResolvedCodecKeys {
  keys: CodecKey[];
  /** "HANDOFF_CODEC_KEYS", "the sandbox key file <path>", or "none". */
  source: string;
}

export function sandboxKeyFile(env: Env): string {
  return path.resolve(env.MQL_HANDOFF_DATA_DIR ?? '.data', 'codec-keys');
}

export function resolveCodecKeys(env: Env): ResolvedCodecKeys {
  if (env.HANDOFF_CODEC_KEYS) return { keys: parseCodecKeys(env.HANDOFF_CODEC_KEYS), source: 'HANDOFF_CODEC_KEYS' };
  if (env.NODE_ENV === 'production') {
    throw new CodecKeyError(
      `HANDOFF_CODEC_KEYS is not set: NODE_ENV=production does not write lead data into Temporal unencrypted; ${CODEC_KEY_EXPECTED} (README: "Encrypted payloads")`,
    );
  }
  const file = sandboxKeyFile(env);
  if (!existsSync(file)) return { keys: [], source: 'none' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CodecKeyError(
      `cannot read the sandbox codec key ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  try {
    return { keys: parseCodecKeys(text), source: `the sandbox key file ${file}` };
  } catch (e) {
    if (!(e instanceof CodecKeyFormatError)) throw e;
    throw new CodecKeyError(
      `the sandbox codec key ${file}: ${e.message} (or set HANDOFF_CODEC_KEYS; deleting the file makes npm start generate a new key, and histories written under the old one no longer decode)`,
    );
  }
}

/**
 * `npm start`: outside production and without HANDOFF_CODEC_KEYS, makes sure the data folder holds a sandbox key
 * (generated once, mode 0600). Returns the file, or null when the environment names the keys.
 */
export function ensureSandboxKey(env: Env, now = new Date()): { file: string; created: boolean } | null {
  if (env.HANDOFF_CODEC_KEYS || env.NODE_ENV === 'production') return null;
  const file = sandboxKeyFile(env);
  mkdirSync(path.dirname(file), { recursive: true });
  const id = `sandbox-${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
  try {
    writeFileSync(file, `${formatCodecKeys([{ id, key: randomBytes(32) }])}\n`, { mode: 0o600, flag: 'wx' });
    return { file, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { file, created: false };
}

export interface HandoffCodec extends ResolvedCodecKeys {
  codec: EncryptionCodec;
  /** For Worker.create, the clients and replay: `codec` plus the failure converter that encodes failure messages. */
  dataConverter: DataConverter;
  /** One line for start-up banners: the key ids and where they came from, never the keys. */
  description: string;
}

export function describeCodecKeys({ keys, source }: ResolvedCodecKeys): string {
  if (keys.length === 0) {
    return 'off: payloads are written to Temporal in plain text (no HANDOFF_CODEC_KEYS and no sandbox key; development only)';
  }
  const others = keys.slice(1).map((k) => `"${k.id}"`);
  return `AES-256-GCM, encrypting with key "${keys[0]!.id}"${others.length ? `, also decrypting ${others.join(', ')}` : ''} (from ${source})`;
}

/** The keys from the environment and the data converter built on them; a bad or missing key throws CodecKeyError. */
export function codecFromEnv(env: Env): HandoffCodec {
  const resolved = resolveCodecKeys(env);
  const codec = new EncryptionCodec(resolved.keys);
  return { ...resolved, codec, dataConverter: handoffDataConverter(codec), description: describeCodecKeys(resolved) };
}
