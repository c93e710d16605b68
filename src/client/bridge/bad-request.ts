/**
 * What the bridge says about input it refuses: `{ error, field?, expected? }`, the same shape in every 4xx answer
 * and in the per-event results of a batch. Messages name fields and the expected form, never lead data.
 */
export interface Problem {
  error: string;
  /** Where in the request, e.g. `x-slack-signature`, `[3].objectId`, `payload.actions[0].value`. */
  field?: string;
  expected?: string;
}

export class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.error);
    this.name = 'BadRequest';
  }
}

export function problem(error: string, field?: string, expected?: string): Problem {
  return { error, ...(field !== undefined ? { field } : {}), ...(expected !== undefined ? { expected } : {}) };
}
