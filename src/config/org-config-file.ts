/**
 * Reads the organisation's configuration file (YAML or JSON) named by HANDOFF_CONFIG, default
 * config/handoff.config.yaml, and validates it. A bad file stops start-up with the path of each bad field.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { OrgConfigError, parseOrgConfig, type OrgConfig } from '../domain/org-config';

/** config/handoff.config.yaml at the repository root, seen from src/config (ts-jest) or dist/src/config (built). */
const SAMPLE_CONFIG = [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..', '..', '..')]
  .map((root) => path.join(root, 'config', 'handoff.config.yaml'))
  .find((file) => existsSync(file));

export function resolveOrgConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HANDOFF_CONFIG) return path.resolve(env.HANDOFF_CONFIG);
  if (!SAMPLE_CONFIG)
    throw new OrgConfigError('HANDOFF_CONFIG is not set and config/handoff.config.yaml is missing', []);
  return SAMPLE_CONFIG;
}

export function loadOrgConfigFile(file: string): OrgConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new OrgConfigError(`HANDOFF_CONFIG: cannot read ${file}: ${(e as Error).message}`, [
      { path: '(file)', message: `cannot read ${file}` },
    ]);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new OrgConfigError(
      `${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`,
      [{ path: '(file)', message: (e as Error).message }],
    );
  }
  return parseOrgConfig(raw, file);
}
