/**
 * The dependency direction, enforced from the import statements of every file under src (static imports, re-exports,
 * `import type`, dynamic `import()` and `require()` alike: a type-only import still pulls the file into a build):
 *
 *   domain ← workflows/definitions.ts + activity-contracts.ts (the contracts) ← workflows ← activities ← src/worker.ts ← src/main
 *
 * with src/config (environment, org config file), src/temporal (connections, binaries) and src/codec (payload
 * encryption, its keys and codec server: used by src/main and the clients, never by activities or workflows) as
 * infrastructure, and src/client and src/sandbox as leaves: neither imports the other nor src/main, and nothing but src/main imports the
 * sandbox. The worker image's build (tsconfig.production.json) reaches no sandbox file.
 *
 * The checker is tested on made-up sources first, so a rule that could never fire would show.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

type Layer =
  | 'domain'
  | 'contracts'
  | 'workflows'
  | 'activities'
  | 'config'
  | 'temporal'
  | 'codec'
  | 'worker'
  | 'client'
  | 'sandbox'
  | 'simulation'
  | 'main';

/**
 * The workflows' contracts with everything outside them (ids, signals, updates, queries, search attributes, the
 * activity interface in activity-contracts.ts): the only workflow files activities, the worker and clients may import.
 */
const CONTRACT_FILES = ['src/workflows/definitions.ts', 'src/workflows/activity-contracts.ts'];

/** Which layer a repository-relative path (src/…) belongs to; null for a path outside every layer. */
function layerOf(file: string): Layer | null {
  if (CONTRACT_FILES.includes(file)) return 'contracts';
  if (file === 'src/worker.ts') return 'worker';
  const top = /^src\/([^/]+)\//.exec(file)?.[1];
  const layers: Record<string, Layer> = {
    domain: 'domain',
    workflows: 'workflows',
    activities: 'activities',
    config: 'config',
    temporal: 'temporal',
    codec: 'codec',
    client: 'client',
    sandbox: 'sandbox',
    simulation: 'simulation',
    main: 'main',
  };
  return (top && layers[top]) || null;
}

const ALL: Layer[] = [
  'domain',
  'contracts',
  'workflows',
  'activities',
  'config',
  'temporal',
  'codec',
  'worker',
  'client',
  'sandbox',
  'simulation',
  'main',
];

/** The layers each layer may import from (its own included). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  domain: ['domain'],
  contracts: ['contracts', 'domain'],
  workflows: ['workflows', 'contracts', 'domain'],
  activities: ['activities', 'contracts', 'domain'],
  config: ['config', 'domain'],
  temporal: ['temporal', 'config', 'contracts', 'domain'],
  codec: ['codec', 'config'],
  worker: ['activities', 'contracts', 'domain'],
  client: ['client', 'simulation', 'activities', 'contracts', 'config', 'temporal', 'codec', 'domain'],
  sandbox: ['sandbox', 'config', 'domain'],
  // The simulated quarter: the product's workflows and activities over in-memory ports, on a test server.
  simulation: ['simulation', 'workflows', 'activities', 'contracts', 'config', 'temporal', 'domain'],
  main: ALL,
};

/** Packages a layer may import; absent: any. */
const PACKAGES_ONLY: Partial<Record<Layer, RegExp>> = {
  domain: /^zod$/,
  contracts: /^@temporalio\/(workflow|common)$/,
  workflows: /^@temporalio\/(workflow|common)$/,
};

/** Packages only some layers may import. */
const PACKAGE_OWNERS: { pattern: RegExp; layers: Layer[]; why: string }[] = [
  {
    pattern: /^@temporalio\/testing$/,
    layers: ['main', 'simulation'],
    why: 'the local dev server is npm start’s (src/main), the time-skipping server the simulation’s',
  },
  { pattern: /^(smtp-server|mailparser)$/, layers: ['sandbox'], why: 'the SMTP sink is the sandbox’s' },
];

interface ImportEdge {
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** Resolved repository-relative path for a relative specifier; null for a package. */
  to: string | null;
  typeOnly: boolean;
  line: number;
}

/** Every module reference in `text`: import/export … from, import x = require(), import(), require(). */
function importsOf(file: string, text: string, exists: (p: string) => boolean): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, specifier: string, typeOnly: boolean): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    edges.push({ from: file, specifier, to: resolve(file, specifier, exists), typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node, node.moduleReference.expression.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(node.arguments[0]!)
    ) {
      add(node, (node.arguments[0] as ts.StringLiteralLike).text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const lit = node.argument.literal;
      if (ts.isStringLiteral(lit)) add(node, lit.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function resolve(from: string, specifier: string, exists: (p: string) => boolean): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (candidate.endsWith('.ts') && exists(candidate)) return candidate;
  }
  return base;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every rule broken by the files given (repository-relative path → source text), one line each. */
function layerViolations(files: Map<string, string>): string[] {
  const exists = (p: string) => files.has(p);
  const problems: string[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file);
    if (!from) {
      problems.push(`${file}: belongs to no layer (add it to layerOf in this test)`);
      continue;
    }
    for (const edge of importsOf(file, text, exists)) {
      const at = `${file}:${edge.line}`;
      if (edge.to === null) {
        if (edge.specifier.startsWith('node:')) {
          if (PACKAGES_ONLY[from]) problems.push(`${at}: ${from} imports "${edge.specifier}" (no I/O here)`);
          continue;
        }
        const pkg = packageName(edge.specifier);
        const only = PACKAGES_ONLY[from];
        if (only && !only.test(pkg)) problems.push(`${at}: ${from} imports the package "${edge.specifier}"`);
        for (const owner of PACKAGE_OWNERS) {
          if (owner.pattern.test(pkg) && !owner.layers.includes(from)) {
            problems.push(`${at}: ${from} imports "${edge.specifier}": ${owner.why}`);
          }
        }
        continue;
      }
      const to = layerOf(edge.to);
      if (to && MAY_IMPORT[from].includes(to)) continue;
      problems.push(
        `${at}: ${from} imports ${to ?? 'a file outside every layer'} (${edge.specifier}${edge.typeOnly ? ', types only' : ''}); ${from} may import ${MAY_IMPORT[from].join(', ')}`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------

const root = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [rel] : [];
  });
}

function repoFiles(files: string[]): Map<string, string> {
  return new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
}

describe('the checker itself', () => {
  const clean = new Map([
    ['src/domain/a.ts', "import { z } from 'zod';\nexport const a = z.string();"],
    ['src/workflows/definitions.ts', "import type { A } from '../domain/a';\nexport {};"],
    ['src/workflows/flow.ts', "import { proxyActivities } from '@temporalio/workflow';\nimport './definitions';"],
    ['src/activities/act.ts', "import '../workflows/definitions';\nimport '../domain/a';"],
    ['src/worker.ts', "import './activities/act';"],
    ['src/config/env.ts', 'export {};'],
    ['src/codec/codec.ts', "import '../config/env';\nimport { createCipheriv } from 'node:crypto';"],
    ['src/client/cli.ts', "import '../activities/act';\nimport '../workflows/definitions';\nimport '../codec/codec';"],
    ['src/sandbox/emu.ts', "import '../domain/a';\nimport { SMTPServer } from 'smtp-server';"],
    ['src/main/start.ts', "import '../sandbox/emu';\nimport '../client/cli';\nimport '../worker';"],
  ]);

  test('accepts sources that keep the rules', () => {
    expect(layerViolations(clean)).toEqual([]);
  });

  test.each([
    [
      'src/domain/a.ts',
      "import { proxyActivities } from '@temporalio/workflow';",
      /domain imports the package "@temporalio\/workflow"/,
    ],
    ['src/domain/a.ts', "import { readFileSync } from 'node:fs';", /domain imports "node:fs" \(no I\/O here\)/],
    [
      'src/domain/a.ts',
      "import type { X } from '../activities/act';",
      /domain imports activities \(\.\.\/activities\/act, types only\)/,
    ],
    [
      'src/workflows/flow.ts',
      "import { Connection } from '@temporalio/client';",
      /workflows imports the package "@temporalio\/client"/,
    ],
    [
      'src/workflows/flow.ts',
      "import '../activities/act';",
      /src\/workflows\/flow\.ts:1: workflows imports activities/,
    ],
    ['src/activities/act.ts', "import '../workflows/flow';", /activities imports workflows/],
    ['src/activities/act.ts', "import type { Sandbox } from '../sandbox/emu';", /activities imports sandbox/],
    ['src/activities/act.ts', "export { x } from '../client/cli';", /activities imports client/],
    ['src/activities/act.ts', "const m = require('../main/start');", /activities imports main/],
    ['src/worker.ts', "void import('./main/start');", /worker imports main/],
    ['src/client/cli.ts', "import { DEMO } from '../sandbox/emu';", /client imports sandbox/],
    ['src/client/cli.ts', "import '../main/start';", /client imports main/],
    ['src/sandbox/emu.ts', "import { K } from '../activities/act';", /sandbox imports activities/],
    ['src/sandbox/emu.ts', "import '../client/cli';", /sandbox imports client/],
    ['src/activities/act.ts', "import '../codec/codec';", /activities imports codec/],
    ['src/workflows/flow.ts', "import type { C } from '../codec/codec';", /workflows imports codec/],
    ['src/worker.ts', "import './codec/codec';", /worker imports codec/],
    ['src/codec/codec.ts', "import '../temporal/connection';", /codec imports temporal/],
    ['src/codec/codec.ts', "import '../client/cli';", /codec imports client/],
    [
      'src/client/cli.ts',
      "import { TestWorkflowEnvironment } from '@temporalio/testing';",
      /the local dev server is npm start/,
    ],
    ['src/activities/act.ts', "import { simpleParser } from 'mailparser';", /the SMTP sink is the sandbox/],
    ['src/extra.ts', 'export {};', /src\/extra\.ts: belongs to no layer/],
  ])('%s with %s is refused', (file, statement, message) => {
    const files = new Map(clean);
    files.set(file, `${statement}\n${files.get(file) ?? ''}`);
    const problems = layerViolations(files);
    expect(problems).toEqual([expect.stringMatching(message)]);
  });
});

test('every file under src keeps the layer rules', () => {
  const files = sourceFiles('src');
  expect(files.length).toBeGreaterThan(50);
  expect(layerViolations(repoFiles(files))).toEqual([]);
});

test('the worker image build (tsconfig.production.json) reaches no sandbox file and no npm start entry point', () => {
  const configPath = path.join(root, 'tsconfig.production.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  expect(read.error).toBeUndefined();
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  const roots = parsed.fileNames.map((f) => path.relative(root, f).split(path.sep).join('/'));
  expect(roots).toEqual(expect.arrayContaining(['src/main/worker.ts', 'src/main/bridge.ts', 'src/worker.ts']));

  const all = repoFiles([...sourceFiles('src'), ...sourceFiles('scripts')]);
  const reached = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (reached.has(file) || !all.has(file)) continue;
    reached.add(file);
    for (const edge of importsOf(file, all.get(file)!, (p) => all.has(p))) if (edge.to) queue.push(edge.to);
  }
  expect(reached.has('src/main/worker.ts')).toBe(true);
  expect(reached.has('src/client/cli/main.ts')).toBe(true);
  expect(
    [...reached].filter(
      (f) => f.startsWith('src/sandbox/') || f === 'src/main/start.ts' || f === 'src/main/dev-server.ts',
    ),
  ).toEqual([]);
});
