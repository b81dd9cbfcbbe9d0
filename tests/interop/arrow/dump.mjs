// Reads Arrow IPC streams or files with apache-arrow and prints the canonical JSON of each, one line per file.
// usage: node dump.mjs FILE...
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { canonical, registerZstd } from './canonical.mjs';

await registerZstd();
for (const path of process.argv.slice(2)) {
  const table = tableFromIPC(readFileSync(path));
  process.stdout.write(JSON.stringify(canonical(table)) + '\n');
}
