/**
 * The data converter every Temporal party of the handoff uses: the worker (src/worker.ts), the clients of the
 * bridge, the CLI and the activities (src/temporal/connection.ts), and replay. Pass the same one to all of them.
 */
import type { DataConverter } from '@temporalio/common';
import type { CodecKey } from '../config/codec-keys';
import { EncryptionCodec } from './encryption-codec';

export function handoffDataConverter(keys: readonly CodecKey[] | EncryptionCodec): DataConverter {
  return {
    payloadCodecs: [keys instanceof EncryptionCodec ? keys : new EncryptionCodec(keys)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}
