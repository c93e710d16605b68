#!/usr/bin/env node
// The `handoff` ops CLI (src/client/cli/main.ts), run from the compiled output.
const path = require('node:path');

const compiled = path.join(__dirname, '..', 'dist', 'src', 'client', 'cli', 'main.js');
let cli;
try {
  cli = require(compiled);
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(compiled)) {
    process.stderr.write('handoff: the CLI is not built yet: run `npm run build` first\n');
    process.exit(2);
  }
  throw e;
}
cli.main(process.argv.slice(2));
