/**
 * `npm run worker` and the worker image's command (`node dist/src/main/worker.js`): the worker alone against
 * TEMPORAL_ADDRESS (a self-hosted cluster with mTLS, or Temporal Cloud with an API key). Every service the org uses
 * needs its credentials; the sandbox belongs to `npm start`.
 */
import { runProcess } from './launcher';

void runProcess({});
