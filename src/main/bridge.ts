/**
 * `npm run bridge` and the image's bridge command: the bridge on its own, `node dist/src/main/bridge.js`. Reads the
 * environment (BRIDGE_PORT, BRIDGE_HOST, BRIDGE_PUBLIC_URL, HUBSPOT_CLIENT_SECRET, SLACK_SIGNING_SECRET,
 * SALESFORCE_ORG_ID, SLACK_BOT_TOKEN, HANDOFF_CODEC_KEYS, TEMPORAL_*) and the org config, starts listening whether or not Temporal is up
 * (it connects when a request needs it), and stops cleanly on SIGINT/SIGTERM. No sandbox runs beside it.
 */
import { listenFromEnv, slackResponderFor } from '../client/bridge/process';
import { CodecKeyError, codecFromEnv } from '../codec/keys';
import { MissingSecretError } from '../client/bridge/secrets';
import { createLazyTemporalGateway } from '../client/temporal-gateway';
import { EnvError, loadEnv, temporalSettings } from '../config/env';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../config/org-config-file';
import { OrgConfigError } from '../domain/org-config';
import { addressOf, connectClient } from '../temporal/connection';

async function main(): Promise<void> {
  const env = loadEnv();
  const config = loadOrgConfigFile(resolveOrgConfigPath());
  const settings = temporalSettings(env);
  const codec = codecFromEnv(env);
  const temporal = createLazyTemporalGateway({
    address: addressOf(settings),
    connect: () => connectClient(settings, codec.dataConverter),
  });
  const running = await listenFromEnv({
    env,
    config,
    taskQueue: settings.taskQueue,
    temporal,
    slack: slackResponderFor(env, null),
  }).catch(async (e: unknown) => {
    await temporal.close();
    throw e;
  });
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: 'bridge listening', url: running.url, temporal: temporal.address, taskQueue: settings.taskQueue, payloadCodec: codec.description })}\n`,
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'bridge stopping', signal })}\n`);
    await running.close();
    await temporal.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  const known =
    e instanceof EnvError ||
    e instanceof OrgConfigError ||
    e instanceof MissingSecretError ||
    e instanceof CodecKeyError;
  process.stderr.write(`${known ? (e as Error).message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
