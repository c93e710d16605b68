/** Salesforce's REST error envelope: an array of `{message, errorCode, fields}` with an HTTP status. */

export interface SalesforceErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

export class SalesforceFault extends Error {
  constructor(
    readonly status: number,
    readonly errors: SalesforceErrorBody[],
  ) {
    super(errors.map((e) => `${e.errorCode}: ${e.message}`).join('; '));
    this.name = 'SalesforceFault';
  }
}

export function fault(status: number, errorCode: string, message: string, fields?: string[]): SalesforceFault {
  return new SalesforceFault(status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);
}

export const notFound = (): SalesforceFault => fault(404, 'NOT_FOUND', 'The requested resource does not exist');
