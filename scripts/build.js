#!/usr/bin/env node
/**
 * `npm run build` (and `npm test`, `npm start`): `tsc -b` over the solution (tsconfig.json) and every folder of the
 * registry (subgraphs.json), so a subgraph added with `npm run new-subgraph` is built without editing tsconfig.json.
 * Arguments are passed on to tsc (e.g. `--verbose`).
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { subgraphs } = JSON.parse(fs.readFileSync(path.join(root, 'subgraphs.json'), 'utf8'));
const projects = ['tsconfig.json', ...subgraphs.map((s) => s.folder)];
// npm puts node_modules/.bin on the PATH of its scripts; run directly, this finds the same tsc.
const tsc = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsc.cmd' : 'tsc');
const result = spawnSync(tsc, ['-b', ...projects, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
