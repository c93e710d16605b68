/**
 * `npm run setup:temporal`: makes sure both Temporal servers are on this machine (building/fetching them into the
 * cache if needed) and prints where they are. CI runs it before the tests so the slow part is visible on its own.
 */
import { resolveDevServer, resolveTestServer } from '../src/temporal/binaries';

async function main(): Promise<void> {
  const allowDownload = process.argv.includes('--allow-download');
  const dev = await resolveDevServer({ allowDownload });
  console.log(`dev server:  ${dev.description}`);
  const ts = await resolveTestServer({ allowDownload });
  console.log(`test server: ${ts.description}`);
}

main().catch((e: unknown) => {
  console.error(`setup:temporal failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
