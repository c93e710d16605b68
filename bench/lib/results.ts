/**
 * The bench's one table (figure, target, measured, ratio) and its JSON record under bench/results/, with the
 * machine it ran on, so runs on different machines or commits can be compared.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './repo';
import { fmtMs } from './stats';

export type Unit = 'ms' | 'MB' | 'per_s' | 'x' | 'pct' | 'count';

export interface Target {
  op: '<=' | '>=';
  value: number;
}

export interface Row {
  /** Stable key for comparing runs, e.g. `p1.rate10.dm_p99`. */
  id: string;
  figure: string;
  unit: Unit;
  measured: number;
  target?: Target;
  note?: string;
}

export interface ScoredRow extends Row {
  /** measured ÷ target: below 1 is good for "≤" targets, above 1 for "≥". */
  ratio?: number;
  met?: boolean;
}

export function score(row: Row): ScoredRow {
  if (!row.target || !Number.isFinite(row.measured)) return { ...row };
  const ratio = row.measured / row.target.value;
  const met = row.target.op === '<=' ? row.measured <= row.target.value : row.measured >= row.target.value;
  return { ...row, ratio, met };
}

export function fmtValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'ms':
      return fmtMs(value);
    case 'MB':
      return `${value.toFixed(0)} MB`;
    case 'per_s':
      return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}/s`;
    case 'x':
      return `${value.toFixed(2)}×`;
    case 'pct':
      return `${value.toFixed(0)}%`;
    case 'count':
      return String(Math.round(value));
  }
}

export function formatTable(rows: readonly ScoredRow[]): string {
  const cells = rows.map((r) => [
    r.figure,
    r.target ? `${r.target.op === '<=' ? '≤' : '≥'} ${fmtValue(r.target.value, r.unit)}` : '',
    fmtValue(r.measured, r.unit),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)} ${r.met ? '✓' : '✗'}`,
  ]);
  const head = ['figure', 'target', 'measured', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string =>
    `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.figure}: ${r.note}`);
  return [line(head), rule, ...cells.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryMB: number;
  platform: string;
  arch: string;
  node: string;
  /** 1-minute load average when the bench started and ended: other work on the machine skews every figure. */
  loadAverage: { start: number; end?: number };
}

export function describeMachine(): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${process.platform} ${os.release()}`,
    arch: process.arch,
    node: process.version,
    loadAverage: { start: os.loadavg()[0]! },
  };
}

export interface BenchRecord {
  startedAt: string;
  finishedAt: string;
  /** full: the issue's sizes; quick: CI's; custom: --seconds / --p4-leads given (see params). */
  mode: 'full' | 'quick' | 'custom';
  /** Which Temporal server the figures ran against. */
  server: string;
  commit: string | null;
  machine: Machine;
  params: Record<string, unknown>;
  rows: ScoredRow[];
  /** Per-figure raw summaries and samples of what bounds them. */
  details: Record<string, unknown>;
}

export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return null;
  }
}

/** Writes bench/results/<time>-<server>-<mode>.json; returns the path. */
export function writeRecord(record: BenchRecord, dir = path.join(repoRoot(), 'bench', 'results')): string {
  mkdirSync(dir, { recursive: true });
  const stamp = record.startedAt.replace(/[:.]/g, '-').replace(/-\d\d\dZ$/, 'Z');
  const file = path.join(dir, `${stamp}-${record.server}-${record.mode}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
