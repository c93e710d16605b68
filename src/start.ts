/**
 * `npm start`: the whole product on one machine. With no TEMPORAL_ADDRESS it starts a local Temporal dev server
 * (UI on :8233, SQLite under .data/ so leads survive a restart), the sandbox emulators for every service without
 * credentials, the worker and the webhook bridge.
 */
import { runProcess } from './run';

void runProcess({ embedded: true });
