/**
 * Process configuration from the environment, validated once at start-up. A bad or missing value stops the
 * process with the variable's name and what was expected. Secrets are read here and never logged: use
 * `describeEnv()` for a loggable summary.
 */
import { z } from 'zod';
import { CodecKeyFormatError, parseCodecKeys } from './codec-keys';

const port = z.coerce
  .number({ invalid_type_error: 'expected a port number' })
  .int('expected a whole number')
  .min(1, 'expected a port between 1 and 65535')
  .max(65535, 'expected a port between 1 and 65535');
const url = z.string().url('expected a URL such as https://example.com');
const nonEmpty = z.string().min(1, 'expected a non-empty value');
const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/, 'expected host:port, e.g. localhost:7233');
const origins = z.string().refine(
  (v) =>
    v.split(',').every((o) => {
      try {
        const u = new URL(o.trim());
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.trim();
      } catch {
        return false;
      }
    }),
  'expected comma-separated origins such as http://localhost:8233 (scheme://host[:port], no path, no trailing slash)',
);
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' || v === undefined ? undefined : v), schema.optional());

export const envSchema = z
  .object({
    NODE_ENV: optional(z.enum(['development', 'production', 'test'])),
    LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error'])),

    // Temporal
    TEMPORAL_ADDRESS: optional(hostPort),
    TEMPORAL_NAMESPACE: optional(nonEmpty),
    TEMPORAL_TASK_QUEUE: optional(nonEmpty),
    /** PEM file path or the PEM text itself. */
    TEMPORAL_TLS_CERT: optional(nonEmpty),
    TEMPORAL_TLS_KEY: optional(nonEmpty),
    TEMPORAL_TLS_CA: optional(nonEmpty),
    TEMPORAL_TLS_SERVER_NAME: optional(nonEmpty),
    TEMPORAL_API_KEY: optional(nonEmpty),
    TEMPORAL_CLI_PATH: optional(nonEmpty),
    TEMPORAL_TEST_SERVER_PATH: optional(nonEmpty),
    TEMPORAL_DEV_PORT: optional(port),
    TEMPORAL_UI_PORT: optional(port),
    MQL_HANDOFF_DATA_DIR: optional(nonEmpty),
    MQL_HANDOFF_CACHE_DIR: optional(nonEmpty),

    // The organisation
    HANDOFF_CONFIG: optional(nonEmpty),

    // HubSpot
    HUBSPOT_ACCESS_TOKEN: optional(nonEmpty),
    HUBSPOT_BASE_URL: optional(url),
    HUBSPOT_CLIENT_SECRET: optional(nonEmpty),

    // Salesforce
    SALESFORCE_LOGIN_URL: optional(url),
    SALESFORCE_INSTANCE_URL: optional(url),
    SALESFORCE_CLIENT_ID: optional(nonEmpty),
    SALESFORCE_CLIENT_SECRET: optional(nonEmpty),
    SALESFORCE_REFRESH_TOKEN: optional(nonEmpty),
    SALESFORCE_USERNAME: optional(nonEmpty),
    SALESFORCE_PASSWORD: optional(nonEmpty),
    SALESFORCE_API_VERSION: optional(z.string().regex(/^\d{2}\.0$/, 'expected an API version such as 62.0')),
    /** Queue or user that owns a rejected Lead/Contact (Salesforce requires an owner). */
    SALESFORCE_NURTURE_QUEUE_ID: optional(
      z.string().regex(/^00[5G][A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/, 'expected a queue (00G…) or user (005…) id'),
    ),
    SALESFORCE_ORG_ID: optional(z.string().regex(/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/, 'expected an org id 00D…')),

    // Slack
    SLACK_BOT_TOKEN: optional(z.string().regex(/^xox[bp]-/, 'expected a bot token starting with xoxb-')),
    SLACK_API_URL: optional(url),
    SLACK_SIGNING_SECRET: optional(nonEmpty),

    // Email
    SMTP_URL: optional(z.string().regex(/^smtps?:\/\//, 'expected smtp://user:pass@host:port or smtps://…')),
    EMAIL_FROM: optional(nonEmpty),
    /** File recording the emails sent (by Message-ID), so a restarted worker does not send them again. */
    EMAIL_SENT_RECORD: optional(nonEmpty),

    // Bridge
    BRIDGE_PORT: optional(port),
    /** Public base URL of the bridge, for the Slack interactivity and HubSpot webhook URLs (signatures cover it). */
    BRIDGE_PUBLIC_URL: optional(url),
    BRIDGE_HOST: optional(nonEmpty),

    // The worker's Prometheus endpoint (GET /metrics): handoff-health figures and process metrics; 0 turns it off
    METRICS_PORT: optional(
      z.coerce
        .number({ invalid_type_error: 'expected a port number, or 0 to turn the endpoint off' })
        .int('expected a whole number')
        .min(0, 'expected a port between 1 and 65535, or 0 to turn the endpoint off')
        .max(65535, 'expected a port between 1 and 65535, or 0 to turn the endpoint off'),
    ),
    METRICS_HOST: optional(nonEmpty),

    // Sandbox emulators (used for every service that is not configured)
    SANDBOX_BASE_PORT: optional(port),

    // Payload encryption (src/codec) and its codec server
    /** `<id>:<base64 32 bytes>[,…]`: the first encrypts, all decrypt. Required in production. */
    HANDOFF_CODEC_KEYS: optional(nonEmpty),
    HANDOFF_CODEC_PORT: optional(port),
    HANDOFF_CODEC_HOST: optional(nonEmpty),
    /** Browser origins (the Temporal UI's) allowed to call the codec server. */
    HANDOFF_CODEC_CORS_ORIGINS: optional(origins),
    /** The codec server requires `Authorization: Bearer <this>`. Required in production. */
    HANDOFF_CODEC_AUTH_TOKEN: optional(z.string().min(16, 'expected a random token of at least 16 characters')),
  })
  .superRefine((e, ctx) => {
    if (e.HANDOFF_CODEC_KEYS) {
      try {
        parseCodecKeys(e.HANDOFF_CODEC_KEYS);
      } catch (err) {
        if (!(err instanceof CodecKeyFormatError)) throw err;
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['HANDOFF_CODEC_KEYS'], message: err.message });
      }
    }
    if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [e.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'],
        message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both or neither',
      });
    }
    if (e.SALESFORCE_CLIENT_ID && !e.SALESFORCE_REFRESH_TOKEN && !(e.SALESFORCE_USERNAME && e.SALESFORCE_PASSWORD)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SALESFORCE_REFRESH_TOKEN'],
        message:
          'with SALESFORCE_CLIENT_ID set, expected SALESFORCE_REFRESH_TOKEN or SALESFORCE_USERNAME + SALESFORCE_PASSWORD',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly issues: { variable: string; message: string; value?: string }[]) {
    super(
      'invalid environment:\n' +
        issues.map((i) => `  - ${i.variable}${i.value !== undefined ? ` = ${i.value}` : ''}: ${i.message}`).join('\n'),
    );
    this.name = 'EnvError';
  }
}

const SECRET_VARIABLES = new Set([
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_API_KEY',
  'HUBSPOT_ACCESS_TOKEN',
  'HUBSPOT_CLIENT_SECRET',
  'SALESFORCE_CLIENT_SECRET',
  'SALESFORCE_REFRESH_TOKEN',
  'SALESFORCE_PASSWORD',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SMTP_URL',
  'HANDOFF_CODEC_KEYS',
  'HANDOFF_CODEC_AUTH_TOKEN',
]);

export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLES.has(name);
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  throw new EnvError(
    parsed.error.issues.map((i) => {
      const variable = String(i.path[0] ?? '(environment)');
      const raw = source[variable];
      return {
        variable,
        message: i.message,
        // Name the bad value, unless it is a secret.
        value: raw === undefined || isSecretVariable(variable) ? undefined : JSON.stringify(raw),
      };
    }),
  );
}

export interface TemporalSettings {
  /** Absent: `npm start` runs an embedded dev server. */
  address?: string;
  namespace: string;
  taskQueue: string;
  tls?: { cert: string; key: string; ca?: string; serverName?: string };
  apiKey?: string;
}

export function temporalSettings(env: Env): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'mql-handoff',
    tls:
      env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY
        ? {
            cert: env.TEMPORAL_TLS_CERT,
            key: env.TEMPORAL_TLS_KEY,
            ca: env.TEMPORAL_TLS_CA,
            serverName: env.TEMPORAL_TLS_SERVER_NAME,
          }
        : undefined,
    apiKey: env.TEMPORAL_API_KEY,
  };
}

/**
 * Where `npm start` runs Temporal when TEMPORAL_ADDRESS names no cluster: its dev server on TEMPORAL_DEV_PORT
 * (default 7233). The CLI dials it when no address is given, so it follows a dev server moved to another port.
 */
export function localTemporalAddress(env: Pick<Env, 'TEMPORAL_DEV_PORT'>): string {
  return `localhost:${env.TEMPORAL_DEV_PORT ?? 7233}`;
}

/** Where `npm start` runs the bridge: BRIDGE_PORT (default 3000) on this machine. */
export function localBridgeUrl(env: Pick<Env, 'BRIDGE_PORT'>): string {
  return `http://localhost:${env.BRIDGE_PORT ?? 3000}`;
}

/** A loggable one-line-per-setting summary: names and non-secret values only. */
export function describeEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    out[k] = isSecretVariable(k) ? '(set)' : String(v);
  }
  return out;
}

/** Where the codec server listens and whom it answers (src/codec/codec-server.ts). */
export interface CodecServerSettings {
  port: number;
  host: string;
  /** Browser origins allowed by CORS; empty: no browser (the Temporal CLI needs none). */
  corsOrigins: string[];
  /** When set, /encode and /decode require `Authorization: Bearer <authToken>`. */
  authToken?: string;
  /** The namespace whose payloads it serves (a request's X-Namespace must name it). */
  namespace: string;
}

export function codecServerSettings(env: Env): CodecServerSettings {
  const production = env.NODE_ENV === 'production';
  const uiPort = env.TEMPORAL_UI_PORT ?? 8233;
  return {
    port: env.HANDOFF_CODEC_PORT ?? uiPort + 1,
    host: env.HANDOFF_CODEC_HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    corsOrigins: env.HANDOFF_CODEC_CORS_ORIGINS
      ? env.HANDOFF_CODEC_CORS_ORIGINS.split(',').map((o) => o.trim())
      : production
        ? []
        : [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
    authToken: env.HANDOFF_CODEC_AUTH_TOKEN,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
  };
}
