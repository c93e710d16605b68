/**
 * The emulators (HubSpot, Salesforce, Slack, SMTP) in a process of their own, as the real services are outside
 * the worker and the bridge. The parent creates the bench's contacts here and hears every Slack post and edit,
 * timestamped where it lands (`slack` events, batched per tick).
 */
import { loadOrgConfigFile } from '../../src/config/org-config-file';
import type { SandboxEndpoints } from '../../src/main/wiring';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { DEMO_COMPANIES } from '../../src/sandbox/hubspot/seed';
import { serveParent } from './ipc';
import { nowMs } from './stats';

/** One Slack post or edit the bot made, as the bench reads it. */
export interface SlackArrival {
  method: 'chat.postMessage' | 'chat.update';
  /** The idempotency key the adapter put in the message metadata (`<workflowId>:c<cycle>:<step>`). */
  key: string | null;
  workflowId: string | null;
  at: number;
}

/** Seed contact the bench leads are copies of: small-behavioural, round-robin in the default team. */
const SEED_CONTACT = '1007';
const SITE = 'https://www.acme-analytics.example';

let sandbox: Sandbox | null = null;
let queued: SlackArrival[] = [];

const { emit } = serveParent(
  {
    async start(args: { configPath: string }): Promise<SandboxEndpoints> {
      const config = loadOrgConfigFile(args.configPath);
      sandbox = await startSandbox({ config });
      sandbox.slack!.onMessage(({ method, message }) => {
        const payload = message.metadata?.event_payload ?? {};
        if (queued.length === 0) setImmediate(flush);
        queued.push({
          method,
          key: typeof payload.key === 'string' ? payload.key : null,
          workflowId: typeof payload.wf === 'string' ? payload.wf : null,
          at: nowMs(),
        });
      });
      const sf = sandbox.salesforce!;
      return {
        hubspot: { url: sandbox.hubspot!.url, accessToken: sandbox.hubspot!.accessToken },
        salesforce: { url: sf.url, credentials: sf.credentials, nurtureQueueId: sf.nurtureQueueId },
        slack: { apiUrl: sandbox.slack!.apiUrl, token: sandbox.slack!.token },
        smtp: { url: sandbox.smtp!.url },
      };
    },

    /**
     * `count` contacts numbered from `first`, each with a company of its own (so no lead finds another's open deal
     * and every one is routed, claimed and written the same way). `demo`: a demo request minutes ago (high intent:
     * a deal, a push, the demo-request ladder); else a behavioural MQL (the behavioural ladder).
     */
    createLeads(args: { first: number; count: number; demo: boolean }): string[] {
      const store = sandbox!.hubspot!.store;
      const seed = store.get('contacts', SEED_CONTACT);
      const seedCompany = store.get('companies', DEMO_COMPANIES.tinyco);
      if (!seed || !seedCompany) throw new Error(`the sandbox has no seed contact ${SEED_CONTACT} or its company`);
      const events = store.webEvents.filter((e) => e.objectId === SEED_CONTACT);
      const ids: string[] = [];
      const now = Date.now();
      for (let n = args.first; n < args.first + args.count; n++) {
        const id = `8${String(n).padStart(11, '0')}`;
        const companyId = `6${String(n).padStart(11, '0')}`;
        const domain = `benchco-${n}.example`;
        store.create(
          'companies',
          { ...pick(seedCompany.properties, COMPANY_PROPERTIES), name: `Benchco ${n}`, domain },
          [],
          { id: companyId },
        );
        const properties: Record<string, unknown> = {
          ...strip(seed.properties),
          email: `jo.park@${domain}`,
          company: `Benchco ${n}`,
        };
        if (args.demo) {
          properties.recent_conversion_event_name = 'Request a demo';
          properties.recent_conversion_date = new Date(now - 10 * 60_000).toISOString();
        }
        store.create(
          'contacts',
          properties,
          [{ to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }],
          { id, system: true },
        );
        for (const e of events) {
          store.addWebEvent({
            objectId: id,
            eventType: e.eventType,
            occurredAt: e.occurredAt,
            properties: e.properties,
          });
        }
        if (args.demo) {
          store.addWebEvent({
            objectId: id,
            eventType: 'e_submitted_form',
            occurredAt: new Date(now - 10 * 60_000).toISOString(),
            properties: { hs_form_title: 'Request a demo', hs_url: `${SITE}/demo` },
          });
        }
        ids.push(id);
      }
      return ids;
    },

    memory(): NodeJS.MemoryUsage {
      return process.memoryUsage();
    },
  },
  async () => {
    await sandbox?.close();
  },
);

function flush(): void {
  const batch = queued;
  queued = [];
  emit('slack', batch);
}

/** What the seed company is made of (the rest is HubSpot's, read-only). */
const COMPANY_PROPERTIES = ['numberofemployees', 'industry', 'country', 'state', 'city'];

function pick(properties: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => properties[n] != null).map((n) => [n, properties[n]]));
}

function strip(properties: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...properties };
  for (const p of ['hs_object_id', 'createdate', 'lastmodifieddate']) delete copy[p];
  return copy;
}
