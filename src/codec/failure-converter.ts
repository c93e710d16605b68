/**
 * Failure messages and stack traces go through the payload codec too (`encodeCommonAttributes`): an activity
 * failure can quote what a CRM answered, lead data included. History then shows "Encoded failure"; the clients,
 * the Temporal UI (through the codec server) and the CLI decode the real message.
 *
 * Loaded by path (`failureConverterPath`) by the worker, the clients and the workflow bundle, so it imports only
 * @temporalio/common.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
