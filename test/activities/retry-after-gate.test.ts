/**
 * The client-wide Retry-After gate on its own (the adapters through it, against the emulators:
 * test/integrations/retry-after.test.ts).
 */
import { RetryAfterGate, RetryAfterHeld } from '../../src/activities/retry-after-gate';

const is429 = (e: unknown) => ((e as { status?: number }).status === 429 ? 30 : undefined);
const deferred = () => {
  let resolve!: (v: string) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

test('a window longer than the wait budget refuses the call without sending it', async () => {
  const gate = new RetryAfterGate('hubspot', { maxWaitMs: 5_000 });
  gate.hold(30);
  const send = jest.fn(async () => 'sent');
  const refused = await gate.run(send, is429).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(RetryAfterHeld);
  expect(refused).toMatchObject({ service: 'hubspot', windowSeconds: 30 });
  expect((refused as RetryAfterHeld).retryAfterSeconds).toBeLessThanOrEqual(30);
  expect(send).not.toHaveBeenCalled();
});

test('a later 429 with a shorter Retry-After does not shorten the open window', () => {
  const gate = new RetryAfterGate('salesforce');
  gate.hold(30);
  const until = gate.heldUntil;
  gate.hold(1);
  expect(gate.heldUntil).toBe(until);
});

test('a 429 to any call closes the gate for the others', async () => {
  const gate = new RetryAfterGate('hubspot', { maxWaitMs: 0 });
  await expect(gate.run(() => Promise.reject({ status: 429 }), is429)).rejects.toEqual({ status: 429 });
  const send = jest.fn(async () => 'sent');
  await expect(gate.run(send, is429)).rejects.toBeInstanceOf(RetryAfterHeld);
  expect(send).not.toHaveBeenCalled();
});

test('after a window, one call goes first; an answer other than 429 lets the others go', async () => {
  const gate = new RetryAfterGate('hubspot');
  gate.hold(0); // a window that has already closed: the next request probes
  const probe = deferred();
  const first = gate.run(() => probe.promise, is429);
  const second = jest.fn(async () => 'second');
  const waiting = gate.run(second, is429);
  await new Promise((r) => setImmediate(r));
  expect(second).not.toHaveBeenCalled();

  probe.reject({ status: 404 });
  await expect(first).rejects.toEqual({ status: 404 });
  await expect(waiting).resolves.toBe('second');
  // No window, no probe: calls run side by side again.
  const a = deferred();
  const b = jest.fn(async () => 'b');
  const running = gate.run(() => a.promise, is429);
  await gate.run(b, is429);
  a.resolve('a');
  await expect(running).resolves.toBe('a');
});

test('a wait budget that is not milliseconds is refused at construction', () => {
  expect(() => new RetryAfterGate('hubspot', { maxWaitMs: -1 })).toThrow(
    'hubspot retry-after wait = -1: expected milliseconds, 0 or more',
  );
});
