/**
 * Connections to a Temporal cluster for the worker (NativeConnection) and for clients (bridge, CLI, activities that
 * talk to the team roster). The same settings serve a local dev server, a self-hosted cluster with mTLS, and
 * Temporal Cloud with an API key. A client always gets the handoff's data converter (src/codec: lead data is
 * encrypted before it reaches Temporal), so no caller can forget it.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { existsSync, readFileSync } from 'node:fs';
import type { TemporalSettings } from '../config/env';

/** A PEM value may be given inline or as a file path. */
function pem(valueOrPath: string, variable: string): Buffer {
  if (valueOrPath.includes('-----BEGIN')) return Buffer.from(valueOrPath);
  if (!existsSync(valueOrPath)) {
    throw new Error(`${variable}: no such file "${valueOrPath}" (expected a PEM file path or the PEM text)`);
  }
  return readFileSync(valueOrPath);
}

function tlsOptions(s: TemporalSettings): ConnectionOptions['tls'] {
  if (s.tls) {
    return {
      serverNameOverride: s.tls.serverName,
      serverRootCACertificate: s.tls.ca ? pem(s.tls.ca, 'TEMPORAL_TLS_CA') : undefined,
      clientCertPair: { crt: pem(s.tls.cert, 'TEMPORAL_TLS_CERT'), key: pem(s.tls.key, 'TEMPORAL_TLS_KEY') },
    };
  }
  // Temporal Cloud with an API key always speaks TLS.
  return s.apiKey ? true : undefined;
}

/**
 * gRPC reconnect backoff of every client connection. grpc-js waits 1 s after a failed connect and 1.6 times longer
 * after each further failure, up to 2 minutes, and the Temporal client's retry interceptor turns the calls made
 * meanwhile into DEADLINE_EXCEEDED rather than UNAVAILABLE, so a caller cannot tell a stale channel from a slow
 * server: after an outage of a minute the channel stayed unconnected for ~18 s after Temporal was back (the
 * bridge's 503s after a restart, issue 9.6). Capped at 1 s, a connection finds a returning cluster within about a
 * second; one connect attempt a second to a cluster that is down costs nothing.
 */
export const CLIENT_RECONNECT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
} as const;

export function addressOf(s: TemporalSettings): string {
  return s.address ?? 'localhost:7233';
}

/** `dataConverter`: the one the worker uses (src/codec/keys.ts `codecFromEnv(env).dataConverter`). */
export async function connectClient(s: TemporalSettings, dataConverter: DataConverter): Promise<Client> {
  const connection = await Connection.connect({
    address: addressOf(s),
    tls: tlsOptions(s),
    apiKey: s.apiKey,
    connectTimeout: '10s',
    channelArgs: { ...CLIENT_RECONNECT_CHANNEL_ARGS },
  });
  return new Client({ connection, namespace: s.namespace, dataConverter });
}

export async function connectWorkerConnection(s: TemporalSettings): Promise<NativeConnection> {
  const options: NativeConnectionOptions = { address: addressOf(s), tls: tlsOptions(s), apiKey: s.apiKey };
  return NativeConnection.connect(options);
}
