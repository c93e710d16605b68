/**
 * No Docker engine runs here, so the production-like topology is checked by shape: the services, images, ports,
 * the search attributes it registers and the environment the worker and bridge need.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { envSchema } from '../src/config/env';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../src/workflows/definitions';

const root = path.resolve(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Record<string, unknown> & { environment?: Record<string, unknown>; ports?: string[] }>;
};
const services = compose.services;

test('has Temporal on PostgreSQL, the UI, the search-attribute registration, the worker, the bridge and the codec server', () => {
  expect(Object.keys(services).sort()).toEqual(
    ['bridge', 'codec-server', 'postgresql', 'temporal', 'temporal-search-attributes', 'temporal-ui', 'worker'].sort(),
  );
  expect(services.postgresql!.image).toMatch(/^postgres:\d+/);
  expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
  expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  expect(services.temporal!.ports).toContain('7233:7233');
  expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
  expect(services['temporal-ui']!.ports).toContain('8233:8080');
  expect(services['temporal-ui']!.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
});

test('registers every custom search attribute the workflows write, with its type', () => {
  const script = JSON.stringify(services['temporal-search-attributes']!.command);
  for (const { name, cliType } of SEARCH_ATTRIBUTE_DEFINITIONS) expect(script).toContain(`${name}=${cliType}`);
});

test('keeps closed workflows 30 days (week-over-week health needs 14) and exposes the worker’s /metrics', () => {
  const script = JSON.stringify(services['temporal-search-attributes']!.command);
  expect(script).toContain('temporal operator namespace update --namespace default --retention 30d');
  expect(services.worker!.environment).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '0.0.0.0' });
  expect(services.worker!.ports).toContain('9464:9464');
});

test.each(['worker', 'bridge'])('%s is built from the repository and configured for production', (name) => {
  const svc = services[name]!;
  expect(svc.build).toBe('.');
  expect(svc.environment).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233' });
  // Every variable it passes is one the app knows (a typo would be silently ignored).
  const known = Object.keys(envSchema._def.schema.shape);
  for (const key of Object.keys(svc.environment!)) expect(known).toContain(key);
  for (const secret of ['HUBSPOT_ACCESS_TOKEN', 'SLACK_BOT_TOKEN', 'SMTP_URL'])
    expect(svc.environment).toHaveProperty(secret);
  // Compose itself refuses to start without the payload keys (${VAR:?message}).
  expect(svc.environment!.HANDOFF_CODEC_KEYS).toMatch(/^\$\{HANDOFF_CODEC_KEYS:\?.+\}$/);
});

test('the codec server runs from the same image for production: keys and an auth token required, the UI origin', () => {
  const svc = services['codec-server']!;
  expect(svc.build).toBe('.');
  expect(svc.command).toEqual(['node', 'dist/src/main/codec-server.js']);
  expect(svc.ports).toContain('8234:8234');
  expect(svc.environment).toMatchObject({
    NODE_ENV: 'production',
    HANDOFF_CODEC_HOST: '0.0.0.0',
    HANDOFF_CODEC_PORT: 8234,
    HANDOFF_CODEC_CORS_ORIGINS: 'http://localhost:8233',
  });
  expect(svc.environment!.HANDOFF_CODEC_KEYS).toMatch(/^\$\{HANDOFF_CODEC_KEYS:\?.+\}$/);
  expect(svc.environment!.HANDOFF_CODEC_AUTH_TOKEN).toMatch(/^\$\{HANDOFF_CODEC_AUTH_TOKEN:\?.+\}$/);
  const known = Object.keys(envSchema._def.schema.shape);
  for (const key of Object.keys(svc.environment!)) expect(known).toContain(key);
});

test('the bridge listens on 3000 and the commands point at compiled entry points', () => {
  expect(services.bridge!.ports).toContain('3000:3000');
  expect(services.worker!.command).toEqual(['node', 'dist/src/main/worker.js']);
  expect(services.bridge!.command).toEqual(['node', 'dist/src/main/bridge.js']);
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/RUN npm ci/);
  expect(dockerfile).toMatch(/COPY config/);
  expect(dockerfile).toMatch(/CMD \["node", "dist\/src\/main\/worker\.js"\]/);
});

test('the image is built without the sandbox: production tsconfig, and a build context that leaves it out', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(dockerfile).toMatch(/RUN npm run build:production/);
  expect(dockerfile).not.toMatch(/npm run build(?!:production)/);
  expect(pkg.scripts['build:production']).toBe('tsc -p tsconfig.production.json');
  const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.production.json'), 'utf8')) as {
    include: string[];
    exclude: string[];
  };
  expect(tsconfig.exclude).toEqual(expect.arrayContaining(['src/sandbox', 'src/main/start.ts']));
  expect(tsconfig.include).not.toContain('bench');
  const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  expect(ignored).toEqual(expect.arrayContaining(['src/sandbox', 'src/main/start.ts', 'bench', 'test']));
});
