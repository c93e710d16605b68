/**
 * The namespace retention `npm start` raises (src/main/dev-server.ts), on the real dev server: a namespace
 * registered with the dev server's one day is raised to 30 days; a longer retention is left alone.
 */
import { msToTs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureRetentionAtLeast, namespaceRetentionDays } from '../../src/temporal/namespace-retention';
import { devServerEnv } from '../harness/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

test('one day is raised to 30; 30 days is not lowered to 14', async () => {
  const namespace = `retention-${process.pid}-${Date.now()}`;
  await env.connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  expect(await namespaceRetentionDays(env.connection, namespace)).toBe(1);

  expect(await ensureRetentionAtLeast(env.connection, namespace, 30)).toEqual({ before: 1, after: 30 });
  const described = await env.connection.workflowService.describeNamespace({ namespace });
  expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(30 * 86_400);

  expect(await ensureRetentionAtLeast(env.connection, namespace, 14)).toEqual({ before: 30, after: 30 });
});
