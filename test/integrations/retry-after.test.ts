/**
 * Retry-After is honoured by the whole client, through the real clients (@hubspot/api-client, jsforce) against the
 * sandbox emulators: after a 429 with `Retry-After: N` reaches one call, no request of that client reaches the
 * service for N seconds, however many calls (other leads, other operations) run concurrently; short windows are
 * waited out in-process, long ones fail the other calls at once, unsent, as RateLimited with the delay left.
 *
 * The check reads the emulator's request log: a request logged after a 429 must arrive at least N s after it. That
 * is a lower bound on the service's own clock (a slow machine only widens the gaps), not a timing measurement.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createHubSpotAdapters } from '../../src/activities/hubspot';
import { createSalesforceAdapters } from '../../src/activities/salesforce';
import { ServiceError, toActivityFailure } from '../../src/activities/service-error';
import type { LoggedRequest } from '../../src/sandbox/emulator-kit';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../src/sandbox/hubspot/emulator';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import { ANA, config, lead, refreshTokenOptions, serviceErrorOf } from './crm-fixture';

/** Requests that reached the service inside a window a 429 before them had opened. */
function insideAWindow(log: LoggedRequest[], seconds: number, isApi: (r: LoggedRequest) => boolean) {
  const api = log.filter(isApi);
  const found: { limitedAt: string; at: string; path: string }[] = [];
  api.forEach((limited, i) => {
    if (limited.fault !== 'rate_limit') return;
    const opened = Date.parse(limited.at);
    for (const r of api.slice(i + 1)) {
      if (Date.parse(r.at) - opened < seconds * 1000) found.push({ limitedAt: limited.at, at: r.at, path: r.path });
    }
  });
  return found;
}

const settle = (calls: Promise<unknown>[]) => Promise.allSettled(calls);
const rejections = (results: PromiseSettledResult<unknown>[]) =>
  results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as ServiceError);

describe('HubSpot', () => {
  let emulator: HubSpotEmulator;
  beforeEach(async () => {
    emulator = await startHubSpotEmulator({ config });
  });
  afterEach(() => emulator.close());
  const api = (r: LoggedRequest) => !r.path.startsWith('/_sandbox');
  const connect = (retryAfterWaitMs?: number) =>
    createHubSpotAdapters({ accessToken: emulator.accessToken, baseUrl: emulator.url, config, retryAfterWaitMs });

  it('after Retry-After: 1, concurrent calls wait the window out; each window lets one request probe first', async () => {
    // A generous wait budget: three one-second windows in a row are waited out, however slow the machine.
    const { marketing } = connect(30_000);
    emulator.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 1, times: 3 });

    const first = await serviceErrorOf(marketing.updateContact('1001', { leadStatus: 'NEW' }));
    expect(first.details).toMatchObject({ status: 429, retryAfterSeconds: 1 });
    expect(emulator.requests.filter(api)).toHaveLength(1); // the client itself did not retry

    const results = await settle([
      marketing.getLead('1002'),
      marketing.updateContact('1003', { leadStatus: 'NEW' }),
      marketing.getLead('1004'),
      marketing.updateContact('1005', { leadStatus: 'IN_PROGRESS' }),
      marketing.getLead('1006'),
    ]);

    expect(insideAWindow(emulator.requests, 1, api)).toEqual([]);
    // The two remaining 429s each met the one request that went first after a window; the other calls went through.
    expect(emulator.requests.filter((r) => r.fault === 'rate_limit')).toHaveLength(3);
    expect(rejections(results).map((e) => e.details)).toEqual([
      expect.objectContaining({ status: 429, retryAfterSeconds: 1 }),
      expect.objectContaining({ status: 429, retryAfterSeconds: 1 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });

  it('a long Retry-After fails the other calls at once, unsent, as RateLimited with the delay left', async () => {
    const { marketing, sales } = connect();
    emulator.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 30 });
    await serviceErrorOf(marketing.updateContact('1001', { leadStatus: 'NEW' }));

    const held = rejections(
      await settle([
        marketing.getLead('1002'),
        marketing.updateContact('1003', { leadStatus: 'NEW' }),
        sales.findOpenDeal(lead({ contactId: '1004' })),
      ]),
    );

    expect(emulator.requests.filter(api)).toHaveLength(1);
    expect(held).toHaveLength(3);
    for (const e of held) {
      expect(e).toBeInstanceOf(ServiceError);
      expect(e.details).toMatchObject({ service: 'hubspot', code: 'RETRY_AFTER_HOLD' });
      expect(e.details.status).toBeUndefined(); // nothing was sent
      expect(e.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(e.details.retryAfterSeconds).toBeLessThanOrEqual(30);
      expect(e.message).toMatch(/not sent: hubspot answered an earlier request 429 with Retry-After 30 s/);
      const failure = toActivityFailure(e) as ApplicationFailure;
      expect(failure).toMatchObject({ type: 'RateLimited', nonRetryable: false });
      expect(failure.nextRetryDelay).toBe(`${e.details.retryAfterSeconds}s`);
    }
  });

  it('each client has its own window: another portal connection is not held', async () => {
    const a = connect();
    const b = connect();
    emulator.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 30 });
    await serviceErrorOf(a.marketing.updateContact('1001', { leadStatus: 'NEW' }));
    await b.marketing.updateContact('1001', { leadStatus: 'NEW' });
    expect(emulator.requests.filter(api).map((r) => r.status)).toEqual([429, 200]);
  });
});

describe('Salesforce', () => {
  let emu: SalesforceEmulator;
  beforeEach(async () => {
    emu = await startSalesforceEmulator({ config });
  });
  afterEach(() => emu.close());
  const api = (r: LoggedRequest) => r.path.startsWith('/services/');

  it('after Retry-After: 1, concurrent calls wait the window out; each window lets one request probe first', async () => {
    const { sales } = createSalesforceAdapters(refreshTokenOptions(emu, { retryAfterWaitMs: 30_000 }));
    await sales.findOpenDeal(lead()); // logged in
    emu.faults.inject({ kind: 'rate_limit', path: '/services/data/', retryAfterSeconds: 1, times: 3 });

    const first = await serviceErrorOf(sales.findOpenDeal(lead()));
    expect(first.details).toMatchObject({ status: 429, retryAfterSeconds: 1 });
    const afterFirst = emu.requests.filter(api).length;

    const results = await settle([
      sales.findOpenDeal(lead({ contactId: '5002' })),
      sales.assignOwner({ lead: lead({ contactId: '5003' }), ownerId: ANA, handoffWorkflowId: 'w-5003' }),
      sales.findOpenDeal(lead({ contactId: '5004' })),
      sales.assignOwner({ lead: lead({ contactId: '5005' }), ownerId: ANA, handoffWorkflowId: 'w-5005' }),
      sales.findOpenDeal(lead({ contactId: '5006' })),
    ]);

    expect(emu.requests.filter(api).length).toBeGreaterThan(afterFirst);
    expect(insideAWindow(emu.requests, 1, api)).toEqual([]);
    expect(emu.requests.filter((r) => r.fault === 'rate_limit')).toHaveLength(3);
    expect(rejections(results).map((e) => e.details)).toEqual([
      expect.objectContaining({ status: 429, retryAfterSeconds: 1 }),
      expect.objectContaining({ status: 429, retryAfterSeconds: 1 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });

  it('a long Retry-After fails the other calls at once, unsent, as RateLimited with the delay left', async () => {
    const { sales, push } = createSalesforceAdapters(refreshTokenOptions(emu));
    await sales.findOpenDeal(lead());
    emu.faults.inject({ kind: 'rate_limit', path: '/services/data/', retryAfterSeconds: 30 });
    await serviceErrorOf(sales.findOpenDeal(lead()));
    const before = emu.requests.filter(api).length;

    const held = rejections(
      await settle([
        sales.findOpenDeal(lead({ contactId: '5002' })),
        sales.assignOwner({ lead: lead({ contactId: '5003' }), ownerId: ANA, handoffWorkflowId: 'w' }),
        push.notifyRep({ salesforceUserId: ANA, title: 'Demo request', body: 'VP Operations.', key: 'k-push' }),
      ]),
    );

    expect(emu.requests.filter(api)).toHaveLength(before);
    expect(held).toHaveLength(3);
    for (const e of held) {
      expect(e.details).toMatchObject({ service: 'salesforce', code: 'RETRY_AFTER_HOLD' });
      expect(e.details.status).toBeUndefined();
      expect(e.message).toMatch(/not sent: salesforce answered an earlier request 429 with Retry-After 30 s/);
      const failure = toActivityFailure(e) as ApplicationFailure;
      expect(failure).toMatchObject({ type: 'RateLimited', nonRetryable: false });
      expect(failure.nextRetryDelay).toBe(`${e.details.retryAfterSeconds}s`);
    }
  });
});
