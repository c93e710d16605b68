/**
 * Reads the organisation's configuration file (YAML or JSON) named by HANDOFF_CONFIG, default
 * config/handoff.config.yaml, and validates it. A bad file stops start-up with the path of each bad field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { OrgConfigError, parseOrgConfig, type OrgConfig } from '../domain/org-config';

export const DEFAULT_ORG_CONFIG_PATH = path.resolve(__dirname, '..', '..', '..', 'config', 'handoff.config.yaml');

export function resolveOrgConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HANDOFF_CONFIG) return path.resolve(env.HANDOFF_CONFIG);
  // Works from src/ (ts-jest) and from dist/src/ (compiled).
  const fromSrc = path.resolve(__dirname, '..', '..', 'config', 'handoff.config.yaml');
  try {
    readFileSync(fromSrc);
    return fromSrc;
  } catch {
    return DEFAULT_ORG_CONFIG_PATH;
  }
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
