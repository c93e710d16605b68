/**
 * For afterAll / afterEach: runs each closer in order, every one even when one before it throws (a Slack emulator
 * that fails to close must not leave the Temporal env and its workers open, or jest never exits), then rethrows
 * what failed. A closer may return undefined (`() => slack?.close()` when beforeAll failed before starting it).
 */
export async function closeAll(...closers: (() => unknown)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const close of closers) {
    try {
      await close();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} closers failed`);
}
