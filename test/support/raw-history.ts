/**
 * What someone with read access to the Temporal cluster sees: a workflow's history and description exactly as the
 * server returns them (raw gRPC, no data converter), as protobuf bytes and as protobuf JSON, and where in them the
 * payloads are.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface RawHistory {
  history: temporal.api.history.v1.History;
  /** The history as the server stores and sends it (protobuf bytes). */
  bytes: Buffer;
}

export async function rawHistory(connection: Connection, namespace: string, workflowId: string): Promise<RawHistory> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId },
      nextPageToken,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  const history = temporal.api.history.v1.History.create({ events });
  return { history, bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()) };
}

export async function rawDescriptionBytes(
  connection: Connection,
  namespace: string,
  workflowId: string,
): Promise<Buffer> {
  const d = await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
  return Buffer.from(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(d).finish());
}

/** The needles (UTF-8) that occur in the bytes. */
export function occurring(bytes: Buffer, needles: string[]): string[] {
  return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));
}

export interface FoundPayload {
  /** JSON path in the history, e.g. events.5.activityTaskCompletedEventAttributes.result.payloads.0 */
  path: string;
  encoding: string;
  keyId?: string;
  /** The payload in protobuf JSON (bytes base64), as the UI hands it to a codec server. */
  json: { metadata: Record<string, string>; data?: string };
}

/**
 * Every Payload in a history (objects with metadata.encoding), with its path. Takes the message or its protobuf
 * JSON (what `temporal workflow show --output json` prints).
 */
export function payloadsIn(history: temporal.api.history.v1.History | object): FoundPayload[] {
  const found: FoundPayload[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}.${i}`));
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    const metadata = o.metadata as Record<string, string> | undefined;
    if (metadata && typeof metadata.encoding === 'string') {
      const text = (b64?: string) => (b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8'));
      found.push({
        path: path.slice(1),
        encoding: text(metadata.encoding)!,
        keyId: text(metadata['encryption-key-id']),
        json: { metadata, ...(typeof o.data === 'string' ? { data: o.data } : {}) },
      });
      return;
    }
    for (const [k, v] of Object.entries(o)) visit(v, `${path}.${k}`);
  };
  const json = (history as { toJSON?: () => object }).toJSON;
  visit(typeof json === 'function' ? json.call(history) : history, '');
  return found;
}
