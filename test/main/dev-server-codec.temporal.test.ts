/**
 * `npm start`'s Temporal UI decodes out of the box: the dev server it starts tells its UI the codec server's URL
 * (--ui-codec-endpoint), which the UI then calls from the browser (the UI's settings API says where). A headless
 * Chromium run against `npm start` showed the UI preflighting and POSTing /decode and rendering the decoded input;
 * this checks the wiring without a browser.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../src/config/env';
import { startDevServer } from '../../src/main/dev-server';
import { unusedPort } from '../client/support';

test('the dev server of npm start points its UI at the codec server', async () => {
  const [port, uiPort] = [await unusedPort(), await unusedPort()];
  const env = loadEnv({
    TEMPORAL_DEV_PORT: String(port),
    TEMPORAL_UI_PORT: String(uiPort),
    MQL_HANDOFF_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'dev-server-codec-')),
  });
  const server = await startDevServer({
    env,
    namespace: 'default',
    log: () => undefined,
    codecEndpoint: 'http://127.0.0.1:45678',
  });
  try {
    expect(server.uiUrl).toBe(`http://localhost:${uiPort}`);
    const settings = (await (await fetch(`${server.uiUrl}/api/v1/settings`)).json()) as {
      Codec: { Endpoint: string; PassAccessToken: boolean };
    };
    expect(settings.Codec).toMatchObject({ Endpoint: 'http://127.0.0.1:45678', PassAccessToken: false });
  } finally {
    await server.teardown();
  }
});
