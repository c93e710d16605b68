import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  for (const env of globalThis.__mqlTemporalEnvs ?? []) {
    await env.teardown();
  }
  if (globalThis.__mqlTemporalTmp) rmSync(globalThis.__mqlTemporalTmp, { recursive: true, force: true });
}
