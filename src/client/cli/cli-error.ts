/**
 * How `handoff` ends: 0 done; 1 the workflow (or the bridge) refused; 2 bad input — unknown lead, rep, reason,
 * option or argument; 3 could not reach Temporal or the bridge (the message names the address tried).
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(EXIT.usage, message);
export const refused = (message: string): CliError => new CliError(EXIT.refused, message);
export const unreachable = (message: string): CliError => new CliError(EXIT.unreachable, message);
