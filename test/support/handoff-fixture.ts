/**
 * Wires a handoff under test: the real workflows on a real Temporal server (dev or time-skipping), the real
 * activities over in-memory ports, and the sample org from config/handoff.config.yaml (optionally adjusted).
 */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createHandoffActivities } from '../../src/activities/handoff-activities';
import { deterministicSummariser } from '../../src/activities/summariser';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import type { LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';
import {
  handoffWorkflowId,
  HANDOFF_WORKFLOW_TYPE,
  type HandoffResult,
  type MqlHandoffInput,
} from '../../src/workflows/definitions';
import type { mqlHandoff } from '../../src/workflows/mql-handoff';
import { createTestWorker, uniqueTaskQueue } from '../harness/temporal';
import { createInMemoryPorts, InMemoryWorld } from './in-memory-ports';

export const sampleOrg = (): OrgConfig => loadOrgConfigFile(resolveOrgConfigPath());

export interface HandoffFixture {
  world: InMemoryWorld;
  config: OrgConfig;
  worker: Worker;
  taskQueue: string;
  rosterScope: string;
  /** Puts the lead in the in-memory HubSpot and starts its handoff. */
  start(
    lead: LeadSnapshot,
    trigger?: Partial<MqlHandoffInput['trigger']>,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof mqlHandoff>>;
}

export async function handoffFixture(
  env: TestWorkflowEnvironment,
  opts: { config?: OrgConfig; world?: InMemoryWorld } = {},
): Promise<HandoffFixture> {
  const world = opts.world ?? new InMemoryWorld();
  const config = opts.config ?? sampleOrg();
  const taskQueue = uniqueTaskQueue('handoff');
  const rosterScope = taskQueue;
  const activities = createHandoffActivities({
    config: () => config,
    ...createInMemoryPorts(world),
    summariser: deterministicSummariser,
    temporal: env.client,
    rosterScope,
  });
  const worker = await createTestWorker(env, { activities, taskQueue });
  return {
    world,
    config,
    worker,
    taskQueue,
    rosterScope,
    async start(lead, trigger = {}) {
      world.contacts.set(lead.contactId, lead);
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
}

export type { HandoffResult };
