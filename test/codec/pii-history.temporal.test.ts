/**
 * Lead PII is not readable from Temporal: a handoff runs end to end on the dev server with the payload codec on (as
 * in production), then its history and description are read raw from the server — what `temporal workflow show`,
 * anyone with read access to the cluster, or a database backup gets — and the lead's name, email, phone and company
 * are nowhere in the bytes. A control run without keys shows the probe finds them when they are there.
 *
 * Then the same history through the codec server, the way the Temporal UI asks for it (preflight from its origin,
 * POST /decode with X-Namespace), and through `temporal workflow show --codec-endpoint --codec-auth`: decoded.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn } from 'node:child_process';
import { createCodecServer, type CodecServer } from '../../src/codec/codec-server';
import { handoffDataConverter } from '../../src/codec/data-converter';
import { EncryptionCodec } from '../../src/codec/encryption-codec';
import { parseCodecKeys } from '../../src/config/codec-keys';
import { resolveDevServer } from '../../src/temporal/binaries';
import {
  acceptUpdate,
  repActivitySignal,
  SEARCH_ATTRIBUTE_DEFINITIONS,
  statusQuery,
  teamRosterWorkflowId,
} from '../../src/workflows/definitions';
import { devServerEnv, sharedServers } from '../harness/temporal';
import { TEST_CODEC_KEY_ID, TEST_CODEC_KEYS } from '../support/codec';
import { eventually } from '../support/eventually';
import { cleanUpHandoffs, handoffFixture } from '../support/handoff-fixture';
import { demoRequestLead } from '../support/leads';
import { occurring, payloadsIn, rawDescriptionBytes, rawHistory } from '../support/raw-history';
import { closeAll } from '../support/close-all';

/** A lead whose PII is distinctive enough that a chance match in ciphertext is out of the question. */
function probeLead() {
  const lead = demoRequestLead({
    email: 'zephyrine.quillfeather@pii-probe.example',
    firstName: 'Zephyrine',
    lastName: 'Quillfeather',
    phone: '+1 415 555 0199',
    jobTitle: 'Chief Zeppelin Officer',
    marketingNotes: ['Zephyrine asked about SSO on the demo form'],
  });
  lead.company = { ...lead.company!, name: 'Quillfeather Holdings', domain: 'quillfeather-holdings.example' };
  return lead;
}
const PII = [
  'zephyrine.quillfeather@pii-probe.example',
  'Zephyrine',
  'Quillfeather',
  '415 555 0199',
  'Zeppelin',
  'quillfeather-holdings.example',
];

const UI = 'http://localhost:8233';
const TOKEN = 'pii-test-codec-token-0123';

let env: TestWorkflowEnvironment;
let plainEnv: TestWorkflowEnvironment;
let codecServer: CodecServer;
let codecUrl: string;
beforeAll(async () => {
  env = await devServerEnv();
  // The control: the codec with no key writes plain text (what history looked like before the codec).
  plainEnv = await devServerEnv({ dataConverter: handoffDataConverter([]) });
  codecServer = createCodecServer({
    codec: new EncryptionCodec(parseCodecKeys(TEST_CODEC_KEYS)),
    settings: { corsOrigins: [UI], authToken: TOKEN, namespace: env.namespace ?? 'default' },
    log: () => undefined,
  });
  codecUrl = await codecServer.listen(0, '127.0.0.1');
});
afterEach(cleanUpHandoffs);
afterAll(() =>
  closeAll(
    () => codecServer?.close(),
    () => plainEnv?.teardown(),
    () => env?.teardown(),
  ),
);

const namespace = () => env.namespace ?? 'default';

/** Runs the lead to accepted: CRM reads, brief, DM, first touch, the accept update, the result. */
async function runToAccepted(e: TestWorkflowEnvironment, opts: Parameters<typeof handoffFixture>[1] = {}) {
  const fx = await handoffFixture(e, opts);
  const lead = probeLead();
  let searchAttributes: Record<string, unknown[]> = {};
  const workflowId = await fx.worker.runUntil(async () => {
    const handle = await fx.start(lead);
    await eventually(
      () => handle.query(statusQuery),
      (s) => s.stage === 'awaiting_first_touch',
      'assignment',
    );
    searchAttributes = (await handle.describe()).searchAttributes as Record<string, unknown[]>;
    await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot' });
    await eventually(
      () => handle.query(statusQuery),
      (s) => s.stage === 'awaiting_decision',
      'first touch',
    );
    await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana', note: 'Zephyrine is keen' }] });
    expect((await handle.result()).outcome).toBe('accepted');
    return handle.workflowId;
  });
  const rosterId = teamRosterWorkflowId('sdr-inbound', fx.rosterScope);
  return { workflowId, rosterId, searchAttributes, contactId: lead.contactId };
}

let encrypted: Awaited<ReturnType<typeof runToAccepted>>;
beforeAll(async () => {
  encrypted = await runToAccepted(env);
});

test('the raw history and description on the dev server hold no name, email, phone or company of the lead', async () => {
  const { history, bytes } = await rawHistory(env.connection, namespace(), encrypted.workflowId);
  expect(history.events!.length).toBeGreaterThan(20);
  expect(occurring(bytes, PII)).toEqual([]);
  expect(occurring(await rawDescriptionBytes(env.connection, namespace(), encrypted.workflowId), PII)).toEqual([]);
  const roster = await rawHistory(env.connection, namespace(), encrypted.rosterId);
  expect(occurring(roster.bytes, PII)).toEqual([]);

  // Every payload is encrypted under the test key, except those no codec sees: search attributes, headers, and
  // the SDK's own markers (patch ids).
  const payloads = payloadsIn(history);
  const coded = payloads.filter((p) => !/searchAttributes|header|markerRecordedEventAttributes/.test(p.path));
  expect(coded.length).toBeGreaterThan(20);
  expect(coded.filter((p) => p.encoding !== 'binary/encrypted' || p.keyId !== TEST_CODEC_KEY_ID)).toEqual([]);
  // Failure messages are encoded too (none here is expected to carry PII, but a CRM error could).
  expect(JSON.stringify(history.toJSON())).not.toMatch(/"message":"(?!Encoded failure")/);
});

test('the search attributes carry stage, rep id, team, dates and codes only', async () => {
  const known = new Set([...SEARCH_ATTRIBUTE_DEFINITIONS.map((d) => d.name), 'BuildIds', 'TemporalChangeVersion']);
  const final = (await env.client.workflow.getHandle(encrypted.workflowId).describe()).searchAttributes;
  for (const attrs of [encrypted.searchAttributes, final as Record<string, unknown[]>]) {
    for (const [name, values] of Object.entries(attrs)) {
      expect(known).toContain(name);
      for (const v of values) {
        if (v instanceof Date) continue;
        expect(String(v)).toMatch(/^[a-z0-9_.:@+/-]+$/i);
        expect(occurring(Buffer.from(String(v)), PII)).toEqual([]);
      }
    }
  }
  expect(encrypted.searchAttributes).toMatchObject({
    LeadStage: ['awaiting_first_touch'],
    AssignedRep: ['rep-ana'],
    Team: ['sdr-inbound'],
    SlaDueAt: [expect.any(Date)],
  });
  expect(final).toMatchObject({ LeadStage: ['accepted'], FirstTouchAt: [expect.any(Date)] });
});

test('control: the same lead without a key leaves its PII readable in history (the probe sees it when it is there)', async () => {
  const plain = await runToAccepted(plainEnv, { dataConverter: handoffDataConverter([]) });
  const { bytes } = await rawHistory(env.connection, namespace(), plain.workflowId);
  expect(occurring(bytes, PII)).toEqual(PII);
});

test('the Temporal UI decodes the history through the codec server: preflight, then POST /decode as the UI sends it', async () => {
  const { history } = await rawHistory(env.connection, namespace(), encrypted.workflowId);
  const payloads = payloadsIn(history)
    .filter((p) => p.encoding === 'binary/encrypted')
    .map((p) => p.json);

  const preflight = await fetch(`${codecUrl}/decode`, {
    method: 'OPTIONS',
    headers: {
      Origin: UI,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type,x-namespace',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
  expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase().split(', ').sort()).toEqual([
    'authorization',
    'content-type',
    'x-namespace',
  ]);

  const res = await fetch(`${codecUrl}/decode`, {
    method: 'POST',
    headers: {
      Origin: UI,
      'Content-Type': 'application/json',
      'X-Namespace': namespace(),
      Authorization: `Bearer ${TOKEN}`,
    },
    body: JSON.stringify({ payloads }),
  });
  if (res.status !== 200) throw new Error(await res.text());
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  const decoded = ((await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
  expect(decoded).toHaveLength(payloads.length);
  const encodings = new Set(decoded.map((p) => Buffer.from(p.metadata.encoding!, 'base64').toString()));
  expect([...encodings].filter((e) => e !== 'json/plain' && e !== 'binary/null')).toEqual([]);
  const text = decoded.map((p) => Buffer.from(p.data, 'base64').toString()).join('\n');
  expect(occurring(Buffer.from(text), PII)).toEqual(PII);
});

test('`temporal workflow show --codec-endpoint --codec-auth` prints the history decoded; without, it cannot', async () => {
  const { executable } = await resolveDevServer({ allowDownload: false });
  if (executable.type !== 'existing-path') throw new Error('the harness runs the Temporal CLI from a path');
  const show = (...extra: string[]) =>
    run(executable.path, [
      'workflow',
      'show',
      '--workflow-id',
      encrypted.workflowId,
      '--address',
      sharedServers().devServer.address,
      // No --namespace: the default one, for which the CLI sends an empty X-Namespace.
      '--output',
      'json',
      ...extra,
    ]);
  const withCodec = await show('--codec-endpoint', codecUrl, '--codec-auth', `Bearer ${TOKEN}`);
  if (withCodec.code !== 0) throw new Error(withCodec.err);
  // `--output json` prints the history as protobuf JSON: payload bytes in base64, as the codec server returned them.
  const shown = (out: string) => payloadsIn(JSON.parse(out) as object);
  const decoded = shown(withCodec.out).filter((p) => !/searchAttributes/.test(p.path));
  expect(decoded.length).toBeGreaterThan(20);
  expect(decoded.filter((p) => p.encoding === 'binary/encrypted')).toEqual([]);
  const text = decoded.map((p) => Buffer.from(p.json.data ?? '', 'base64').toString()).join('\n');
  expect(occurring(Buffer.from(text), PII)).toEqual(PII);

  const without = await show();
  expect(without.code).toBe(0);
  expect(without.out).toContain(encrypted.contactId);
  const still = shown(without.out).filter((p) => !/searchAttributes|header|markerRecordedEventAttributes/.test(p.path));
  expect(still.filter((p) => p.encoding !== 'binary/encrypted')).toEqual([]);
  expect(occurring(Buffer.from(without.out), PII)).toEqual([]);
});

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
