/**
 * `npm run compose`: composes the subgraphs' SDL files and writes supergraph/supergraph.graphql.
 * `npm run compose -- --check`: writes nothing; fails when the committed file differs from a fresh composition (CI).
 * Both also validate every saved client operation (supergraph/operations) against the new API schema.
 * Exit codes: 0 done (or up to date), 1 composition failed, 2 the committed file is out of date,
 * 3 a saved client operation no longer validates.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { brokenOperations, loadOperations } from './operations';
import {
  apiSchemaOf,
  composeSupergraph,
  formatProblem,
  loadPartnershipSubgraphs,
  repositoryRoot,
  supergraphFile,
  supergraphFileText,
  operationsDir,
} from './compose';

function main(argv: string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown.join(' ')}; usage: npm run compose [-- --check]\n`);
    return 2;
  }
  const check = argv.includes('--check');
  const subgraphs = loadPartnershipSubgraphs();
  const outcome = composeSupergraph(subgraphs);
  for (const hint of outcome.hints) process.stderr.write(`${formatProblem(hint, 'warning')}\n`);
  if (!outcome.ok) {
    process.stderr.write(`\nComposition of ${subgraphs.map((s) => s.name).join(', ')} failed with ${outcome.errors.length} error(s):\n\n`);
    process.stderr.write(`${outcome.errors.map((error) => formatProblem(error, 'error')).join('\n\n')}\n`);
    return 1;
  }

  const operations = loadOperations(operationsDir);
  const broken = brokenOperations(apiSchemaOf(outcome.supergraphSdl), operations);
  for (const { operation, messages } of broken) {
    process.stderr.write(`client operation ${operation.name} (supergraph/operations/${operation.file}) breaks:\n${messages.map((m) => `  ${m}`).join('\n')}\n`);
  }
  if (broken.length > 0) {
    process.stderr.write(`\n${broken.length} of ${operations.length} saved client operations no longer validate; nothing was written\n`);
    return 3;
  }
  process.stdout.write(`${operations.length} saved client operations validate\n`);

  const text = supergraphFileText(outcome.supergraphSdl, subgraphs);
  const shown = relative(repositoryRoot, supergraphFile);
  const current = existsSync(supergraphFile) ? readFileSync(supergraphFile, 'utf8') : undefined;
  if (check) {
    if (current === text) {
      process.stdout.write(`${shown} is up to date\n`);
      return 0;
    }
    process.stderr.write(`${shown} is ${current === undefined ? 'missing' : 'out of date'}: run \`npm run compose\` and commit it\n`);
    return 2;
  }
  if (current === text) {
    process.stdout.write(`${shown} is up to date\n`);
  } else {
    writeFileSync(supergraphFile, text);
    process.stdout.write(`wrote ${shown} (${subgraphs.length} subgraphs)\n`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
