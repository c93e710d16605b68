/**
 * HubSpot's error envelope, as the public API answers it:
 * `{ status: "error", message, correlationId, category, errors: [{ message, code, context: { propertyName: [...] } }] }`
 * plus the rate-limit variant (`errorType: "RATE_LIMIT"`, `policyName`).
 */
import { randomUUID } from 'node:crypto';

export interface HubSpotErrorDetail {
  message: string;
  code?: string;
  in?: string;
  subCategory?: string;
  context?: Record<string, string[]>;
}

export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category?: string;
  subCategory?: string;
  errors?: HubSpotErrorDetail[];
  context?: Record<string, string[]>;
  errorType?: string;
  policyName?: string;
  groupName?: string;
}

/** Thrown by the store and route handlers; the emulator turns it into the HTTP answer. */
export class HubSpotApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: HubSpotErrorBody,
  ) {
    super(body.message);
    this.name = 'HubSpotApiError';
  }
}

export function errorBody(
  message: string,
  category: string | undefined,
  extra: Partial<Omit<HubSpotErrorBody, 'status' | 'message' | 'correlationId'>> = {},
): HubSpotErrorBody {
  const body: HubSpotErrorBody = { status: 'error', message, correlationId: randomUUID() };
  if (category) body.category = category;
  return { ...body, ...extra };
}

/** One invalid property value, as HubSpot lists it in "Property values were not valid". */
export interface PropertyIssue {
  name: string;
  code: string;
  message: string;
}

export function invalidProperties(issues: PropertyIssue[]): HubSpotApiError {
  const listed = issues.map((i) => ({
    isValid: false,
    message: i.message,
    error: i.code,
    name: i.name,
    localizedErrorMessage: i.message,
  }));
  return new HubSpotApiError(
    400,
    errorBody(`Property values were not valid: ${JSON.stringify(listed)}`, 'VALIDATION_ERROR', {
      errors: issues.map((i) => ({ message: i.message, code: i.code, context: { propertyName: [i.name] } })),
    }),
  );
}

export function badRequest(message: string, context?: Record<string, string[]>): HubSpotApiError {
  return new HubSpotApiError(400, errorBody(message, 'VALIDATION_ERROR', context ? { context } : {}));
}

export function notFound(message: string, context?: Record<string, string[]>): HubSpotApiError {
  return new HubSpotApiError(404, errorBody(message, 'OBJECT_NOT_FOUND', context ? { context } : {}));
}

export function conflict(message: string, context?: Record<string, string[]>): HubSpotApiError {
  return new HubSpotApiError(409, errorBody(message, 'CONFLICT', context ? { context } : {}));
}

export function unauthorized(): HubSpotApiError {
  return new HubSpotApiError(
    401,
    errorBody(
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      'INVALID_AUTHENTICATION',
    ),
  );
}

export function rateLimitedBody(): HubSpotErrorBody {
  return errorBody('You have reached your ten_secondly_rolling limit.', undefined, {
    errorType: 'RATE_LIMIT',
    policyName: 'TEN_SECONDLY_ROLLING',
    groupName: 'publicapi:private-app:ten-secondly',
  });
}

export function serverErrorBody(status: number): HubSpotErrorBody {
  return errorBody(
    status === 503 ? 'Service unavailable, please retry' : 'internal error',
    status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR',
  );
}
