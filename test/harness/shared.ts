/**
 * What the global setup hands to test files (through one environment variable, since jest workers are separate
 * processes started after the setup).
 */
export interface SharedTemporalServers {
  devServer: { address: string; namespace: string };
  timeSkipping: { address: string };
  /** Workflow code bundled once per run. */
  workflowBundlePath: string;
  /** Directory used as a mutex so time-skipping test files run one at a time (time is global to that server). */
  timeSkippingLock: string;
}

export const SHARED_ENV_VAR = 'MQL_HANDOFF_TEST_TEMPORAL';
