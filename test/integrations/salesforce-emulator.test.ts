/**
 * The Salesforce emulator's wire format, over plain HTTP: what a real org answers, so the adapter tests mean
 * something. OAuth token endpoint, versions, sessions and limits, sObject CRUD and validation, upsert by external
 * id, SOQL, the custom-notification action, injected faults, sandbox state.
 */
import { createHmac } from 'node:crypto';
import { caseSafeSuffix } from '../../src/sandbox/salesforce/ids';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import {
  SANDBOX_INACTIVE_USER_ID,
  SANDBOX_INTEGRATION_USER_ID,
  SANDBOX_NURTURE_QUEUE_ID,
  SANDBOX_ORG_ID,
} from '../../src/sandbox/salesforce/seed';
import { ANA, config, FARID } from './crm-fixture';

let emu: SalesforceEmulator;
let token: string;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(method: string, path: string, body?: unknown, bearer: string | null = token): Promise<Answer> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function tokenRequest(form: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const v = '/services/data/v62.0';
const query = (soql: string) => call('GET', `${v}/query?q=${encodeURIComponent(soql)}`);
const newLead = (fields: Record<string, unknown> = {}) =>
  call('POST', `${v}/sobjects/Lead`, { LastName: 'Ito', Company: 'Initrode', ...fields });

beforeEach(async () => {
  emu = await startSalesforceEmulator({ config });
  const res = await tokenRequest({
    grant_type: 'refresh_token',
    client_id: emu.credentials.clientId,
    client_secret: emu.credentials.clientSecret,
    refresh_token: emu.credentials.refreshToken,
  });
  token = (res.body as { access_token: string }).access_token;
});
afterEach(async () => {
  await emu.close();
});

describe('OAuth token endpoint', () => {
  it.each([
    ['refresh_token', () => ({ refresh_token: emu.credentials.refreshToken })],
    ['password', () => ({ username: emu.credentials.username, password: emu.credentials.password })],
  ])('answers the %s grant with the real response shape and a verifiable signature', async (grant, extra) => {
    const res = await tokenRequest({
      grant_type: grant,
      client_id: emu.credentials.clientId,
      client_secret: emu.credentials.clientSecret,
      ...extra(),
    });
    expect(res.status).toBe(200);
    const body = res.body as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(
      ['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type'].sort(),
    );
    expect(body).toMatchObject({
      instance_url: emu.url,
      id: `${emu.url}/id/${SANDBOX_ORG_ID}/${SANDBOX_INTEGRATION_USER_ID}`,
      token_type: 'Bearer',
    });
    expect(body.access_token).toMatch(new RegExp(`^${SANDBOX_ORG_ID}!`));
    expect(body.issued_at).toMatch(/^\d{13}$/);
    const expected = createHmac('sha256', emu.credentials.clientSecret)
      .update(body.id! + body.issued_at)
      .digest('base64');
    expect(body.signature).toBe(expected);
  });

  it.each([
    [
      'an unsupported grant',
      { grant_type: 'client_credentials' },
      'unsupported_grant_type',
      'grant type not supported',
    ],
    [
      'an unknown client id',
      { grant_type: 'refresh_token', client_id: 'nope' },
      'invalid_client_id',
      'client identifier invalid',
    ],
    [
      'a wrong client secret',
      { grant_type: 'refresh_token', client_secret: 'nope' },
      'invalid_client',
      'invalid client credentials',
    ],
    [
      'an unknown refresh token',
      { grant_type: 'refresh_token', refresh_token: 'nope' },
      'invalid_grant',
      'expired access/refresh token',
    ],
    ['a wrong password', { grant_type: 'password', password: 'nope' }, 'invalid_grant', 'authentication failure'],
  ])('refuses %s with 400 {error, error_description}', async (_case, form, error, description) => {
    const res = await tokenRequest({
      client_id: emu.credentials.clientId,
      client_secret: emu.credentials.clientSecret,
      refresh_token: emu.credentials.refreshToken,
      username: emu.credentials.username,
      password: emu.credentials.password,
      ...form,
    });
    expect(res).toMatchObject({ status: 400, body: { error, error_description: description } });
  });
});

describe('versions, sessions and limits', () => {
  it('lists the API versions without a session', async () => {
    const res = await call('GET', '/services/data', undefined, null);
    expect(res.status).toBe(200);
    expect(res.body).toContainEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
    expect(res.body).toContainEqual({ label: "Summer '19", url: '/services/data/v46.0', version: '46.0' });
  });

  it.each([
    ['no session', null],
    ['an unknown session', '00D!forged'],
  ])('answers 401 INVALID_SESSION_ID with %s', async (_case, bearer) => {
    const res = await call('GET', `${v}/query?q=SELECT+Id+FROM+Lead`, undefined, bearer);
    expect(res).toMatchObject({
      status: 401,
      body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    });
  });

  it('expires sessions on demand and after their lifetime', async () => {
    expect((await query('SELECT Id FROM Lead')).status).toBe(200);
    emu.expireSessions();
    expect((await query('SELECT Id FROM Lead')).status).toBe(401);

    await emu.close();
    emu = await startSalesforceEmulator({ config, sessionTtlMs: 0 });
    const res = await tokenRequest({
      grant_type: 'refresh_token',
      client_id: emu.credentials.clientId,
      refresh_token: emu.credentials.refreshToken,
    });
    token = (res.body as { access_token: string }).access_token;
    expect((await query('SELECT Id FROM Lead')).status).toBe(401);
  });

  it('answers 404 NOT_FOUND for an API version it does not serve', async () => {
    const res = await call('GET', '/services/data/v30.0/query?q=SELECT+Id+FROM+Lead');
    expect(res).toMatchObject({ status: 404, body: [{ errorCode: 'NOT_FOUND' }] });
  });

  it('counts API calls in Sforce-Limit-Info and enforces the daily limit with 403 REQUEST_LIMIT_EXCEEDED', async () => {
    expect((await query('SELECT Id FROM Lead')).headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
    expect((await query('SELECT Id FROM Lead')).headers.get('sforce-limit-info')).toBe('api-usage=2/15000');
    emu.store.apiLimit = 2;
    const res = await query('SELECT Id FROM Lead');
    expect(res).toMatchObject({
      status: 403,
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    });
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=2/2');
  });
});

describe('record ids', () => {
  // Worked examples of Salesforce's CASESAFEID algorithm (15-character id → 3-character suffix).
  it.each([
    ['a0D30000001n7Pi', 'EAI'],
    ['0019000000B98de', 'AAB'],
    ['00190000000000a', 'AAA'],
  ])('the case-safe suffix of %s is %s', (id15, suffix) => {
    expect(caseSafeSuffix(id15)).toBe(suffix);
  });
});

describe('sObject rows', () => {
  it('creates a record: 201 {id, success, errors} with an 18-character id of the object’s key prefix', async () => {
    const res = await newLead({ OwnerId: ANA });
    expect(res.status).toBe(201);
    const { id } = res.body as { id: string };
    expect(res.body).toEqual({ id, success: true, errors: [] });
    expect(id).toMatch(/^00Q[A-Za-z0-9]{15}$/);
    expect(id.slice(15)).toBe(caseSafeSuffix(id.slice(0, 15)));
    expect(emu.store.get('Lead', id)).toMatchObject({ OwnerId: ANA, Status: 'Open - Not Contacted', Name: 'Ito' });
  });

  it('defaults the owner to the session user and computes formula fields', async () => {
    const { id } = (await call('POST', `${v}/sobjects/Task`, { Subject: 'Call', Status: 'Completed' })).body as {
      id: string;
    };
    expect(emu.store.get('Task', id)).toMatchObject({
      OwnerId: SANDBOX_INTEGRATION_USER_ID,
      IsClosed: true,
      Priority: 'Normal',
    });
  });

  it.each([
    [
      'a missing required field',
      'Lead',
      { Company: 'Initrode' },
      'REQUIRED_FIELD_MISSING',
      'Required fields are missing: [LastName]',
      ['LastName'],
    ],
    [
      'an unknown field',
      'Lead',
      { LastName: 'I', Company: 'C', Shoe_Size__c: 9 },
      'INVALID_FIELD',
      "No such column 'Shoe_Size__c' on sobject of type Lead",
      [],
    ],
    [
      'a read-only field',
      'Opportunity',
      { Name: 'x', StageName: 'Prospecting', CloseDate: '2030-01-01', IsClosed: true },
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'Unable to create/update fields: IsClosed. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
      ['IsClosed'],
    ],
    [
      'a bad restricted picklist value',
      'Task',
      { Status: 'Done' },
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      'Status: bad value for restricted picklist field: Done',
      ['Status'],
    ],
    [
      'a value too long',
      'Task',
      { Subject: 'x'.repeat(256) },
      'STRING_TOO_LONG',
      `Subject: data value too large: ${'x'.repeat(256)} (max length=255)`,
      ['Subject'],
    ],
    [
      'an invalid e-mail address',
      'Lead',
      { LastName: 'I', Company: 'C', Email: 'a@@b' },
      'INVALID_EMAIL_ADDRESS',
      'Email: invalid email address: a@@b',
      ['Email'],
    ],
    [
      'a malformed id',
      'Task',
      { OwnerId: 'ana' },
      'MALFORMED_ID',
      'Assigned To ID: id value of incorrect type: ana',
      ['OwnerId'],
    ],
    [
      'an id of the wrong object',
      'Task',
      { WhoId: FARID },
      'FIELD_INTEGRITY_EXCEPTION',
      `Name ID: id value of incorrect type: ${FARID}`,
      ['WhoId'],
    ],
    [
      'an id that does not exist',
      'Task',
      { OwnerId: '0055g00000NobodAAA' },
      'INVALID_CROSS_REFERENCE_KEY',
      'invalid cross reference id',
      ['OwnerId'],
    ],
    [
      'an inactive owner',
      'Task',
      { OwnerId: SANDBOX_INACTIVE_USER_ID },
      'INACTIVE_OWNER_OR_USER',
      `operation performed with inactive user [${SANDBOX_INACTIVE_USER_ID}] as owner of task`,
      [],
    ],
    [
      'a malformed date',
      'Task',
      { ActivityDate: '03/02/2026' },
      'JSON_PARSER_ERROR',
      'Cannot deserialize instance of date from VALUE_STRING value 03/02/2026 or request may be missing a required field',
      [],
    ],
  ])(
    'refuses %s with 400 [{message, errorCode, fields}]',
    async (_case, type, fields, errorCode, message, errorFields) => {
      const res = await call('POST', `${v}/sobjects/${type}`, fields);
      expect(res).toMatchObject({ status: 400, body: [{ message, errorCode, fields: errorFields }] });
    },
  );

  it('reports every field problem of a write at once', async () => {
    const res = await call('POST', `${v}/sobjects/Task`, { Status: 'Done', Priority: 'Urgent' });
    expect((res.body as { errorCode: string; fields: string[] }[]).map((e) => e.fields)).toEqual([
      ['Status'],
      ['Priority'],
    ]);
  });

  it('refuses a queue as owner of an object queues cannot own', async () => {
    const res = await call('POST', `${v}/sobjects/Task`, { OwnerId: SANDBOX_NURTURE_QUEUE_ID });
    expect(res).toMatchObject({ status: 400, body: [{ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['OwnerId'] }] });
  });

  it('reads, updates and deletes a record like the real API', async () => {
    const { id } = (await newLead()).body as { id: string };
    const read = await call('GET', `${v}/sobjects/Lead/${id}?fields=Id,LastName,ownerid`);
    expect(read.body).toEqual({
      attributes: { type: 'Lead', url: `${v}/sobjects/Lead/${id}` },
      Id: id,
      LastName: 'Ito',
      OwnerId: SANDBOX_INTEGRATION_USER_ID,
    });
    expect((await call('GET', `${v}/sobjects/Lead/${id.slice(0, 15)}`)).status).toBe(200);
    expect((await call('PATCH', `${v}/sobjects/Lead/${id}`, { OwnerId: ANA })).status).toBe(204);
    expect(emu.store.get('Lead', id)!.OwnerId).toBe(ANA);
    expect((await call('DELETE', `${v}/sobjects/Lead/${id}`)).status).toBe(204);
    expect(await call('GET', `${v}/sobjects/Lead/${id}`)).toMatchObject({
      status: 404,
      body: [{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' }],
    });
  });

  it.each([
    ['an unknown object', `${v}/sobjects/Widget__c/a005g0000000001AAA`, 'The requested resource does not exist'],
    ['an unknown id', `${v}/sobjects/Lead/00Q5g00000ZZZZZAAA`, 'The requested resource does not exist'],
    [
      'a malformed id',
      `${v}/sobjects/Lead/not-an-id`,
      'Provided external ID field does not exist or is not accessible: not-an-id',
    ],
  ])('answers 404 NOT_FOUND for %s', async (_case, path, message) => {
    expect(await call('GET', path)).toMatchObject({ status: 404, body: [{ errorCode: 'NOT_FOUND', message }] });
  });
});

describe('upsert and read by external id', () => {
  const upsert = (value: string, fields: Record<string, unknown>) =>
    call('PATCH', `${v}/sobjects/Lead/HubSpot_Contact_Id__c/${value}`, fields);

  it('creates with 201 {created: true}, then updates with 200 {created: false}', async () => {
    const created = await upsert('5001', { LastName: 'Ito', Company: 'Initrode', OwnerId: ANA });
    const { id } = created.body as { id: string };
    expect(created).toMatchObject({ status: 201, body: { id, success: true, errors: [], created: true } });
    expect(emu.store.get('Lead', id)!.HubSpot_Contact_Id__c).toBe('5001');

    const updated = await upsert('5001', { OwnerId: FARID });
    expect(updated).toMatchObject({ status: 200, body: { id, success: true, errors: [], created: false } });
    expect(emu.store.records('Lead')).toEqual([expect.objectContaining({ Id: id, OwnerId: FARID, LastName: 'Ito' })]);
  });

  it('reads by external id, case-insensitively', async () => {
    await call('PATCH', `${v}/sobjects/Opportunity/Handoff_Key__c/Key-A`, {
      Name: 'x',
      StageName: 'Prospecting',
      CloseDate: '2030-01-01',
    });
    const res = await call('GET', `${v}/sobjects/Opportunity/Handoff_Key__c/key-a?fields=Id,Handoff_Key__c`);
    expect(res).toMatchObject({ status: 200, body: { Handoff_Key__c: 'Key-A' } });
  });

  it('refuses a field that is not an external id', async () => {
    expect(await call('PATCH', `${v}/sobjects/Lead/Email/a@b.example`, { LastName: 'x' })).toMatchObject({
      status: 404,
      body: [
        { errorCode: 'NOT_FOUND', message: 'Provided external ID field does not exist or is not accessible: Email' },
      ],
    });
  });

  it('refuses a duplicate value in a unique external id', async () => {
    await upsert('5001', { LastName: 'Ito', Company: 'Initrode' });
    const res = await newLead({ HubSpot_Contact_Id__c: '5001' });
    expect(res).toMatchObject({ status: 400, body: [{ errorCode: 'DUPLICATE_VALUE' }] });
    expect((res.body as { message: string }[])[0]!.message).toMatch(
      /^duplicate value found: HubSpot_Contact_Id__c duplicates value on record with id: 00Q/,
    );
  });

  it('answers 300 with the matching records when a non-unique external id matches several', async () => {
    const a = (await call('POST', `${v}/sobjects/Contact`, { LastName: 'A', HubSpot_Contact_Id__c: '42' })).body as {
      id: string;
    };
    const b = (await call('POST', `${v}/sobjects/Contact`, { LastName: 'B', HubSpot_Contact_Id__c: '42' })).body as {
      id: string;
    };
    const urls = [`${v}/sobjects/Contact/${a.id}`, `${v}/sobjects/Contact/${b.id}`];
    expect(await call('GET', `${v}/sobjects/Contact/HubSpot_Contact_Id__c/42`)).toMatchObject({
      status: 300,
      body: urls,
    });
    expect(await call('PATCH', `${v}/sobjects/Contact/HubSpot_Contact_Id__c/42`, { LastName: 'C' })).toMatchObject({
      status: 300,
      body: urls,
    });
  });
});

/**
 * The emulator parses only the SOQL the adapters send (src/activities/salesforce: matchingAccounts and findOpenDeal
 * in sales-crm.ts, findSalesRecord and idByKey in records.ts); each case below names the adapter query it stands
 * for. Anything else is refused with MALFORMED_QUERY.
 */
describe('SOQL', () => {
  beforeEach(() => {
    for (const [name, website] of [
      ['Acme', 'acme.example'],
      ['acme labs', 'https://labs.acme.example'],
      ['Hooli', null],
      ['100%_Pure', 'pure.example'],
      ['100XYPure', 'xy.example'],
    ] as const) {
      emu.store.seed('Account', { Name: name, Website: website });
    }
  });
  const names = async (soql: string) => {
    const res = await query(soql);
    expect(res.status).toBe(200);
    return (res.body as { records: { Name: string }[] }).records.map((r) => r.Name);
  };

  it('answers the query envelope with attributes per record, only the selected fields', async () => {
    const res = await query("SELECT Id, Name FROM Account WHERE Name = 'Hooli'");
    const id = emu.store.records('Account').find((a) => a.Name === 'Hooli')!.Id;
    expect(res.body).toEqual({
      totalSize: 1,
      done: true,
      records: [{ attributes: { type: 'Account', url: `${v}/sobjects/Account/${id}` }, Id: id, Name: 'Hooli' }],
    });
  });

  it.each([
    [
      'matchingAccounts: LIKE contains OR Name =, oldest first',
      "SELECT Id, Name, Website FROM Account WHERE Website LIKE '%acme.example%' OR Name = 'hooli' ORDER BY CreatedDate ASC LIMIT 200",
      ['Acme', 'acme labs', 'Hooli'],
    ],
    [
      'matchingAccounts by name: keywords, field names and text compare case-insensitively',
      "select id, NAME from account where name = 'ACME' order by createddate asc limit 200",
      ['Acme'],
    ],
    [
      'soqlContains: escaped \\% and \\_ are literal',
      "SELECT Name FROM Account WHERE Name LIKE '%100\\%\\_pure%'",
      ['100%_Pure'],
    ],
    [
      'soqlContains: what the escaping prevents (_ and % are wildcards)',
      "SELECT Name FROM Account WHERE Name LIKE '%100__pure%'",
      ['100%_Pure', '100XYPure'],
    ],
    [
      'IN on text; ORDER BY ascending puts nulls first',
      "SELECT Name FROM Account WHERE Name IN ('Hooli', 'acme', '100XYPure') ORDER BY Website",
      ['Hooli', 'Acme', '100XYPure'],
    ],
    [
      'ORDER BY DESC puts nulls last',
      "SELECT Name FROM Account WHERE Name IN ('Hooli', 'acme', '100XYPure') ORDER BY Website DESC",
      ['100XYPure', 'Acme', 'Hooli'],
    ],
  ])('%s', async (_case, soql, expected) => {
    expect(await names(soql)).toEqual(expected);
  });

  it('findOpenDeal: IsClosed = false AND AccountId IN (ids in 15 or 18 characters) … LIMIT 1', async () => {
    const account = (name: string) => emu.store.records('Account').find((a) => a.Name === name)!.Id;
    const accounts = `'${account('Initrode').slice(0, 15)}', '${account('Globex')}'`;
    const res = await query(
      `SELECT Id, Name, OwnerId FROM Opportunity WHERE IsClosed = false AND AccountId IN (${accounts}) ORDER BY CreatedDate DESC LIMIT 1`,
    );
    expect(res.body).toMatchObject({
      totalSize: 1,
      records: [{ Name: 'Initrode — Analytics Platform', OwnerId: FARID }],
    });
    const all = await query(`SELECT Name FROM Opportunity WHERE AccountId IN (${accounts}) LIMIT 1`);
    expect(all.body).toMatchObject({ totalSize: 1 });
    const both = await query(`SELECT Name FROM Opportunity WHERE AccountId IN (${accounts})`);
    expect(both.body).toMatchObject({ totalSize: 2 });
  });

  it('idByKey / findSalesRecord: key field = value LIMIT 1', async () => {
    const id = emu.store.seed('Lead', { LastName: 'Ito', Company: 'Initrode', HubSpot_Contact_Id__c: '5001' });
    const res = await query("SELECT Id FROM Lead WHERE HubSpot_Contact_Id__c = '5001' LIMIT 1");
    expect(res.body).toMatchObject({ totalSize: 1, records: [{ Id: id }] });
  });

  it.each([
    [
      'SELECT Id FROM Account WHERE',
      'MALFORMED_QUERY',
      '\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: <EOF>',
    ],
    ["SELECT Id FROM Account WHERE Name = 'x' 'y'", 'MALFORMED_QUERY', "unexpected token: ''y''"],
    ["SELECT Id FROM Account WHERE Name = 'unterminated", 'MALFORMED_QUERY', 'unterminated string literal'],
    [
      "SELECT Id FROM Account WHERE Name = 'a\\qb'",
      'MALFORMED_QUERY',
      "Illegal character sequence '\\q' in string literal.",
    ],
    ['SELECT Id FROM Account WHERE Name = x', 'MALFORMED_QUERY', "unexpected token: 'x'"],
    ['SELECT Id, Shoe_Size__c FROM Account', 'INVALID_FIELD', "No such column 'Shoe_Size__c' on entity 'Account'."],
    ['SELECT Id FROM Widget__c', 'INVALID_TYPE', "sObject type 'Widget__c' is not supported."],
    [
      "SELECT Id FROM Opportunity WHERE IsClosed = 'false'",
      'INVALID_QUERY_FILTER_OPERATOR',
      "value of filter criterion for field 'IsClosed' must be of type boolean and should not be enclosed in quotes",
    ],
    [
      'SELECT Id FROM Account WHERE Name = true',
      'INVALID_QUERY_FILTER_OPERATOR',
      "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    ],
    [
      "SELECT Id FROM Account WHERE NumberOfEmployees = '50'",
      'INVALID_QUERY_FILTER_OPERATOR',
      "value of filter criterion for field 'NumberOfEmployees' must be of type int and should not be enclosed in quotes",
    ],
    [
      "SELECT Id FROM Task WHERE Description = 'x'",
      'INVALID_FIELD',
      "field 'Description' can not be filtered in a query call",
    ],
    [
      'SELECT Id FROM Task ORDER BY Description',
      'INVALID_FIELD',
      "field 'Description' can not be sorted in a query call",
    ],
    [
      "SELECT Id FROM Account WHERE CreatedDate LIKE '2026%'",
      'INVALID_QUERY_FILTER_OPERATOR',
      'invalid operator on datetime field: LIKE',
    ],
  ])('refuses %s with 400 %s', async (soql, errorCode, message) => {
    const res = await query(soql);
    expect(res.status).toBe(400);
    const [error] = res.body as { errorCode: string; message: string }[];
    expect(error!.errorCode).toBe(errorCode);
    expect(error!.message).toContain(message);
  });

  /** [query, the text the error points at, the explanation]; the column is where that text first occurs. */
  it.each([
    ['aggregate', 'SELECT COUNT() FROM Account', '('],
    ['aggregate with GROUP BY', 'SELECT Name, COUNT(Id) FROM Account GROUP BY Name', '('],
    ['FIELDS()', 'SELECT FIELDS(STANDARD) FROM Account LIMIT 200', '('],
    ['subquery', 'SELECT Id, (SELECT Id FROM Contacts) FROM Account', '('],
    ['relationship field', 'SELECT Owner.Name FROM Account', 'Owner.Name'],
    ['!=', "SELECT Id FROM Account WHERE Name != 'Acme'", '!='],
    ['<>', "SELECT Id FROM Account WHERE Name <> 'Acme'", '<>'],
    ['>= and numbers', 'SELECT Id FROM Account WHERE NumberOfEmployees >= 500', '>='],
    ['number literal', 'SELECT Id FROM Account WHERE NumberOfEmployees = 500', '500'],
    ['date literal', 'SELECT Id FROM Opportunity WHERE CloseDate = 2030-01-01', '2030-01-01'],
    ['date-time literal', 'SELECT Id FROM Account WHERE CreatedDate = 2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['date function literal', 'SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:7', 'LAST_N_DAYS:7'],
    ['null', 'SELECT Id FROM Account WHERE Website = null', 'null'],
    ['NOT', "SELECT Id FROM Account WHERE NOT Name = 'Acme'", 'NOT'],
    ['NOT IN', "SELECT Id FROM Account WHERE Name NOT IN ('Acme')", 'NOT'],
    ['parentheses', "SELECT Id FROM Account WHERE (Name = 'Acme' OR Name = 'Hooli')", '('],
    [
      'AND and OR mixed (Salesforce refuses it too)',
      "SELECT Id FROM Account WHERE Name = 'Hooli' OR Name = 'Acme' AND Website = 'acme.example'",
      'AND',
    ],
    ['several ORDER BY fields', 'SELECT Id FROM Account ORDER BY Name, CreatedDate', ','],
    ['NULLS LAST', 'SELECT Id FROM Account ORDER BY Name NULLS LAST', 'NULLS'],
    ['OFFSET', 'SELECT Id FROM Account LIMIT 10 OFFSET 5', 'OFFSET'],
    ['FOR UPDATE', 'SELECT Id FROM Account LIMIT 1 FOR UPDATE', 'FOR'],
    ['WITH', 'SELECT Id FROM Account WITH SECURITY_ENFORCED', 'WITH'],
    ['bind variable', 'SELECT Id FROM Account WHERE Name IN :names', ':names'],
  ])('answers %s with 400 MALFORMED_QUERY in the documented envelope', async (_case, soql, at) => {
    const res = await query(soql);
    expect(res.status).toBe(400);
    const column = soql.indexOf(at) + 1;
    expect(res.body).toEqual([
      {
        errorCode: 'MALFORMED_QUERY',
        message: `\n${soql}\n${' '.repeat(column - 1)}^\nERROR at Row:1:Column:${column}\nunexpected token: '${at}'`,
      },
    ]);
  });

  it('refuses escapes soqlString never writes (\\u) with MALFORMED_QUERY', async () => {
    const res = await query("SELECT Id FROM Account WHERE Name = 'caf\\u00e9'");
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        errorCode: 'MALFORMED_QUERY',
        message: expect.stringMatching(
          /ERROR at Row:1:Column:41\nInvalid string literal ''caf\\u'\. Illegal character sequence '\\u' in string literal\.$/,
        ),
      },
    ]);
  });
});

describe('customNotificationAction', () => {
  const notify = (input: Record<string, unknown>) =>
    call('POST', `${v}/actions/standard/customNotificationAction`, {
      inputs: [
        {
          customNotifTypeId: config.salesforce.notificationTypeId,
          recipientIds: [ANA],
          title: 'T',
          body: 'B',
          targetId: FARID,
          ...input,
        },
      ],
    });

  it('sends and answers the invocable-action result array', async () => {
    const res = await notify({});
    expect(res).toMatchObject({
      status: 200,
      body: [
        {
          actionName: 'customNotificationAction',
          errors: null,
          isSuccess: true,
          outputValues: { SuccessMessage: 'Your custom notification is processed successfully.' },
        },
      ],
    });
    expect(emu.store.notifications).toEqual([
      expect.objectContaining({
        recipientIds: [ANA],
        title: 'T',
        body: 'B',
        targetId: FARID,
        senderId: SANDBOX_INTEGRATION_USER_ID,
      }),
    ]);
  });

  it('delivers to active users only, as Salesforce does', async () => {
    await notify({ recipientIds: [ANA, SANDBOX_INACTIVE_USER_ID] });
    expect(emu.store.notifications[0]!.recipientIds).toEqual([ANA]);
  });

  it.each([
    [
      'an unknown type',
      { customNotifTypeId: '0MLxx0000009ZZZZZZ' },
      'INVALID_CROSS_REFERENCE_KEY',
      ['customNotifTypeId'],
    ],
    ['no recipients', { recipientIds: [] }, 'REQUIRED_FIELD_MISSING', ['recipientIds']],
    ['a title over 250 characters', { title: 't'.repeat(251) }, 'STRING_TOO_LONG', ['title']],
    ['no target', { targetId: undefined }, 'REQUIRED_FIELD_MISSING', ['targetId']],
  ])('refuses %s with 400 and a failed result', async (_case, input, statusCode, fields) => {
    const res = await notify(input);
    expect(res).toMatchObject({
      status: 400,
      body: [
        {
          actionName: 'customNotificationAction',
          isSuccess: false,
          outputValues: null,
          errors: [{ statusCode, fields }],
        },
      ],
    });
    expect(emu.store.notifications).toHaveLength(0);
  });

  it('answers 404 for an action it does not know', async () => {
    expect((await call('POST', `${v}/actions/standard/emailSimple`, { inputs: [{}] })).status).toBe(404);
  });
});

describe("the handoff's custom fields (the setup guide's)", () => {
  it('stores the rejection reason as a restricted picklist of reason ids, and the SQL date as a date/time', async () => {
    const created = await newLead({
      Handoff_Rejection_Reason__c: 'timing_not_right',
      SQL_Date__c: '2026-03-02T15:04:05Z',
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(emu.store.get('Lead', id)).toMatchObject({
      Handoff_Rejection_Reason__c: 'timing_not_right',
      SQL_Date__c: '2026-03-02T15:04:05.000+0000',
    });
    const byLabel = await call('PATCH', `${v}/sobjects/Lead/${id}`, {
      Handoff_Rejection_Reason__c: 'Timing not right',
    });
    expect(byLabel).toMatchObject({
      status: 400,
      body: [
        {
          errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          fields: ['Handoff_Rejection_Reason__c'],
          message: 'Handoff Rejection Reason: bad value for restricted picklist field: Timing not right',
        },
      ],
    });
  });

  it('has the loss reason on Opportunity, the reason fields on Contact, and no loss reason on Lead', async () => {
    const opp = await call('POST', `${v}/sobjects/Opportunity`, {
      Name: 'X',
      StageName: 'Closed Lost',
      CloseDate: '2026-03-02',
      Loss_Reason__c: 'no_budget_signal',
    });
    expect(opp.status).toBe(201);
    expect(emu.store.get('Opportunity', (opp.body as { id: string }).id)).toMatchObject({
      IsClosed: true,
      IsWon: false,
    });
    const contact = await call('POST', `${v}/sobjects/Contact`, {
      LastName: 'Ito',
      Handoff_Rejection_Reason__c: 'wrong_title',
      SQL_Date__c: '2026-03-02T15:04:05Z',
    });
    expect(contact.status).toBe(201);
    expect((await newLead({ Loss_Reason__c: 'wrong_title' })).body).toEqual([
      { errorCode: 'INVALID_FIELD', message: "No such column 'Loss_Reason__c' on sobject of type Lead", fields: [] },
    ]);
  });

  it('refuses every update of a converted Lead with CANNOT_UPDATE_CONVERTED_LEAD', async () => {
    const id = (
      (await newLead({ HubSpot_Contact_Id__c: '5001', OwnerId: ANA })).body as {
        id: string;
      }
    ).id;
    emu.store.convertLead([{ leadId: id, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: 'true' }], ANA);
    for (const res of [
      await call('PATCH', `${v}/sobjects/Lead/${id}`, { Status: 'Working - Contacted' }),
      await call('PATCH', `${v}/sobjects/Lead/HubSpot_Contact_Id__c/5001`, { OwnerId: FARID }),
    ]) {
      expect(res).toMatchObject({
        status: 400,
        body: [{ errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead' }],
      });
    }
    const read = await query(`SELECT Id, IsConverted, ConvertedContactId FROM Lead WHERE Id = '${id}'`);
    expect((read.body as { records: Record<string, unknown>[] }).records[0]).toMatchObject({ IsConverted: true });
  });
});

describe('SOAP convertLead', () => {
  const soapUrl = () => `${emu.url}/services/Soap/u/62.0`;
  const envelope = (session: string, body: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header xmlns="urn:partner.soap.sforce.com"><SessionHeader><sessionId>${session}</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns="urn:partner.soap.sforce.com">${body}</soapenv:Body></soapenv:Envelope>`;
  const convert = (fields: string, session = token) =>
    fetch(soapUrl(), {
      method: 'POST',
      headers: { 'content-type': 'text/xml', soapaction: '""' },
      body: envelope(session, `<convertLead><leadConverts>${fields}</leadConverts></convertLead>`),
    });

  async function leadOfAna(): Promise<string> {
    return ((await newLead({ FirstName: 'Dana', Email: 'dana@initrode.example', OwnerId: ANA })).body as { id: string })
      .id;
  }

  it('converts into a new Account and Contact owned by the lead owner, answering the partner WSDL shape', async () => {
    const id = await leadOfAna();
    const res = await convert(
      `<leadId>${id}</leadId><convertedStatus>Closed - Converted</convertedStatus><doNotCreateOpportunity>true</doNotCreateOpportunity>`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const xml = await res.text();
    const lead = emu.store.get('Lead', id)!;
    expect(lead).toMatchObject({ IsConverted: true, Status: 'Closed - Converted', ConvertedOpportunityId: null });
    const account = emu.store.get('Account', lead.ConvertedAccountId as string)!;
    const contact = emu.store.get('Contact', lead.ConvertedContactId as string)!;
    expect(account).toMatchObject({ Name: 'Initrode', OwnerId: ANA });
    expect(contact).toMatchObject({ FirstName: 'Dana', LastName: 'Ito', AccountId: account.Id, OwnerId: ANA });
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><soapenv:Envelope /);
    expect(xml).toContain(
      `<soapenv:Body><convertLeadResponse><result><accountId>${account.Id}</accountId><contactId>${contact.Id}</contactId><leadId>${id}</leadId><opportunityId xsi:nil="true"/><success>true</success></result></convertLeadResponse></soapenv:Body>`,
    );
    expect(xml).toMatch(/<LimitInfoHeader><limitInfo><current>\d+<\/current><limit>15000<\/limit>/);
  });

  it('creates an Opportunity named after the company unless told not to', async () => {
    const id = await leadOfAna();
    await convert(`<leadId>${id}</leadId><convertedStatus>Closed - Converted</convertedStatus>`);
    const lead = emu.store.get('Lead', id)!;
    expect(emu.store.get('Opportunity', lead.ConvertedOpportunityId as string)).toMatchObject({
      Name: 'Initrode',
      AccountId: lead.ConvertedAccountId,
      OwnerId: ANA,
      IsClosed: false,
    });
  });

  it.each([
    ['an open status', 'Working - Contacted', 'INVALID_STATUS'],
    ['no status', '', 'INVALID_STATUS'],
  ])('answers success false (HTTP 200) for %s, converting nothing', async (_case, status, code) => {
    const id = await leadOfAna();
    const res = await convert(`<leadId>${id}</leadId><convertedStatus>${status}</convertedStatus>`);
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain(
      `<errors><fields>convertedStatus</fields><message>invalid convertedStatus: ${status}</message>`,
    );
    expect(xml).toContain(`<statusCode>${code}</statusCode></errors>`);
    expect(xml).toContain('<success>false</success>');
    expect(emu.store.get('Lead', id)!.IsConverted).toBe(false);
    expect(emu.store.records('Contact')).toHaveLength(0);
  });

  it('refuses to convert a Lead twice', async () => {
    const id = await leadOfAna();
    const fields = `<leadId>${id}</leadId><convertedStatus>Closed - Converted</convertedStatus>`;
    await convert(fields);
    expect(await (await convert(fields)).text()).toContain('<statusCode>CANNOT_UPDATE_CONVERTED_LEAD</statusCode>');
    expect(emu.store.records('Contact')).toHaveLength(1);
  });

  it('answers an invalid session with the SOAP fault jsforce refreshes on (HTTP 500, sf:INVALID_SESSION_ID)', async () => {
    const res = await convert('<leadId>00Q5g0000000001AAA</leadId>', 'not-a-session');
    expect(res.status).toBe(500);
    const xml = await res.text();
    expect(xml).toContain('<faultcode>sf:INVALID_SESSION_ID</faultcode>');
    expect(xml).toContain('<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>');
  });

  it('answers an operation it does not serve, and a body that is not SOAP, with client faults', async () => {
    const other = await fetch(soapUrl(), {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: envelope(token, '<merge><request/></merge>'),
    });
    expect(other.status).toBe(500);
    expect(await other.text()).toContain('<faultcode>soapenv:Client</faultcode>');
    const junk = await fetch(soapUrl(), { method: 'POST', headers: { 'content-type': 'text/xml' }, body: 'hello' });
    expect(junk.status).toBe(500);
    expect(await junk.text()).toContain('<faultcode>soapenv:Client</faultcode>');
  });

  it('counts against the daily API limit, answering REQUEST_LIMIT_EXCEEDED as a fault', async () => {
    emu.store.apiUsage = emu.store.apiLimit;
    const res = await convert('<leadId>00Q5g0000000001AAA</leadId>');
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('<faultcode>sf:REQUEST_LIMIT_EXCEEDED</faultcode>');
  });
});

describe('faults, state, seed', () => {
  it('words an injected rate limit and server errors as Salesforce does', async () => {
    emu.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 9 });
    const limited = await query('SELECT Id FROM Lead');
    expect(limited).toMatchObject({ status: 429, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }] });
    expect(limited.headers.get('retry-after')).toBe('9');

    emu.faults.inject({ kind: 'server_error', status: 503 });
    expect(await query('SELECT Id FROM Lead')).toMatchObject({
      status: 503,
      body: [{ errorCode: 'SERVER_UNAVAILABLE' }],
    });
    emu.faults.inject({ kind: 'server_error' });
    expect(await query('SELECT Id FROM Lead')).toMatchObject({
      status: 500,
      body: [{ errorCode: 'UNKNOWN_EXCEPTION' }],
    });
  });

  it('seeds the demo org from the configuration', () => {
    const users = emu.store.records('User');
    for (const team of config.teams) {
      for (const rep of team.reps) {
        expect(users).toContainEqual(
          expect.objectContaining({ Id: rep.crmOwnerIds.salesforce, Email: rep.email, IsActive: true }),
        );
      }
    }
    const initrode = emu.store.records('Account').find((a) => a.Name === 'Initrode')!;
    expect(initrode.Website).toBe('https://www.initrode.example');
    expect(emu.store.records('Opportunity')).toContainEqual(
      expect.objectContaining({ AccountId: initrode.Id, OwnerId: FARID, IsClosed: false }),
    );
    expect(emu.store.get('CustomNotificationType', config.salesforce.notificationTypeId!)).toBeDefined();
    expect(emu.store.get('Group', SANDBOX_NURTURE_QUEUE_ID)).toMatchObject({
      Name: 'Marketing Nurture',
      Type: 'Queue',
    });
  });

  it('shows its state on GET /_sandbox/state and re-seeds on reset', async () => {
    const { id } = (await newLead()).body as { id: string };
    const state = (await call('GET', '/_sandbox/state', undefined, null)).body as {
      Lead: { Id: string }[];
      apiUsage: number;
    };
    expect(state.Lead.map((l) => l.Id)).toEqual([id]);
    expect(state.apiUsage).toBe(1);

    await call('POST', '/_sandbox/reset', {}, null);
    expect(emu.store.records('Lead')).toHaveLength(0);
    expect(emu.store.records('Account').map((a) => a.Name)).toEqual(['Initrode', 'Globex']);
  });

  it('keeps each instance’s state its own', async () => {
    const other = await startSalesforceEmulator({ config, seed: false });
    try {
      await newLead();
      expect(emu.store.records('Lead')).toHaveLength(1);
      expect(other.store.records('Lead')).toHaveLength(0);
      expect(other.store.records('User')).toHaveLength(0);
      expect(other.credentials.refreshToken).not.toBe(emu.credentials.refreshToken);
    } finally {
      await other.close();
    }
  });
});
