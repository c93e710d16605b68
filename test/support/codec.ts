/**
 * The payload codec the temporal tests run with, as production does: AES-256-GCM under a fixed test key (not a
 * secret: it only ever encrypts test data). The harness gives it to every test client and worker
 * (test/harness/temporal.ts); the recorded histories under test/histories/encrypted/ were written under it.
 */
import { parseCodecKeys } from '../../src/config/codec-keys';
import { handoffDataConverter } from '../../src/codec/data-converter';

/** As HANDOFF_CODEC_KEYS would hold it (for the CLI tests, which read the environment). */
export const TEST_CODEC_KEYS = 'test-k1:DPmdrp/DWMW6gSaVShbo2xDTNNP4tusGmF3igFnL93I=';
export const TEST_CODEC_KEY_ID = 'test-k1';

export const testDataConverter = () => handoffDataConverter(parseCodecKeys(TEST_CODEC_KEYS));
