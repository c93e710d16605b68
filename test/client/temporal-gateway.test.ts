/**
 * Which failures mean "Temporal is not there right now" (the bridge answers 503, the CLI exits 3) and which are
 * refusals to pass on. The gRPC errors are shaped as @grpc/grpc-js raises them and the Temporal client wraps them.
 */
import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { isTemporalUnavailable, TemporalUnavailableError } from '../../src/client/temporal-gateway';

const grpc = (code: number, details: string) =>
  Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
const wrapped = (cause: Error) => new ServiceError('Failed to query Workflow', { cause });

test.each<[string, unknown, boolean]>([
  ['UNAVAILABLE', grpc(14, 'No connection established'), true],
  ['DEADLINE_EXCEEDED, wrapped by the client', wrapped(grpc(4, 'Deadline exceeded after 1.0s')), true],
  ['CANCELLED at the deadline, wrapped by the client', wrapped(grpc(1, 'Call cancelled')), true],
  ['the gateway’s own refusal', new TemporalUnavailableError('127.0.0.1:7233'), true],
  ['no connection before the connect deadline', new Error('Failed to connect before the deadline'), true],
  ['NOT_FOUND', grpc(5, 'workflow not found'), false],
  ['INVALID_ARGUMENT, wrapped', wrapped(grpc(3, 'bad query')), false],
  ['an unknown workflow', new WorkflowNotFoundError('not found', 'mql-hubspot-1', undefined), false],
  ['any other error', new Error('boom'), false],
])('%s → unavailable: %s', (_name, error, unavailable) => {
  expect(isTemporalUnavailable(error)).toBe(unavailable);
});
