/**
 * The payload codec that keeps lead PII out of Temporal's history: every payload the worker, the bridge and the CLI
 * hand to Temporal is encrypted with AES-256-GCM under the primary key, and decrypted by whichever configured key
 * its metadata names. Search attributes and headers never pass through a codec (the SDK skips them), which is why
 * the search attributes carry no PII.
 *
 * A payload on the wire:
 *   metadata  encoding = "binary/encrypted", encryption-key-id = "<id>"
 *   data      12-byte random IV ‖ ciphertext of the original Payload protobuf (metadata and data) ‖ 16-byte GCM tag
 *
 * Payloads that are not `binary/encrypted` decode unchanged: histories written before the codec existed keep
 * replaying. With no key at all (development without a sandbox key) payloads are written in plain text.
 */
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CodecKey } from '../config/codec-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined): string | undefined =>
  b ? Buffer.from(b).toString('utf8') : undefined;

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly primary: CodecKey | undefined;

  /** `keys[0]` encrypts; all decrypt. No keys: encode passes payloads through (development only). */
  constructor(keys: readonly CodecKey[]) {
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.primary = keys[0];
  }

  /** The key ids, primary first (for start-up banners; ids are not secret). */
  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const primary = this.primary;
    if (!primary) return payloads;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', primary.key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(primary.id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!keyId) throw new ValueError(`an encrypted payload has no ${KEY_ID_METADATA} in its metadata`);
      const key = this.byId.get(keyId);
      if (!key) {
        throw new ValueError(
          this.byId.size === 0
            ? `a payload is encrypted under key "${keyId}" and no codec key is configured: set HANDOFF_CODEC_KEYS`
            : `a payload is encrypted under key "${keyId}", which is not in HANDOFF_CODEC_KEYS (${this.keyIds.join(', ')}): add it back (after the primary) to read histories written under it`,
        );
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) {
        throw new ValueError(`an encrypted payload (key "${keyId}") is ${data.length} bytes: too short to decrypt`);
      }
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new ValueError(
          `a payload encrypted under key "${keyId}" does not decrypt with the configured key "${keyId}" (different key material under the same id, or the payload was altered)`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
