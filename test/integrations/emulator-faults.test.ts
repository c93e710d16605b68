/**
 * The emulator kit's seeded random faults and its Retry-After accounting: in process (a FaultInjector with a
 * hand-driven clock) and on the wire (an emulator answering 429s and counting who came back too early).
 */
import {
  FaultInjector,
  requestSignature,
  startEmulator,
  type Emulator,
  type FaultSpec,
} from '../../src/sandbox/emulator-kit';
import nodemailer from 'nodemailer';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { sampleOrg } from '../support/handoff-fixture';

function draws(injector: FaultInjector, n: number, path = '/x'): (string | null)[] {
  return Array.from({ length: n }, () => {
    const f = injector.take('POST', path);
    return f ? `${f.kind}:${f.status ?? f.retryAfterSeconds ?? ''}` : null;
  });
}

describe('seeded random faults', () => {
  it('gives the same faults for the same seed, and others for another seed', () => {
    const spec = { rate: 0.2, seed: 42, retryAfterSeconds: 2, statuses: [500, 503] };
    const a = new FaultInjector();
    const b = new FaultInjector();
    const c = new FaultInjector();
    a.setRandom(spec);
    b.setRandom(spec);
    c.setRandom({ ...spec, seed: 43 });
    const seqA = draws(a, 500);
    expect(draws(b, 500)).toEqual(seqA);
    expect(draws(c, 500)).not.toEqual(seqA);
  });

  it('starts the sequence again when the mode is set again', () => {
    const f = new FaultInjector();
    f.setRandom({ rate: 0.5, seed: 9 });
    const first = draws(f, 100);
    f.setRandom({ rate: 0.5, seed: 9 });
    expect(draws(f, 100)).toEqual(first);
  });

  it('faults about `rate` of the requests, drawing every kind and status asked for', () => {
    const f = new FaultInjector();
    f.setRandom({ rate: 0.2, seed: 7, kinds: ['rate_limit', 'server_error'], statuses: [500, 503] });
    const seq = draws(f, 2000);
    const faulted = seq.filter((x) => x !== null);
    expect(faulted.length).toBeGreaterThan(2000 * 0.15);
    expect(faulted.length).toBeLessThan(2000 * 0.25);
    expect(new Set(faulted)).toEqual(new Set(['rate_limit:1', 'server_error:500', 'server_error:503']));
    const stats = f.stats();
    expect(stats.requests).toBe(2000);
    expect(stats.injected.rate_limit + stats.injected.server_error).toBe(faulted.length);
    expect(stats.injectedRandom).toEqual(stats.injected);
  });

  it('never faults at rate 0 and always at rate 1', () => {
    const never = new FaultInjector();
    never.setRandom({ rate: 0 });
    expect(draws(never, 200).every((x) => x === null)).toBe(true);
    const always = new FaultInjector();
    always.setRandom({ rate: 1, kinds: ['server_error'], statuses: [502] });
    expect(new Set(draws(always, 200))).toEqual(new Set(['server_error:502']));
  });

  it('only touches the requests its method and path filters match', () => {
    const f = new FaultInjector();
    f.setRandom({ rate: 1, method: 'post', path: '/chat.postMessage' });
    expect(f.take('GET', '/api/chat.postMessage')).toBeUndefined();
    expect(f.take('POST', '/api/conversations.open')).toBeUndefined();
    expect(f.take('POST', '/api/chat.postMessage')).toBeDefined();
  });

  it('serves a pending one-off fault before drawing, and clear() stops both', () => {
    const f = new FaultInjector();
    f.setRandom({ rate: 1, kinds: ['rate_limit'] });
    f.inject({ kind: 'slow', delayMs: 5 });
    expect(f.take('GET', '/a')?.kind).toBe('slow');
    expect(f.take('GET', '/a')?.kind).toBe('rate_limit');
    expect(f.stats().injectedRandom).toMatchObject({ slow: 0, rate_limit: 1 });
    f.clear();
    expect(f.take('GET', '/a')).toBeUndefined();
    expect(f.random()).toBeNull();
  });

  it.each<[unknown, RegExp]>([
    [{ rate: 1.5 }, /random\.rate = 1\.5: expected a number from 0 to 1/],
    [{ rate: 0.2, kinds: ['teapot'] }, /random\.kinds = \["teapot"\]: expected a non-empty list of rate_limit/],
    [{ rate: 0.2, seed: 1.5 }, /random\.seed = 1\.5: expected an integer/],
    [{ rate: 0.2, statuses: [404] }, /random\.statuses = \[404\]: expected a non-empty list of 5xx statuses/],
    [{ rate: 0.2, retryAfterSeconds: -1 }, /random\.retryAfterSeconds = -1/],
    ['often', /random = "often": expected an object/],
  ])('refuses %j naming the field, the value and what it expects', (spec, message) => {
    expect(() => new FaultInjector().setRandom(spec as never)).toThrow(message);
  });
});

describe('Retry-After accounting', () => {
  it('counts a repeat before the Retry-After as early, after it as patient, and every request in the window', () => {
    let now = 1_000_000;
    const f = new FaultInjector({ now: () => now });
    const sig = requestSignature('PATCH', '/crm/v3/objects/contacts/1', Buffer.from('{"a":1}'));
    const other = requestSignature('GET', '/crm/v3/owners', Buffer.alloc(0));
    f.arrived(sig);
    f.rateLimited(sig, 2);
    now += 500;
    f.arrived(other); // another call while the app is rate-limited
    now += 500;
    f.arrived(sig); // the refused call again, 1 s early
    expect(f.stats()).toMatchObject({
      rateLimitedWithRetryAfter: 1,
      retriesBeforeRetryAfter: 1,
      retriesAfterRetryAfter: 0,
      requestsDuringRetryAfter: 2,
    });
    expect(f.stats().earlyRetries).toEqual([
      {
        method: 'PATCH',
        path: '/crm/v3/objects/contacts/1',
        at: new Date(1_001_000).toISOString(),
        earlyByMs: 1000,
      },
    ]);

    f.rateLimited(sig, 2); // refused again at t = 1 s
    now += 2000; // exactly when Retry-After ends
    f.arrived(sig);
    f.arrived(other);
    expect(f.stats()).toMatchObject({
      rateLimitedWithRetryAfter: 2,
      retriesBeforeRetryAfter: 1,
      retriesAfterRetryAfter: 1,
      requestsDuringRetryAfter: 2,
    });
  });

  it('tells requests apart by their body', () => {
    let now = 0;
    const f = new FaultInjector({ now: () => now });
    const a = requestSignature('POST', '/api/chat.postMessage', Buffer.from('channel=D1&text=a'));
    const b = requestSignature('POST', '/api/chat.postMessage', Buffer.from('channel=D2&text=b'));
    expect(a).not.toBe(b);
    f.rateLimited(a, 5);
    now = 100;
    f.arrived(b);
    expect(f.stats()).toMatchObject({ retriesBeforeRetryAfter: 0, requestsDuringRetryAfter: 1 });
  });

  it('does not count a request that arrived before the 429 it would repeat', () => {
    let now = 1000;
    const f = new FaultInjector({ now: () => now });
    const sig = requestSignature('GET', '/x', Buffer.alloc(0));
    f.rateLimited(sig, 3);
    f.arrived(sig, 999); // in flight before the refusal went out
    expect(f.stats()).toMatchObject({ retriesBeforeRetryAfter: 0, requestsDuringRetryAfter: 0 });
    now = 1500;
    f.arrived(sig);
    expect(f.stats().retriesBeforeRetryAfter).toBe(1);
  });

  it('starts counting again after resetStats()', () => {
    const f = new FaultInjector();
    const sig = requestSignature('GET', '/x', Buffer.alloc(0));
    f.rateLimited(sig, 60);
    f.arrived(sig);
    f.resetStats();
    f.arrived(sig);
    expect(f.stats()).toMatchObject({ requests: 0, retriesBeforeRetryAfter: 0, requestsDuringRetryAfter: 0 });
  });
});

describe('on the wire', () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startEmulator({
      name: 'echo',
      routes: (app) => {
        app.post('/echo', async (req) => ({ got: req.body }));
        app.get('/limited', async (_req, reply) => reply.code(429).header('Retry-After', '30').send({ own: true }));
      },
      rateLimited: (reply, s) => reply.code(429).header('Retry-After', String(s)).send({ error: 'slow down' }),
      serverError: (reply, status) => reply.code(status).send({ error: 'boom' }),
      state: () => ({ things: [] }),
    });
  });
  afterEach(async () => {
    await emu.close();
  });

  const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as never };
  };

  it('sets the random mode over HTTP, counts early retries and shows it all on GET /_sandbox/faults', async () => {
    const set = await call('POST', '/_sandbox/faults', {
      random: { rate: 1, kinds: ['rate_limit'], retryAfterSeconds: 30, seed: 3 },
    });
    expect(set.status).toBe(200);
    const first = await call('POST', '/echo', { lead: 1 });
    expect(first).toMatchObject({ status: 429, retryAfter: '30' });
    await call('POST', '/echo', { lead: 1 }); // the same call again at once: early
    await call('POST', '/echo', { lead: 2 }); // another call inside the window
    const view = (await call('GET', '/_sandbox/faults')).body as {
      random: { rate: number; seed: number };
      stats: Record<string, unknown>;
    };
    expect(view.random).toMatchObject({ rate: 1, seed: 3, kinds: ['rate_limit'] });
    expect(view.stats).toMatchObject({
      requests: 3,
      injected: { rate_limit: 3, server_error: 0 },
      injectedRandom: { rate_limit: 3 },
      rateLimitedWithRetryAfter: 3,
      retriesBeforeRetryAfter: 1,
      requestsDuringRetryAfter: 2,
    });
    const state = (await call('GET', '/_sandbox/state')).body as { things: unknown[]; faults: { stats: unknown } };
    expect(state.things).toEqual([]);
    expect(state.faults.stats).toEqual(view.stats);

    const cleared = (await call('DELETE', '/_sandbox/faults')).body as { random: unknown; pending: unknown[] };
    expect(cleared).toMatchObject({ random: null, pending: [] });
    expect(await call('POST', '/echo', { lead: 3 })).toMatchObject({ status: 200, body: { got: { lead: 3 } } });
  });

  it('hands the handler the body it read for the signature, whatever the content type', async () => {
    expect((await call('POST', '/echo', { a: [1, 2] })).body).toEqual({ got: { a: [1, 2] } });
    expect((await call('POST', '/echo', 'a=1&b=two', 'application/x-www-form-urlencoded')).body).toEqual({
      got: { a: '1', b: 'two' },
    });
    expect((await call('POST', '/echo', '<x/>', 'text/xml')).body).toEqual({ got: '<x/>' });
  });

  it("counts the service's own 429s with Retry-After too", async () => {
    await call('GET', '/limited');
    await call('GET', '/limited');
    expect(emu.faults.stats()).toMatchObject({
      injected: { rate_limit: 0 },
      rateLimitedWithRetryAfter: 2,
      retriesBeforeRetryAfter: 1,
    });
  });

  it('answers 400 naming the field when the random body is wrong, and null turns the mode off', async () => {
    const bad = await call('POST', '/_sandbox/faults', { random: { rate: 'lots' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'random.rate = "lots": expected a number from 0 to 1' });
    emu.faults.setRandom({ rate: 1 });
    expect((await call('POST', '/_sandbox/faults', { random: null })).body).toMatchObject({ random: null });
    expect((await call('POST', '/echo', { a: 1 })).status).toBe(200);
  });

  it('keeps one-off faults working over HTTP', async () => {
    const spec: FaultSpec = { kind: 'server_error', status: 503, path: '/echo' };
    await call('POST', '/_sandbox/faults', spec);
    expect((await call('POST', '/echo', {})).status).toBe(503);
    expect((await call('POST', '/echo', {})).status).toBe(200);
    expect(emu.faults.stats().injected.server_error).toBe(1);
  });

  it('POST /_sandbox/reset clears the faults and the statistics', async () => {
    emu.faults.setRandom({ rate: 1 });
    await call('POST', '/echo', {});
    await call('POST', '/_sandbox/reset');
    expect(emu.faults.view()).toMatchObject({ random: null, stats: { requests: 0, injected: { rate_limit: 0 } } });
  });
});

describe('the SMTP sink', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({ config: sampleOrg(), services: ['email'] });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  /** One message through a fresh connection; the reply code it failed with, or 250. */
  const send = async (i: number): Promise<number> => {
    const transport = nodemailer.createTransport(sandbox.smtp!.url);
    try {
      await transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `m${i}`, text: 'hi' });
      return 250;
    } catch (e) {
      return (e as { responseCode?: number }).responseCode ?? -1;
    } finally {
      transport.close();
    }
  };
  const sendMany = async (n: number): Promise<number[]> => {
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push(await send(i));
    return codes;
  };

  it('fails transactions with seeded temporary failures, the same ones for the same seed', async () => {
    const smtp = sandbox.smtp!;
    smtp.setRandomFaults({ rate: 0.5, seed: 11 });
    const first = await sendMany(10);
    expect(new Set(first)).toEqual(new Set([250, 421, 451]));
    smtp.setRandomFaults({ rate: 0.5, seed: 11 });
    expect(await sendMany(10)).toEqual(first);
    const failed = first.filter((c) => c !== 250).length;
    expect(smtp.faultStats()).toMatchObject({
      random: { rate: 0.5, seed: 11, codes: [421, 451], stage: 'mail' },
      seen: { mail: 20 },
    });
    const injected = smtp.faultStats().injectedRandom;
    expect((injected[421] ?? 0) + (injected[451] ?? 0)).toBe(2 * failed);
    expect(smtp.messages()).toHaveLength(2 * (10 - failed));
  });

  it('is set, shown and cleared over HTTP on the mailbox, refusing a bad body by name', async () => {
    const url = `${sandbox.mailbox!.url}/_sandbox/smtp-faults`;
    const post = (body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ random: { rate: 0.2, codes: [250] } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'random.codes = [250]: expected a non-empty list of SMTP reply codes 400–599',
    });
    expect((await post({ random: { rate: 1, codes: [451] } })).status).toBe(200);
    expect(await send(1)).toBe(451);
    const state = (await (await fetch(`${sandbox.mailbox!.url}/_sandbox/state`)).json()) as {
      smtpFaults: { injected: Record<string, number> };
    };
    expect(state.smtpFaults.injected).toEqual({ 451: 1 });
    expect(await (await fetch(url, { method: 'DELETE' })).json()).toMatchObject({ random: null });
    expect(await send(2)).toBe(250);
  });
});
