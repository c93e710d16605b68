/**
 * Wires a handoff under test: the real workflows on a real Temporal server (dev or time-skipping), the real
 * activities over in-memory ports, and the sample org from config/handoff.config.yaml (its ladders on the wall clock
 * unless the test passes its own configuration).
 */
import type {
  WorkflowExecutionDescription,
  WorkflowHandle,
  WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createHandoffActivities } from '../../src/activities/handoff-activities';
import type { ChatPort } from '../../src/activities/ports';
import { deterministicSummariser } from '../../src/activities/summariser';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import type { LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';
import {
  handoffWorkflowId,
  HANDOFF_WORKFLOW_TYPE,
  teamRosterWorkflowId,
  type HandoffResult,
  type MqlHandoffInput,
} from '../../src/workflows/definitions';
import type { mqlHandoff } from '../../src/workflows/mql-handoff';
import { createTestWorker, shutDownTestWorkers, uniqueTaskQueue } from '../harness/temporal';
import { createInMemoryPorts, InMemoryWorld } from './in-memory-ports';

export const sampleOrg = (): OrgConfig => loadOrgConfigFile(resolveOrgConfigPath());

/**
 * The sample org with every ladder rung on the wall clock. Tests run at whatever time of day it is: a ladder counted
 * in business hours would fire at other offsets at night or on a weekend. Business-hours tests pin their own dates.
 */
export function wallClockOrg(config: OrgConfig = sampleOrg()): OrgConfig {
  for (const ladder of Object.values(config.sla.ladders)) {
    ladder.rungs = ladder.rungs.map((r) => ({ ...r, clock: 'elapsed' }));
  }
  return config;
}

export interface HandoffFixture {
  world: InMemoryWorld;
  config: OrgConfig;
  worker: Worker;
  taskQueue: string;
  rosterScope: string;
  /** Terminates this fixture's handoffs and team rosters that are still running, then tells its worker to stop if a
   * test left it running or never ran it (see cleanUpHandoffs). */
  cleanup(): Promise<void>;
  /** Puts the lead in the in-memory HubSpot and starts its handoff. */
  start(
    lead: LeadSnapshot,
    trigger?: Partial<MqlHandoffInput['trigger']>,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof mqlHandoff>>;
}

/**
 * The worker runs with the harness's payload codec (the test key) unless `dataConverter` says otherwise; give the
 * env's client the same one (devServerEnv({ dataConverter })).
 */
export async function handoffFixture(
  env: TestWorkflowEnvironment,
  opts: {
    config?: OrgConfig;
    world?: InMemoryWorld;
    dataConverter?: DataConverter;
    /** Another fixture's task queue (and roster scope): a new worker taking over its handoffs. */
    taskQueue?: string;
    /** A real chat adapter (e.g. Slack against the emulator) instead of the in-memory one. */
    chat?: ChatPort;
  } = {},
): Promise<HandoffFixture> {
  const world = opts.world ?? new InMemoryWorld();
  const config = opts.config ?? wallClockOrg();
  const taskQueue = opts.taskQueue ?? uniqueTaskQueue('handoff');
  const rosterScope = taskQueue;
  const activities = createHandoffActivities({
    config: () => config,
    ...createInMemoryPorts(world),
    ...(opts.chat ? { chat: opts.chat } : {}),
    summariser: deterministicSummariser,
    temporal: env.client,
    rosterScope,
  });
  const worker = await createTestWorker(env, {
    activities,
    taskQueue,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
  });
  const started: string[] = [];
  const fixture: HandoffFixture = {
    world,
    config,
    worker,
    taskQueue,
    rosterScope,
    async cleanup() {
      const ids = [...started, ...config.teams.map((t) => teamRosterWorkflowId(t.id, rosterScope))];
      await Promise.all(
        ids.map(async (id) => {
          const handle = env.client.workflow.getHandle(id);
          let description = await handle.describe().catch(() => null);
          if (description?.status.name !== 'RUNNING') return;
          if (started.includes(id)) process.stderr.write(await stuckReport(handle, description));
          // Let running activities finish first: on the time-skipping server one cut off mid-flight holds the clock.
          for (let i = 0; i < 50 && (description?.raw.pendingActivities ?? []).length > 0; i++) {
            await new Promise((r) => setTimeout(r, 100));
            description = await handle.describe().catch(() => null);
          }
          await handle.terminate('test cleanup').catch(() => undefined);
        }),
      );
      // A test that timed out inside runUntil left it polling into the next test. Not waited for here: its
      // activities may be stuck until the env's teardown aborts them (see stopTestWorkers).
      shutDownTestWorkers([worker]);
    },
    async start(lead, trigger = {}) {
      world.contacts.set(lead.contactId, lead);
      started.push(handoffWorkflowId('hubspot', lead.contactId));
      return env.client.workflow.start<typeof mqlHandoff>(HANDOFF_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: handoffWorkflowId('hubspot', lead.contactId),
        // As the bridge does: a duplicate start of an open MQL attaches to the running execution.
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [
          {
            source: 'hubspot',
            contactId: lead.contactId,
            trigger: { kind: 'property_change', at: new Date().toISOString(), detail: 'lifecyclestage', ...trigger },
          },
        ],
      });
    },
  };
  live.push(fixture);
  return fixture;
}

const live: HandoffFixture[] = [];

/**
 * Call in afterEach: a test that fails half-way leaves its handoff running, and on the time-skipping server a
 * workflow whose worker is gone holds the shared clock for every test after it. Every fixture is cleaned up even
 * when another's cleanup fails; the failures are rethrown together.
 */
export async function cleanUpHandoffs(): Promise<void> {
  const fixtures = live.splice(0);
  const results = await Promise.allSettled(fixtures.map((f) => f.cleanup()));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'cleaning up handoff fixtures');
}

export type { HandoffResult };

/** What a handoff left running by a failed test was doing: its pending activities and last events. */
async function stuckReport(handle: WorkflowHandle, d: WorkflowExecutionDescription): Promise<string> {
  const pending = (d.raw.pendingActivities ?? []).map(
    (a) =>
      `${a.activityType?.name} attempt ${a.attempt} state ${a.state}` +
      (a.lastFailure?.message ? ` last failure: ${a.lastFailure.message}` : ''),
  );
  const history = await handle.fetchHistory().catch(() => null);
  const last = (history?.events ?? [])
    .slice(-8)
    .map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? String(e.eventType));
  return `[handoff-fixture] ${handle.workflowId} still running at cleanup; pending activities: ${pending.join('; ') || 'none'}; last events: ${last.join(', ')}\n`;
}
