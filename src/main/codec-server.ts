/**
 * `npm run codec-server` and the image's codec-server command (`node dist/src/main/codec-server.js`): the codec
 * server on its own, for a Temporal UI ("Remote Codec Endpoint") and `temporal … --codec-endpoint`. Reads
 * HANDOFF_CODEC_KEYS (outside production, else the sandbox key `npm start` generated), HANDOFF_CODEC_PORT / _HOST
 * / _CORS_ORIGINS / _AUTH_TOKEN and TEMPORAL_NAMESPACE; production refuses to start without keys or a token.
 * `npm start` runs the same server in its own process.
 */
import { checkCodecServerConfig, CodecServerConfigError, createCodecServer } from '../codec/codec-server';
import { CodecKeyError, codecFromEnv } from '../codec/keys';
import { codecServerSettings, EnvError, loadEnv } from '../config/env';

const line = (entry: object): void => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

async function main(): Promise<void> {
  const env = loadEnv();
  const codec = codecFromEnv(env);
  const settings = codecServerSettings(env);
  checkCodecServerConfig({
    keyCount: codec.keys.length,
    production: env.NODE_ENV === 'production',
    authToken: settings.authToken,
  });
  const server = createCodecServer({ codec: codec.codec, settings, log: line });
  const url = await server.listen(settings.port, settings.host);
  line({
    level: 'info',
    msg: 'codec server listening',
    url,
    namespace: settings.namespace,
    corsOrigins: settings.corsOrigins,
    auth: settings.authToken ? 'Authorization: Bearer <HANDOFF_CODEC_AUTH_TOKEN>' : 'none (answers localhost only)',
    payloadCodec: codec.description,
  });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    line({ level: 'info', msg: 'codec server stopping', signal });
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  const known = e instanceof EnvError || e instanceof CodecKeyError || e instanceof CodecServerConfigError;
  process.stderr.write(`${known ? (e as Error).message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
