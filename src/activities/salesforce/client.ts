/**
 * One jsforce Connection per adapter instance, logged in lazily on first use and kept alive:
 *
 *  - refresh-token flow (clientId [+ clientSecret] + refreshToken) or OAuth username-password flow
 *    (clientId + clientSecret + username + password); optionally starting from a known accessToken + instanceUrl
 *  - an expired session (401 INVALID_SESSION_ID) is renewed once, through jsforce's session-refresh delegate with
 *    our own refresh function, for both flows, and the call is replayed (see SalesforceTransport)
 *  - every call goes through `run`, which maps failures to ServiceError with the operation's context
 *  - every request, token requests included, passes one Retry-After gate (SalesforceTransport): after a 429 nothing
 *    of this connection goes out until Salesforce's Retry-After has passed
 *
 * jsforce logging is forced off for this connection: its debug output would include session ids and record data.
 */
import { Connection, type TokenResponse } from 'jsforce';
import { RetryAfterGate } from '../retry-after-gate';
import { toServiceError, type ErrorMappingOptions, type OperationContext } from './errors';
import { SalesforceTransport } from './transport';

/** Where the org is and how to obtain a session (from the environment; never logged). */
export interface SalesforceCredentials {
  /** https://login.salesforce.com, https://test.salesforce.com or the org's My Domain URL. */
  loginUrl: string;
  /** Needed only with `accessToken`; otherwise the token endpoint says where the org lives. */
  instanceUrl?: string;
  /** Connected app consumer key and secret. */
  clientId?: string;
  clientSecret?: string;
  /** Refresh-token flow (preferred). */
  refreshToken?: string;
  /** OAuth username-password flow (password + security token when the org requires it). */
  username?: string;
  password?: string;
  /** A session to start with; renewed through the refresh token or username/password when it expires. */
  accessToken?: string;
}

export interface SalesforceConnectionOptions extends SalesforceCredentials, ErrorMappingOptions {
  apiVersion: string;
  requestTimeoutMs: number;
  /** In-process wait budget for a Retry-After window (RetryAfterGate's maxWaitMs). */
  retryAfterWaitMs?: number;
}

type Grant =
  | { kind: 'refresh_token'; refreshToken: string }
  | { kind: 'password'; username: string; password: string }
  | null;

export class SalesforceClient {
  private readonly conn: Connection;
  private readonly grant: Grant;
  private login: Promise<void> | null = null;
  /** Why the last session refresh failed; jsforce hides it behind a plain Error. */
  private refreshFailure: unknown;

  constructor(private readonly opts: SalesforceConnectionOptions) {
    this.grant = opts.refreshToken
      ? { kind: 'refresh_token', refreshToken: opts.refreshToken }
      : opts.username && opts.password
        ? { kind: 'password', username: opts.username, password: opts.password }
        : null;
    this.conn = new Connection({
      loginUrl: opts.loginUrl,
      instanceUrl: opts.accessToken ? opts.instanceUrl : undefined,
      accessToken: opts.accessToken,
      version: opts.apiVersion,
      logLevel: 'NONE',
      oauth2: { loginUrl: opts.loginUrl, clientId: opts.clientId, clientSecret: opts.clientSecret },
      refreshFn: this.grant ? (_conn, callback) => this.renewSession(callback) : undefined,
    });
    const transport = new SalesforceTransport(
      opts.requestTimeoutMs,
      this.grant !== null,
      new RetryAfterGate('salesforce', { maxWaitMs: opts.retryAfterWaitMs }),
    );
    this.conn._transport = transport;
    this.conn.oauth2._transport = transport;
  }

  /** Runs `fn` with a live session; any failure comes out as a ServiceError describing `ctx`. */
  async run<T>(ctx: OperationContext, fn: (conn: Connection) => Promise<T>): Promise<T> {
    try {
      await this.ensureSession();
    } catch (e) {
      throw toServiceError(e, { ...ctx, operation: `${ctx.operation} (login)` }, this.opts);
    }
    try {
      return await fn(this.conn);
    } catch (e) {
      throw toServiceError(e, ctx, this.opts, this.refreshFailure);
    }
  }

  /** A link a rep can click: the record in Lightning Experience. */
  recordUrl(objectType: string, id: string): string {
    return `${this.conn.instanceUrl}/lightning/r/${objectType}/${id}/view`;
  }

  private ensureSession(): Promise<void> {
    if (this.conn.accessToken) return Promise.resolve();
    this.login ??= this.requestToken()
      .then((res) => this.establish(res))
      .finally(() => {
        this.login = null;
      });
    return this.login;
  }

  private requestToken(): Promise<TokenResponse> {
    if (!this.grant) throw new Error('no refresh token or username/password to obtain a Salesforce session with');
    return this.grant.kind === 'refresh_token'
      ? this.conn.oauth2.refreshToken(this.grant.refreshToken)
      : this.conn.oauth2.authenticate(this.grant.username, this.grant.password);
  }

  private establish(res: TokenResponse): void {
    if (!res.access_token || !res.instance_url) {
      throw new Error('the Salesforce token endpoint answered without access_token or instance_url');
    }
    this.conn._establish({ accessToken: res.access_token, instanceUrl: res.instance_url });
  }

  /** jsforce's SessionRefreshFunc: called on 401 INVALID_SESSION_ID, once for any number of concurrent calls. */
  private renewSession(callback: (err: Error | null, accessToken?: string, res?: TokenResponse) => void): void {
    void (async () => {
      try {
        const res = await this.requestToken();
        this.establish(res);
        this.refreshFailure = undefined;
        callback(null, res.access_token, res);
      } catch (err) {
        this.refreshFailure = err;
        callback(err instanceof Error ? err : new Error(String(err)));
      }
    })();
  }
}
