/**
 * The HubSpot emulator on the wire: auth, envelopes, rate-limit headers, HubSpot's write rules, the eventually
 * consistent search index, the seed, and per-instance state.
 */
import { startHubSpotEmulator, type HubSpotEmulator } from '../../src/sandbox/hubspot/emulator';
import { DEMO_COMPANIES, DEMO_CONTACTS, DEMO_DEALS } from '../../src/sandbox/hubspot/seed';
import { config } from './crm-fixture';

const running: HubSpotEmulator[] = [];

async function start(opts: Parameters<typeof startHubSpotEmulator>[0] = {}): Promise<HubSpotEmulator> {
  const e = await startHubSpotEmulator({ config, ...opts });
  running.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function call(
  e: HubSpotEmulator,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = e.accessToken,
): Promise<{ status: number; headers: Headers; json: () => Promise<Record<string, unknown>>; text: string }> {
  const res = await fetch(`${e.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: async () => JSON.parse(text) };
}

describe('auth and envelopes', () => {
  it.each([
    ['no token', null],
    ['a wrong token', 'nope'],
  ])('answers %s with 401 INVALID_AUTHENTICATION', async (_what, token) => {
    const e = await start();
    const res = await call(e, 'GET', '/crm/v3/objects/contacts/1001', undefined, token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    expect((await res.json()).correlationId).toEqual(expect.any(String));
  });

  it('takes a custom token', async () => {
    const e = await start({ accessToken: 'pat-na1-test' });
    expect((await call(e, 'GET', '/crm/v3/objects/contacts/1001')).status).toBe(200);
    expect((await call(e, 'GET', '/crm/v3/objects/contacts/1001', undefined, 'sandbox-hubspot-token')).status).toBe(
      401,
    );
  });

  it('sends the X-HubSpot-RateLimit headers and counts requests down', async () => {
    const e = await start();
    const first = await call(e, 'GET', '/crm/v3/owners');
    const second = await call(e, 'GET', '/crm/v3/owners');
    expect(first.headers.get('x-hubspot-ratelimit-daily')).toBe('250000');
    expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(first.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(first.headers.get('x-hubspot-ratelimit-secondly')).toBe('19');
    expect(Number(second.headers.get('x-hubspot-ratelimit-remaining'))).toBe(
      Number(first.headers.get('x-hubspot-ratelimit-remaining')) - 1,
    );
  });

  it("answers an injected rate limit with HubSpot's 429 envelope and Retry-After", async () => {
    const e = await start();
    e.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 3 });
    const res = await call(e, 'GET', '/crm/v3/objects/contacts/1001');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(await res.json()).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
  });

  it('answers a missing record with the JSON 404 and a miss by unique property with the HTML 404', async () => {
    const e = await start();
    const byId = await call(e, 'GET', '/crm/v3/objects/contacts/424242');
    expect(byId.status).toBe(404);
    expect(await byId.json()).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    const byKey = await call(e, 'GET', '/crm/v3/objects/deals/nope?idProperty=mql_handoff_key');
    expect(byKey.status).toBe(404);
    expect(byKey.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('lists every invalid property in a VALIDATION_ERROR with context.propertyName', async () => {
    const e = await start();
    const res = await call(e, 'PATCH', '/crm/v3/objects/contacts/1001', {
      properties: { lifecyclestage: 'prospect', no_such_thing: 'x', createdate: '2020-01-01' },
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(body.message).toMatch(/^Property values were not valid: \[/);
    expect(
      (body.errors as { code: string; context: { propertyName: string[] } }[]).map((x) => [
        x.code,
        x.context.propertyName[0],
      ]),
    ).toEqual([
      ['INVALID_OPTION', 'lifecyclestage'],
      ['PROPERTY_DOESNT_EXIST', 'no_such_thing'],
      ['READ_ONLY_VALUE', 'createdate'],
    ]);
  });
});

describe('HubSpot write rules', () => {
  it('ignores a backward lifecycle move unless the stage is cleared first', async () => {
    const e = await start();
    const path = '/crm/v3/objects/contacts/1001';
    await call(e, 'PATCH', path, { properties: { lifecyclestage: 'salesqualifiedlead' } });
    const ignored = await call(e, 'PATCH', path, { properties: { lifecyclestage: 'lead' } });
    expect(ignored.status).toBe(200);
    expect((await ignored.json()).properties).toMatchObject({ lifecyclestage: 'salesqualifiedlead' });
    await call(e, 'PATCH', path, { properties: { lifecyclestage: '' } });
    await call(e, 'PATCH', path, { properties: { lifecyclestage: 'lead' } });
    expect(e.store.get('contacts', '1001')!.properties.lifecyclestage).toBe('lead');
  });

  it('refuses a second deal with the same unique mql_handoff_key (409)', async () => {
    const e = await start();
    const deal = { properties: { dealname: 'a', dealstage: 'appointmentscheduled', mql_handoff_key: 'k1' } };
    expect((await call(e, 'POST', '/crm/v3/objects/deals', deal)).status).toBe(201);
    const dup = await call(e, 'POST', '/crm/v3/objects/deals', deal);
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ category: 'CONFLICT' });
  });

  it('upserts by a unique idProperty: the second call updates the first deal', async () => {
    const e = await start();
    const upsert = (dealname: string) =>
      call(e, 'POST', '/crm/v3/objects/deals/batch/upsert', {
        inputs: [
          { idProperty: 'mql_handoff_key', id: 'k2', properties: { dealname, dealstage: 'appointmentscheduled' } },
        ],
      });
    const a = (await (await upsert('first')).json()) as { results: { id: string; new: boolean }[] };
    const b = (await (await upsert('second')).json()) as { results: { id: string; new: boolean }[] };
    expect(a.results[0]).toMatchObject({ new: true });
    expect(b.results[0]).toMatchObject({ id: a.results[0]!.id, new: false });
    expect(e.store.all('deals').filter((d) => d.properties.mql_handoff_key === 'k2')).toHaveLength(1);
  });

  it('computes hs_is_closed from the pipeline stage and refuses a stage the pipeline lacks', async () => {
    const e = await start();
    expect(e.store.get('deals', DEMO_DEALS.globexClosedLost)!.properties.hs_is_closed).toBe('true');
    expect(e.store.get('deals', DEMO_DEALS.initrodeOpen)!.properties.hs_is_closed).toBe('false');
    const bad = await call(e, 'POST', '/crm/v3/objects/deals', { properties: { dealname: 'x', dealstage: 'nowhere' } });
    expect(bad.status).toBe(400);
  });

  it('closes a deal lost with the HubSpot-defined closed_lost_reason, checking the stage against its pipeline', async () => {
    const e = await start();
    const path = `/crm/v3/objects/deals/${DEMO_DEALS.initrodeOpen}`;
    const lost = await call(e, 'PATCH', path, {
      properties: { dealstage: 'closedlost', closed_lost_reason: 'No budget signal' },
    });
    expect(lost.status).toBe(200);
    expect(e.store.get('deals', DEMO_DEALS.initrodeOpen)!.properties).toMatchObject({
      hs_is_closed: 'true',
      hs_is_closed_won: 'false',
      closed_lost_reason: 'No budget signal',
    });
    const other = await call(e, 'PATCH', path, { properties: { dealstage: 'lost' } });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({
      category: 'VALIDATION_ERROR',
      errors: [{ code: 'INVALID_OPTION', context: { propertyName: ['dealstage'] } }],
    });
    const def = await call(e, 'GET', '/crm/v3/properties/deals/closed_lost_reason');
    expect(await def.json()).toMatchObject({ type: 'string', fieldType: 'textarea', hubspotDefined: true });
  });

  it('search does not see a write until the index catches up; reads by id or unique key do', async () => {
    let now = Date.parse('2030-06-03T10:00:00Z');
    const e = await start({ clock: () => new Date(now), searchIndexLagMs: 5_000 });
    const created = await call(e, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'fresh', dealstage: 'appointmentscheduled', mql_handoff_key: 'fresh-key' },
    });
    const id = ((await created.json()) as { id: string }).id;
    const search = async () =>
      (
        (await (
          await call(e, 'POST', '/crm/v3/objects/deals/search', {
            filterGroups: [{ filters: [{ propertyName: 'mql_handoff_key', operator: 'EQ', value: 'fresh-key' }] }],
          })
        ).json()) as { total: number }
      ).total;
    expect(await search()).toBe(0);
    expect((await call(e, 'GET', `/crm/v3/objects/deals/fresh-key?idProperty=mql_handoff_key`)).status).toBe(200);
    expect((await call(e, 'GET', `/crm/v3/objects/deals/${id}`)).status).toBe(200);
    now += 5_001;
    expect(await search()).toBe(1);
  });

  it('answers the events API with 403 for a portal without it', async () => {
    const e = await start({ eventsApi: false });
    const res = await call(e, 'GET', '/events/v3/events/?objectType=0-1&objectId=1001');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ category: 'MISSING_SCOPES' });
  });
});

describe('associations and paging', () => {
  it('labels the Primary association type, on the labelled PUT and when listing', async () => {
    const e = await start();
    const deal = `/crm/v4/objects/deals/${DEMO_DEALS.initrodeOpen}/associations`;
    const put = await call(e, 'PUT', `${deal}/companies/${DEMO_COMPANIES.initrode}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 5 },
    ]);
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ fromObjectTypeId: '0-3', toObjectTypeId: '0-2', labels: ['Primary'] });
    const listed = (await (await call(e, 'GET', `${deal}/companies`)).json()) as {
      results: { toObjectId: number; associationTypes: { typeId: number; label: string | null }[] }[];
    };
    expect(listed.results).toEqual([
      {
        toObjectId: Number(DEMO_COMPANIES.initrode),
        associationTypes: [
          { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
          { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
        ],
      },
    ]);
  });

  it('pages owners with an offset cursor until none remain', async () => {
    const e = await start();
    const page = async (after?: string) =>
      (await (await call(e, 'GET', `/crm/v3/owners?limit=4${after ? `&after=${after}` : ''}`)).json()) as {
        results: { id: string }[];
        paging?: { next: { after: string } };
      };
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const p = await page(after);
      ids.push(...p.results.map((o) => o.id));
      after = p.paging?.next.after;
    } while (after);
    expect(ids).toEqual(e.store.owners.map((o) => o.id));
    expect(ids).toHaveLength(10);
    expect((await page()).paging).toEqual({ next: { after: '4' } });
    expect((await page('8')).paging).toBeUndefined();
  });
});

describe('seed and state', () => {
  it('seeds the org of the configuration: owners, lists, pipeline, custom properties', async () => {
    const e = await start();
    const ownerIds = config.teams.flatMap((t) => t.reps.map((r) => r.crmOwnerIds.hubspot));
    expect(e.store.owners.map((o) => o.id).sort()).toEqual([...ownerIds].sort());
    expect(e.store.owners.find((o) => o.id === '71000008')).toMatchObject({
      email: 'hugo.laurent@acme-analytics.example',
      firstName: 'Hugo',
      lastName: 'Laurent',
    });
    expect([...e.store.lists.keys()].sort()).toEqual(['101', '102', '103', '104', '105']);
    expect(e.store.pipelines.get('default')!.stages.map((s) => s.id)).toEqual(
      expect.arrayContaining(['appointmentscheduled', 'closedwon', 'closedlost']),
    );
    expect(e.store.propertyDefinition('deals', 'mql_handoff_key')?.hasUniqueValue).toBe(true);
    expect(
      e.store.propertyDefinition('contacts', 'mql_handoff_rejected_reason')?.options.map((o) => o.label),
    ).toContain('Timing not right');
  });

  it('seeds the demo contacts with their scenario data', async () => {
    const e = await start();
    expect(DEMO_CONTACTS.map((c) => c.id)).toEqual(['1001', '1002', '1003', '1004', '1005', '1006', '1007']);
    for (const c of DEMO_CONTACTS) expect(e.store.get('contacts', c.id)).toBeDefined();
    expect(e.store.associations('contacts', '1003', 'companies')).toEqual([]);
    expect(e.store.associations('contacts', '1001', 'companies')).toEqual([
      { toObjectId: DEMO_COMPANIES.globex, typeIds: [1, 279] },
    ]);
    expect(e.store.associations('companies', DEMO_COMPANIES.initrode, 'deals').map((a) => a.toObjectId)).toEqual([
      DEMO_DEALS.initrodeOpen,
    ]);
  });

  it("dates seeded activity from the portal's clock", async () => {
    const now = Date.parse('2031-02-14T12:00:00Z');
    const e = await start({ clock: () => new Date(now) });
    const demo = e.store.webEvents.find(
      (w) => w.objectId === '1001' && w.properties.hs_form_title === 'Request a demo',
    );
    const age = now - Date.parse(demo!.occurredAt);
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan(60 * 60_000);
  });

  it('starts empty of demo data with seed: false, keeping HubSpot built-ins', async () => {
    const e = await start({ seed: false });
    expect(e.store.all('contacts')).toEqual([]);
    expect(e.store.owners).toEqual([]);
    expect(e.store.propertyDefinition('contacts', 'mql_fit_score')).toBeUndefined();
    expect(e.store.propertyDefinition('contacts', 'lifecyclestage')).toBeDefined();
    expect(e.store.pipelines.has('default')).toBe(true);
  });

  it('keeps each instance separate and shows its state on GET /_sandbox/state', async () => {
    const a = await start();
    const b = await start();
    await call(a, 'PATCH', '/crm/v3/objects/contacts/1002', { properties: { hs_lead_status: 'OPEN' } });
    const stateA = (await (await call(a, 'GET', '/_sandbox/state', undefined, null)).json()) as {
      contacts: { id: string; properties: Record<string, string> }[];
    };
    const stateB = (await (await call(b, 'GET', '/_sandbox/state', undefined, null)).json()) as typeof stateA;
    expect(stateA.contacts.find((c) => c.id === '1002')!.properties.hs_lead_status).toBe('OPEN');
    expect(stateB.contacts.find((c) => c.id === '1002')!.properties.hs_lead_status).toBeUndefined();
  });

  it('POST /_sandbox/reset restores the seed', async () => {
    const e = await start();
    await call(e, 'PATCH', '/crm/v3/objects/contacts/1002', { properties: { hs_lead_status: 'OPEN' } });
    expect((await call(e, 'POST', '/_sandbox/reset', undefined, null)).status).toBe(200);
    expect(e.store.get('contacts', '1002')!.properties.hs_lead_status).toBeUndefined();
    expect(e.store.all('contacts')).toHaveLength(DEMO_CONTACTS.length);
  });
});
