#!/usr/bin/env node
/**
 * Copies the composed supergraph (supergraph/supergraph.graphql) to base/supergraph.graphql, which the base's
 * configMapGenerator reads: Kustomize refuses files outside a kustomization's folder, and a copy keeps
 * `kubectl apply -k` working without `--load-restrictor`. `npm run compose` runs it after composing (npm's
 * `postcompose`); `--check` writes nothing and fails when the copy differs. tests/kubernetes-manifests.test.ts checks
 * the copy too.
 */

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const composed = path.join(root, 'supergraph', 'supergraph.graphql');
const copy = path.join(__dirname, 'base', 'supergraph.graphql');
const shown = path.relative(root, copy);

const wanted = fs.readFileSync(composed, 'utf8');
const current = fs.existsSync(copy) ? fs.readFileSync(copy, 'utf8') : undefined;
if (current === wanted) {
  process.stdout.write(`${shown} is up to date\n`);
} else if (process.argv.includes('--check')) {
  process.stderr.write(`${shown} is ${current === undefined ? 'missing' : 'out of date'}: run \`npm run compose\` and commit it\n`);
  process.exit(2);
} else {
  fs.writeFileSync(copy, wanted);
  process.stdout.write(`wrote ${shown} (the supergraph of the Kubernetes base)\n`);
}
