import { rmSync } from 'node:fs';
import { stopServers } from './servers';

/** Stops both servers (their whole process groups) whatever the tests did, then removes the run's directory. */
export default async function globalTeardown(): Promise<void> {
  try {
    await stopServers(globalThis.__mqlTemporalServers ?? []);
  } finally {
    globalThis.__mqlTemporalServers = undefined;
    if (globalThis.__mqlTemporalTmp) rmSync(globalThis.__mqlTemporalTmp, { recursive: true, force: true });
    globalThis.__mqlTemporalTmp = undefined;
  }
}
