/**
 * The codec's environment variables are validated at start-up like every other: a bad HANDOFF_CODEC_KEYS names
 * the variable, the entry and what was expected, and never prints the value (it is a secret).
 */
import { codecServerSettings, describeEnv, EnvError, loadEnv } from '../../src/config/env';

const K1 = Buffer.alloc(32, 1).toString('base64');
const SHORT = Buffer.alloc(16, 3).toString('base64');

function envError(source: NodeJS.ProcessEnv): EnvError {
  try {
    loadEnv(source);
  } catch (e) {
    if (e instanceof EnvError) return e;
    throw e;
  }
  throw new Error('expected an EnvError');
}

test.each([
  [
    `k1:${SHORT}`,
    'entry 1 (id "k1"): the key is 16 bytes: expected 32 bytes (AES-256), e.g. from `openssl rand -base64 32`',
  ],
  [`k1:${K1},k1:${K1}`, 'entry 2: key id "k1" is given twice'],
  [`${K1}`, 'entry 1 has no ":" between id and key'],
  [`k1:${K1},k 2:${K1}`, 'entry 2: key id "k 2" is not valid: expected 1-64 letters, digits, ".", "_" or "-"'],
  [`k1:not*base64`, 'entry 1 (id "k1"): the key is not base64'],
])('HANDOFF_CODEC_KEYS=%s is refused: %s', (value, message) => {
  const err = envError({ HANDOFF_CODEC_KEYS: value });
  expect(err.issues).toEqual([{ variable: 'HANDOFF_CODEC_KEYS', message: expect.stringContaining(message) }]);
  expect(err.issues[0]!.value).toBeUndefined();
  expect(err.message).not.toContain(value.split(':').pop()!);
});

test('the keys and the codec auth token are secrets: describeEnv shows them as (set)', () => {
  const env = loadEnv({ HANDOFF_CODEC_KEYS: `k1:${K1}`, HANDOFF_CODEC_AUTH_TOKEN: 'codec-token-0123456789' });
  expect(describeEnv(env)).toMatchObject({ HANDOFF_CODEC_KEYS: '(set)', HANDOFF_CODEC_AUTH_TOKEN: '(set)' });
  const short = envError({ HANDOFF_CODEC_AUTH_TOKEN: 'short' });
  expect(short.issues).toEqual([
    { variable: 'HANDOFF_CODEC_AUTH_TOKEN', message: 'expected a random token of at least 16 characters' },
  ]);
});

test('HANDOFF_CODEC_CORS_ORIGINS takes origins, not URLs with paths', () => {
  expect(envError({ HANDOFF_CODEC_CORS_ORIGINS: 'http://localhost:8233/' }).issues[0]).toMatchObject({
    variable: 'HANDOFF_CODEC_CORS_ORIGINS',
    value: '"http://localhost:8233/"',
  });
  expect(
    codecServerSettings(loadEnv({ HANDOFF_CODEC_CORS_ORIGINS: 'https://temporal.example.com, http://localhost:8080' }))
      .corsOrigins,
  ).toEqual(['https://temporal.example.com', 'http://localhost:8080']);
});

test('codec server defaults: next to the UI port, loopback, the local UI origins; production: all interfaces, none', () => {
  expect(codecServerSettings(loadEnv({}))).toEqual({
    port: 8234,
    host: '127.0.0.1',
    corsOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233'],
    authToken: undefined,
    namespace: 'default',
  });
  expect(codecServerSettings(loadEnv({ TEMPORAL_UI_PORT: '28233', TEMPORAL_NAMESPACE: 'sales' }))).toMatchObject({
    port: 28234,
    corsOrigins: ['http://localhost:28233', 'http://127.0.0.1:28233'],
    namespace: 'sales',
  });
  expect(codecServerSettings(loadEnv({ NODE_ENV: 'production', HANDOFF_CODEC_PORT: '9000' }))).toMatchObject({
    port: 9000,
    host: '0.0.0.0',
    corsOrigins: [],
  });
});
