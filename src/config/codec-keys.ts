/**
 * The payload-encryption keys' text form, as HANDOFF_CODEC_KEYS and the sandbox key file hold it:
 *
 *   <id>:<base64 of 32 random bytes>[,<id>:<base64>…]      e.g. k2:9Yx…=,k1:Qm3…=
 *
 * The first key encrypts; every key decrypts (so a key can be rotated while histories written under the old one
 * still decode). An error names the entry by position and id, never the key material.
 */

export interface CodecKey {
  /** Written into each payload's metadata (`encryption-key-id`); not secret. */
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

export class CodecKeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecKeyFormatError';
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
export const CODEC_KEY_EXPECTED =
  'expected <id>:<base64 of 32 bytes>[,<id>:<base64>…], e.g. from `openssl rand -base64 32`';

/** Parses the list; the first key is the primary (encrypting) key. Throws CodecKeyFormatError without key material. */
export function parseCodecKeys(text: string): CodecKey[] {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new CodecKeyFormatError(`no key given: ${CODEC_KEY_EXPECTED}`);
  const keys: CodecKey[] = [];
  entries.forEach((entry, i) => {
    const at = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new CodecKeyFormatError(`${at} has no ":" between id and key: ${CODEC_KEY_EXPECTED}`);
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!ID.test(id)) {
      throw new CodecKeyFormatError(
        `${at}: key id ${JSON.stringify(id)} is not valid: expected 1-64 letters, digits, ".", "_" or "-"`,
      );
    }
    if (keys.some((k) => k.id === id)) throw new CodecKeyFormatError(`${at}: key id "${id}" is given twice`);
    if (!BASE64.test(material) || material.length % 4 !== 0) {
      throw new CodecKeyFormatError(`${at} (id "${id}"): the key is not base64: ${CODEC_KEY_EXPECTED}`);
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) {
      throw new CodecKeyFormatError(
        `${at} (id "${id}"): the key is ${key.length} bytes: expected 32 bytes (AES-256), e.g. from \`openssl rand -base64 32\``,
      );
    }
    keys.push({ id, key });
  });
  return keys;
}

/** The text form of a key list (for the sandbox key file). */
export function formatCodecKeys(keys: CodecKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}
