/**
 * `npm run bench:faults`: do handoffs get through when the services fail? A real Temporal dev server, the real
 * worker with the real adapters and client libraries, the real bridge, and the sandbox emulators answering a share
 * of requests (20% by default) with 429 + Retry-After or a 5xx — HubSpot, Salesforce and Slack from the emulator
 * kit's seeded random mode, the SMTP sink with temporary failures (421/451). N signed HubSpot MQL webhooks (200 by
 * default, `--quick` 30) go to the bridge at a modest rate; the bench waits (bounded) until every handoff is
 * awaiting its first touch with its owner in the CRM and its Slack DM delivered, then prints:
 *   - completed %: handoffs awaiting first touch whose owner is written in the CRM and whose rep got the DM,
 *   - DMs per lead (min / mean / max, and how many leads got other than exactly one),
 *   - per emulator: requests, faults injected, 429s with Retry-After, retries of a refused request that came
 *     before its Retry-After, and requests of any kind during a Retry-After window (the limits are per app),
 *   - wall time.
 * Targets: 100% / exactly 1 / 0. It asserts nothing: it reports, and writes the figures to
 * bench/results/faults-<timestamp>.json. Figures depend on the machine.
 *
 * Flags: --quick, --mqls N, --rate MQLs/s (default 4), --fault-rate 0..1 (0.2), --retry-after s (1), --seed N (7),
 * --timeout s (300), --crm hubspot|salesforce (the org config's).
 */
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SLACK_METADATA_EVENT_TYPE } from '../src/activities/slack/interaction-contract';
import { createBridge } from '../src/client/bridge/server';
import { hubspotSignatureV3 } from '../src/client/bridge/signatures';
import { mqlWebhookEvent } from './lib/hubspot-webhook';
import { fixedTemporalGateway } from '../src/client/temporal-gateway';
import { handoffDataConverter } from '../src/codec/data-converter';
import { loadEnv } from '../src/config/env';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../src/config/org-config-file';
import type { OrgConfig, Rep } from '../src/domain/org-config';
import { createPorts } from '../src/main/wiring';
import { startSandbox, type Sandbox } from '../src/sandbox';
import { cloneDemoContact } from '../src/sandbox/demo-leads';
import type { HubSpotStore } from '../src/sandbox/hubspot/store';
import type { FaultStats } from '../src/sandbox/emulator-kit';
import type { SmtpFaultStats } from '../src/sandbox/smtp/smtp-sink';
import { resolveDevServer } from '../src/temporal/binaries';
import {
  handoffWorkflowId,
  SEARCH_ATTRIBUTE_DEFINITIONS,
  statusQuery,
  type HandoffStatus,
} from '../src/workflows/definitions';
import { createHandoffWorker } from '../src/worker';

const SECRET = 'bench-hubspot-client-secret';
/**
 * Demo contacts cloned in turn, so the faults meet every routing path and both priorities: named account with a
 * deal and a push (1001), behavioral (1002), EMEA (1004), healthcare (1005), open deal (1006), round-robin (1007).
 */
const SEED_CONTACTS = ['1001', '1002', '1004', '1005', '1006', '1007'];
/** The issue's yardstick: DM and owner within 3 minutes of the webhook. */
const WITHIN_MS = 3 * 60_000;
/** After the last handoff completes: time for a late duplicate DM to show. */
const SETTLE_MS = 5_000;

interface Options {
  mqls: number;
  rate: number;
  faultRate: number;
  retryAfter: number;
  seed: number;
  timeoutS: number;
  crm: 'hubspot' | 'salesforce' | null;
}

/** A bad flag: the message says which, its value and what was expected. */
class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const o: Options = { mqls: 200, rate: 4, faultRate: 0.2, retryAfter: 1, seed: 7, timeoutS: 300, crm: null };
  const num = (flag: string, value: string | undefined, ok: (n: number) => boolean, expected: string): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || !ok(n)) {
      throw new UsageError(`${flag} = ${JSON.stringify(value ?? null)}: expected ${expected}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    switch (flag) {
      case '--quick':
        o.mqls = 30;
        continue;
      case '--mqls':
        o.mqls = num(flag, value, (n) => Number.isInteger(n) && n > 0, 'a whole number > 0');
        break;
      case '--rate':
        o.rate = num(flag, value, (n) => n > 0, 'MQLs per second > 0');
        break;
      case '--fault-rate':
        o.faultRate = num(flag, value, (n) => n >= 0 && n <= 1, 'a share from 0 to 1');
        break;
      case '--retry-after':
        o.retryAfter = num(flag, value, (n) => Number.isInteger(n) && n >= 0, 'whole seconds ≥ 0');
        break;
      case '--seed':
        o.seed = num(flag, value, Number.isSafeInteger, 'an integer');
        break;
      case '--timeout':
        o.timeoutS = num(flag, value, (n) => n > 0, 'seconds > 0');
        break;
      case '--crm':
        if (value !== 'hubspot' && value !== 'salesforce') {
          throw new UsageError(`--crm = ${JSON.stringify(value ?? null)}: expected hubspot or salesforce`);
        }
        o.crm = value;
        break;
      default:
        throw new UsageError(
          `unknown flag ${JSON.stringify(flag)}: expected --quick, --mqls, --rate, --fault-rate, --retry-after, --seed, --timeout, --crm`,
        );
    }
    i += 1;
  }
  return o;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const secs = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

interface Lead {
  contactId: string;
  seed: string;
  workflowId: string;
  sentAt: number;
  ack?: number;
  /** When the bench first saw the DM and the CRM owner (polling every 250 ms). */
  completedAt?: number;
}

/** The handoff DMs (one per assignment, key `…:notify-N:slack`) in the Slack emulator, by workflow id. */
function briefDms(sandbox: Sandbox): Map<string, { channel: string }[]> {
  const by = new Map<string, { channel: string }[]>();
  for (const m of sandbox.slack!.messages()) {
    if (!m.channel.startsWith('D') || m.metadata?.event_type !== SLACK_METADATA_EVENT_TYPE) continue;
    const { key, wf } = m.metadata.event_payload as { key?: unknown; wf?: unknown };
    if (typeof wf !== 'string' || typeof key !== 'string' || !/:notify-\d+:slack$/.test(key)) continue;
    by.set(wf, [...(by.get(wf) ?? []), { channel: m.channel }]);
  }
  return by;
}

/** The owner id the sales CRM holds for the lead, or null. */
function crmOwner(sandbox: Sandbox, crm: 'hubspot' | 'salesforce', contactId: string): string | null {
  if (crm === 'hubspot') return sandbox.hubspot!.store.get('contacts', contactId)?.properties.hubspot_owner_id ?? null;
  const lead = sandbox.salesforce!.store.records('Lead').find((l) => l.HubSpot_Contact_Id__c === contactId);
  return lead?.OwnerId ? String(lead.OwnerId) : null;
}

/**
 * A copy of a demo contact with its own company (and that company's deals) and its own notes, so no two leads send
 * HubSpot the same request: the emulator tells a retry from a new request by method, path and body, and leads
 * sharing the seed's company would look like each other's early retries. Routing stays the seed's (named
 * accounts match by domain, the open deal comes along with its owner).
 */
function cloneLead(store: HubSpotStore, seedId: string, n: number): string {
  const id = cloneDemoContact(store, seedId);
  // Its own name too: the brief's headline goes into the push body, which would else be the same for every copy.
  const lastname = store.get('contacts', id)!.properties.lastname ?? '';
  store.update('contacts', id, { lastname: `${lastname} ${n}`.trim() }, { system: true });
  const copy = (type: 'companies' | 'deals' | 'notes', fromId: string) => {
    const properties = { ...store.get(type, fromId)!.properties };
    for (const p of ['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate']) delete properties[p];
    return store.create(type, properties, [], { system: true }).id;
  };
  for (const a of store.associations('contacts', id, 'companies')) {
    const company = copy('companies', a.toObjectId);
    for (const d of store.associations('companies', a.toObjectId, 'deals')) {
      const deal = copy('deals', d.toObjectId);
      store.associate('deals', deal, 'companies', company);
      if (store.associations('deals', d.toObjectId, 'contacts').some((c) => c.toObjectId === seedId)) {
        store.associate('deals', deal, 'contacts', id);
      }
    }
    store.dissociate('contacts', id, 'companies', a.toObjectId);
    store.associate('contacts', id, 'companies', company);
  }
  for (const a of store.associations('contacts', id, 'notes')) {
    const note = copy('notes', a.toObjectId);
    store.dissociate('contacts', id, 'notes', a.toObjectId);
    store.associate('contacts', id, 'notes', note);
  }
  return id;
}

/** What an unfinished handoff is waiting on: its pending activities, their attempt and when the next one runs. */
async function pendingWork(client: Client, workflowId: string): Promise<string> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    const pending = d.raw.pendingActivities ?? [];
    if (pending.length === 0) return 'no activity pending';
    return pending
      .map((a) => {
        const next = a.nextAttemptScheduleTime?.seconds;
        const inS = next ? Math.round(Number(next) - Date.now() / 1000) : null;
        return `${a.activityType?.name ?? '?'} attempt ${a.attempt ?? '?'}${inS !== null ? `, next in ${inS} s` : ''}`;
      })
      .join('; ');
  } catch (e) {
    return `describe failed: ${(e as Error).message}`;
  }
}

async function statuses(client: Client, leads: Lead[]): Promise<Map<string, HandoffStatus | Error>> {
  const out = new Map<string, HandoffStatus | Error>();
  const queue = [...leads];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let l = queue.shift(); l; l = queue.shift()) {
        try {
          out.set(l.workflowId, await client.workflow.getHandle(l.workflowId).query(statusQuery));
        } catch (e) {
          out.set(l.workflowId, e as Error);
        }
      }
    }),
  );
  return out;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const config: OrgConfig = loadOrgConfigFile(resolveOrgConfigPath());
  if (opts.crm) config.salesCrm = opts.crm;
  const crm = config.salesCrm;
  // Capacity is not what this bench measures: no rep fills up over a few hundred leads.
  for (const team of config.teams) for (const rep of team.reps) rep.capacity = 10_000;
  const reps: Rep[] = config.teams.flatMap((t) => t.reps);
  const repBySlack = new Map(reps.map((r) => [r.slackUserId, r]));

  const startedAt = Date.now();
  const dev = await resolveDevServer({ allowDownload: false });
  const dataConverter = handoffDataConverter([{ id: 'bench', key: randomBytes(32) }]);
  const env = await TestWorkflowEnvironment.createLocal({
    client: { dataConverter },
    server: {
      executable: dev.executable,
      searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => ({ name, type })),
      log: { format: 'pretty', level: 'never' },
    },
  });
  const sandbox = await startSandbox({ config });
  const emulators = { hubspot: sandbox.hubspot!, salesforce: sandbox.salesforce!, slack: sandbox.slack! };
  const taskQueue = `bench-faults-${Date.now()}`;
  const worker = await createHandoffWorker({
    connection: env.nativeConnection,
    client: env.client,
    namespace: 'default',
    taskQueue,
    config,
    ports: createPorts(loadEnv({}), config, sandbox),
    dataConverter,
  });
  const bridge = await createBridge({
    temporal: fixedTemporalGateway(env.client, env.address),
    taskQueue,
    config,
    secrets: { hubspotClientSecret: SECRET },
    production: false,
    log: () => undefined,
  });
  const bridgeUrl = await bridge.listen(0, '127.0.0.1');
  const store = sandbox.hubspot!.store;
  let eventId = 1;

  const post = async (contactId: string): Promise<number> => {
    const body = JSON.stringify([
      mqlWebhookEvent({ eventId: eventId++, portalId: config.hubspot.portalId, contactId }),
    ]);
    const timestamp = String(Date.now());
    const uri = `${bridgeUrl}/webhooks/hubspot`;
    const res = await fetch(uri, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-request-timestamp': timestamp,
        'x-hubspot-signature-v3': hubspotSignatureV3({ secret: SECRET, method: 'POST', uri, body, timestamp }),
      },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  };

  const leads: Lead[] = [];
  let sendMs = 0;
  let lastCompleteMs: number | null = null;
  let timedOut = false;
  let final = new Map<string, HandoffStatus | Error>();
  const waiting = new Map<string, string>();
  let dms = new Map<string, { channel: string }[]>();
  let faultStats: Record<keyof typeof emulators, FaultStats> | null = null;
  let smtpStats: SmtpFaultStats | null = null;

  const isComplete = (l: Lead, byWf: Map<string, { channel: string }[]>): boolean => {
    const dm = byWf.get(l.workflowId)?.[0];
    if (!dm) return false;
    const rep = repBySlack.get(`U${dm.channel.slice(1)}`);
    return !!rep && crmOwner(sandbox, crm, l.contactId) === rep.crmOwnerIds[crm];
  };

  await worker.runUntil(async () => {
    // Warm-up without faults: the workflow bundle, connections, the roster workflow, Slack's user lookups.
    const warm = cloneDemoContact(store, '1007');
    await post(warm);
    const warmWf = handoffWorkflowId('hubspot', warm);
    while (!briefDms(sandbox).has(warmWf)) await sleep(50);

    for (const [i, e] of Object.values(emulators).entries()) {
      e.faults.resetStats();
      e.faults.setRandom({
        rate: opts.faultRate,
        kinds: ['rate_limit', 'server_error'],
        statuses: [500, 503],
        retryAfterSeconds: opts.retryAfter,
        seed: opts.seed + i,
      });
    }
    sandbox.smtp!.clear();
    sandbox.smtp!.setRandomFaults({ rate: opts.faultRate, codes: [421, 451], seed: opts.seed + 10 });
    process.stdout.write(
      `sending ${opts.mqls} MQLs at ${opts.rate}/s with ${(opts.faultRate * 100).toFixed(0)}% injected faults…\n`,
    );

    const t0 = performance.now();
    const acks: Promise<void>[] = [];
    for (let i = 0; i < opts.mqls; i++) {
      const wait = t0 + (i * 1000) / opts.rate - performance.now();
      if (wait > 0) await sleep(wait);
      const seed = SEED_CONTACTS[i % SEED_CONTACTS.length]!;
      const contactId = cloneLead(store, seed, i + 1);
      const lead: Lead = {
        contactId,
        seed,
        workflowId: handoffWorkflowId('hubspot', contactId),
        sentAt: performance.now(),
      };
      leads.push(lead);
      acks.push(
        post(contactId).then(
          (s) => void (lead.ack = s),
          () => void (lead.ack = -1),
        ),
      );
    }
    await Promise.all(acks);
    sendMs = performance.now() - t0;

    const deadline = t0 + opts.timeoutS * 1000;
    let lastLog = performance.now();
    for (;;) {
      const byWf = briefDms(sandbox);
      const now = performance.now();
      for (const l of leads) if (l.completedAt === undefined && isComplete(l, byWf)) l.completedAt = now;
      const done = leads.filter((l) => l.completedAt !== undefined).length;
      if (done === leads.length) break;
      if (now > deadline) {
        timedOut = true;
        break;
      }
      if (now - lastLog > 15_000) {
        process.stdout.write(`  ${done}/${leads.length} handed off after ${secs(now - t0)}\n`);
        lastLog = now;
      }
      await sleep(250);
    }
    const completed = leads.map((l) => l.completedAt).filter((x): x is number => x !== undefined);
    lastCompleteMs = completed.length ? Math.max(...completed) - t0 : null;
    await sleep(SETTLE_MS);

    dms = briefDms(sandbox);
    faultStats = {
      hubspot: emulators.hubspot.faults.stats(),
      salesforce: emulators.salesforce.faults.stats(),
      slack: emulators.slack.faults.stats(),
    };
    smtpStats = sandbox.smtp!.faultStats();
    for (const e of Object.values(emulators)) e.faults.clear();
    sandbox.smtp!.clearRandomFaults();
    final = await statuses(env.client, leads);
    for (const l of leads) {
      const s = final.get(l.workflowId);
      if (l.completedAt === undefined || (s && !(s instanceof Error) && s.stage !== 'awaiting_first_touch')) {
        waiting.set(l.workflowId, await pendingWork(env.client, l.workflowId));
      }
    }

    const open = await env.client.workflow.list({
      query: `WorkflowType = "mqlHandoff" AND ExecutionStatus = "Running" AND TaskQueue = "${taskQueue}"`,
    });
    for await (const wf of open) await env.client.workflow.getHandle(wf.workflowId).terminate('bench over');
  });
  await bridge.close();
  await sandbox.close();
  await env.teardown();

  // ---- figures -------------------------------------------------------------------------------------------------
  const byWf = dms;
  const rows = leads.map((l) => {
    const s = final.get(l.workflowId);
    const status = s instanceof Error ? null : (s ?? null);
    const leadDms = byWf.get(l.workflowId) ?? [];
    const rep = status?.owner ? reps.find((r) => r.id === status.owner!.repId) : undefined;
    const owner = crmOwner(sandbox, crm, l.contactId);
    const ownerWritten = !!rep && owner === rep.crmOwnerIds[crm];
    const dmToOwner = !!rep && leadDms.some((d) => d.channel === `D${rep.slackUserId?.slice(1)}`);
    return {
      workflowId: l.workflowId,
      seed: l.seed,
      ack: l.ack ?? null,
      stage: status?.stage ?? (s instanceof Error ? `query failed: ${s.message}` : 'unknown'),
      owner: status?.owner?.repId ?? null,
      ownerWritten,
      dms: leadDms.length,
      completed: status?.stage === 'awaiting_first_touch' && ownerWritten && dmToOwner,
      msToComplete: l.completedAt === undefined ? null : l.completedAt - l.sentAt,
      waitingOn: waiting.get(l.workflowId) ?? null,
    };
  });
  const completed = rows.filter((r) => r.completed);
  const times = rows.map((r) => r.msToComplete).filter((x): x is number => x !== null);
  const dmCounts = rows.map((r) => r.dms);
  const meanDms = dmCounts.reduce((a, b) => a + b, 0) / Math.max(1, dmCounts.length);
  const notOne = rows.filter((r) => r.dms !== 1);
  const stats = faultStats!;
  const smtp = smtpStats!;
  const wallMs = Date.now() - startedAt;

  const result = {
    at: new Date().toISOString(),
    machine: { platform: process.platform, arch: process.arch, node: process.version, cpus: os.cpus().length },
    options: { ...opts, crm },
    completed: { count: completed.length, of: rows.length, pct: (100 * completed.length) / rows.length },
    withinThreeMinutes: times.filter((t) => t <= WITHIN_MS).length,
    msToComplete: { p50: pct(times, 50), p95: pct(times, 95), max: times.length ? Math.max(...times) : null },
    dmsPerLead: {
      min: Math.min(...dmCounts),
      mean: meanDms,
      max: Math.max(...dmCounts),
      leadsWithOtherThanOne: notOne.length,
    },
    emulators: stats,
    smtp,
    timedOut,
    sendMs,
    lastCompleteMs,
    wallMs,
    ownersBySeed: Object.fromEntries(
      SEED_CONTACTS.map((seed) => [
        seed,
        [...new Set(rows.filter((r) => r.seed === seed).map((r) => r.owner ?? 'none'))].sort(),
      ]),
    ),
    notCompleted: rows.filter((r) => !r.completed),
    leadsWithOtherThanOneDm: notOne.map((r) => ({ workflowId: r.workflowId, dms: r.dms })),
  };

  const lines: string[] = [];
  const p = (s = '') => lines.push(s);
  p();
  p(
    `Fault bench: ${rows.length} MQLs at ${opts.rate}/s, ${(opts.faultRate * 100).toFixed(0)}% of requests answered 429 (Retry-After ${opts.retryAfter} s) or 500/503` +
      ` on every emulator, SMTP 421/451; sales CRM ${crm}; seed ${opts.seed}`,
  );
  p(`machine: ${process.platform} ${process.arch}, node ${process.version}, ${os.cpus().length} CPUs`);
  p();
  const totalEarly = Object.values(stats).reduce((x, s) => x + s.retriesBeforeRetryAfter, 0);
  const row = (label: string, measured: string, target: string) =>
    p(`${label.padEnd(34)} ${measured.padEnd(40)} ${target}`);
  row('', 'measured', 'target');
  row(
    'completed (owner in CRM + DM)',
    `${completed.length}/${rows.length} (${result.completed.pct.toFixed(1)}%)`,
    '100%',
  );
  row('  within 3 min of the webhook', String(result.withinThreeMinutes), String(rows.length));
  row(
    '  webhook → DM + owner',
    `p50 ${secs(result.msToComplete.p50)}, p95 ${secs(result.msToComplete.p95)}, max ${secs(result.msToComplete.max)}`,
    '',
  );
  row(
    'DMs per lead',
    `min ${result.dmsPerLead.min} / mean ${meanDms.toFixed(2)} / max ${result.dmsPerLead.max}`,
    'exactly 1',
  );
  row('  leads with ≠ 1 DM', String(notOne.length), '0');
  row('retries before Retry-After', String(totalEarly), '0');
  p();
  p(
    'emulator     requests  429 injected  5xx injected  429s+Retry-After  retries before RA  retries after RA  requests during RA',
  );
  for (const [name, s] of Object.entries(stats)) {
    p(
      `${name.padEnd(12)} ${String(s.requests).padStart(8)}  ${String(s.injected.rate_limit).padStart(12)}  ${String(s.injected.server_error).padStart(12)}` +
        `  ${String(s.rateLimitedWithRetryAfter).padStart(16)}  ${String(s.retriesBeforeRetryAfter).padStart(17)}  ${String(s.retriesAfterRetryAfter).padStart(16)}` +
        `  ${String(s.requestsDuringRetryAfter).padStart(18)}`,
    );
  }
  const smtpInjected = Object.entries(smtp.injected)
    .map(([code, n]) => `${n}× ${code}`)
    .join(', ');
  p(`smtp         ${String(smtp.seen.mail).padStart(8)} transactions, ${smtpInjected || 'no failures'} injected`);
  p('retries before RA: a refused request (same method, path, body) sent again before its Retry-After ran out;');
  p('  identical calls of two leads count too (e.g. Slack conversations.open for the same rep): an upper bound.');
  p('requests during RA: any request while a Retry-After the emulator gave was running (the limits are per app).');
  p();
  p(
    `wall time: sending ${secs(sendMs)}, last handoff complete ${secs(lastCompleteMs)} after the first webhook` +
      `${timedOut ? ` (gave up after ${opts.timeoutS} s)` : ''}, whole run ${secs(wallMs)}`,
  );
  const stuck = rows.filter((r) => !r.completed);
  if (stuck.length) {
    p();
    p(`not completed (${stuck.length}):`);
    const byWhy = new Map<string, number>();
    for (const r of stuck) {
      const why = `stage ${r.stage}, owner ${r.owner ?? 'none'}${r.owner && !r.ownerWritten ? ' (not in the CRM)' : ''}, ${r.dms} DM(s)`;
      byWhy.set(why, (byWhy.get(why) ?? 0) + 1);
    }
    for (const [why, n] of byWhy) p(`  ${String(n).padStart(4)} × ${why}`);
    for (const r of stuck.slice(0, 10)) p(`  ${r.workflowId} (seed ${r.seed}): ${r.waitingOn ?? '-'}`);
  }
  for (const [name, s] of Object.entries(stats)) {
    if (s.earlyRetries.length === 0) continue;
    p();
    p(`${name}: latest early retries`);
    for (const e of s.earlyRetries.slice(-5)) p(`  ${e.method} ${e.path}  ${e.earlyByMs} ms early`);
  }
  p();

  const dir = path.resolve('bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `faults-${result.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  p(`figures: ${path.relative(process.cwd(), file)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`bench:faults: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
