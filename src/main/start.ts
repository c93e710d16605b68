/**
 * `npm start`: the whole product on one machine. With no TEMPORAL_ADDRESS it starts a local Temporal dev server
 * (UI on :8233, SQLite under .data/ so leads survive a restart), the sandbox emulators for every service without
 * credentials (the Slack workspace kept in .data/sandbox/slack.json, so the DMs those leads point at survive too),
 * the worker, the webhook bridge, and the codec server its UI decodes payloads through (with a sandbox key generated
 * once into the data folder). The only entry point that runs the sandbox; not in the image.
 */
import path from 'node:path';
import { DEFAULT_SANDBOX_BASE_PORT, startSandbox } from '../sandbox';
import { startDevServer } from './dev-server';
import { runProcess } from './launcher';

void runProcess({
  devServer: startDevServer,
  sandbox: ({ env, config, services }) =>
    startSandbox({
      config,
      services,
      basePort: env.SANDBOX_BASE_PORT ?? DEFAULT_SANDBOX_BASE_PORT,
      // Next to the dev server's SQLite: a restart keeps the DMs the handoffs it remembers point at.
      stateDir: path.resolve(env.MQL_HANDOFF_DATA_DIR ?? '.data', 'sandbox'),
    }),
  bridge: true,
  sandboxCodec: true,
});
