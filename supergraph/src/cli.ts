/**
 * `npm run compose`: composes the subgraphs' SDL files and writes supergraph/supergraph.graphql, and the trusted documents
 * manifest of the saved client operations, supergraph/trusted-documents.json.
 * `npm run compose -- --check`: writes nothing; fails when a committed file differs from a fresh build (CI).
 * Both also report the changes of the API schema against the committed supergraph (breaking, dangerous, safe) with the
 * known operations each one affects, and validate every saved client operation (supergraph/operations) against the
 * new API schema. `--usage <file|redis://…[#prefix]>` adds the operations the gateway served in the last
 * `--usage-days` (30) days; `--allow-breaking` reports breaking changes that known operations use without failing.
 * Exit codes: 0 done (or up to date), 1 composition failed (or the usage could not be read), 2 a committed file (the
 * supergraph or the manifest) is out of date (or a bad argument), 3 a saved client operation no longer validates, 4 a
 * breaking change affects a known operation.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { readOperationUsage, type OperationUsageFile } from '@partnership/gateway';
import { changeReport, formatChangeReport, savedKnownOperations, servedKnownOperations, type KnownOperation } from './change-report';
import { brokenOperations, loadOperations } from './operations';
import { trustedDocumentsFile, trustedDocumentsText } from './trusted-documents';
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

const usageText = 'usage: npm run compose [-- --check] [--usage <file|redis://…>] [--usage-days <n>] [--allow-breaking]';

async function main(argv: string[]): Promise<number> {
  let check = false;
  let allowBreaking = false;
  let usageSource: string | undefined;
  let usageDays = 30;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--check') check = true;
    else if (arg === '--allow-breaking') allowBreaking = true;
    else if ((arg === '--usage' || arg === '--usage-days') && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))) {
      process.stderr.write(`${arg} needs a value; ${usageText}\n`);
      return 2;
    } else if (arg === '--usage') usageSource = argv[++i];
    else if (arg === '--usage-days') {
      usageDays = Number(argv[++i]);
      if (!Number.isInteger(usageDays) || usageDays < 1) {
        process.stderr.write(`--usage-days must be a whole number of days (got "${argv[i]}")\n`);
        return 2;
      }
    } else {
      process.stderr.write(`unknown argument ${arg}; ${usageText}\n`);
      return 2;
    }
  }
  let usage: OperationUsageFile | undefined;
  if (usageSource !== undefined) {
    try {
      // npm runs scripts at the repository root: a relative file is relative to where npm was run.
      usage = await readOperationUsage(/^rediss?:\/\//.test(usageSource) ? usageSource : resolve(process.env.INIT_CWD || process.cwd(), usageSource));
    } catch (error) {
      process.stderr.write(`cannot read operation usage from ${usageSource.replace(/\/\/[^@/]*@/, '//***@')}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const subgraphs = loadPartnershipSubgraphs();
  const outcome = composeSupergraph(subgraphs);
  for (const hint of outcome.hints) process.stderr.write(`${formatProblem(hint, 'warning')}\n`);
  if (!outcome.ok) {
    process.stderr.write(`\nComposition of ${subgraphs.map((s) => s.name).join(', ')} failed with ${outcome.errors.length} error(s):\n\n`);
    process.stderr.write(`${outcome.errors.map((error) => formatProblem(error, 'error')).join('\n\n')}\n`);
    return 1;
  }

  const operations = loadOperations(operationsDir);
  const newApi = apiSchemaOf(outcome.supergraphSdl);
  const shown = relative(repositoryRoot, supergraphFile);
  const current = existsSync(supergraphFile) ? readFileSync(supergraphFile, 'utf8') : undefined;

  // The change report: the committed API schema against the new one, with the known operations each change affects.
  let breakingUsed = 0;
  if (current !== undefined) {
    let oldApi: ReturnType<typeof apiSchemaOf> | undefined;
    try {
      oldApi = apiSchemaOf(current);
    } catch (error) {
      process.stderr.write(`warning: ${shown} is not a valid supergraph (${(error as Error).message}); no change report\n`);
    }
    if (oldApi) {
      const known: KnownOperation[] = savedKnownOperations(oldApi, operations, operationsDir, repositoryRoot);
      const served = usage ? servedKnownOperations(usage, usageDays) : undefined;
      const report = await changeReport(oldApi, newApi, [...known, ...(served ?? [])]);
      const text = formatChangeReport(report, { against: shown, usageDays, knownSaved: known.length, knownServed: served?.length });
      (report.failures.length > 0 || report.warnings.length > 0 ? process.stderr : process.stdout).write(`${text}\n`);
      if (usage && usage.dropped > 0)
        process.stderr.write(`warning: the gateway did not record ${usage.dropped} request(s) (too many distinct operations); usage may be incomplete\n`);
      breakingUsed = report.failures.length;
    }
  }

  const broken = brokenOperations(newApi, operations);
  for (const { operation, messages } of broken) {
    process.stderr.write(`client operation ${operation.name} (supergraph/operations/${operation.file}) breaks:\n${messages.map((m) => `  ${m}`).join('\n')}\n`);
  }
  if (broken.length > 0) {
    process.stderr.write(`\n${broken.length} of ${operations.length} saved client operations no longer validate; nothing was written\n`);
    return 3;
  }
  process.stdout.write(`${operations.length} saved client operations validate\n`);
  if (breakingUsed > 0) {
    if (!allowBreaking) {
      process.stderr.write(
        `\n${breakingUsed} breaking change(s) affect known operations; nothing was written (--allow-breaking to go ahead once their clients have moved)\n`,
      );
      return 4;
    }
    process.stderr.write(`\n${breakingUsed} breaking change(s) affect known operations; going ahead (--allow-breaking)\n`);
  }

  const generated = [
    { path: supergraphFile, current, text: supergraphFileText(outcome.supergraphSdl, subgraphs), holding: `${subgraphs.length} subgraphs` },
    {
      path: trustedDocumentsFile,
      current: existsSync(trustedDocumentsFile) ? readFileSync(trustedDocumentsFile, 'utf8') : undefined,
      text: trustedDocumentsText(operations),
      holding: `${operations.length} trusted documents`,
    },
  ];
  let outOfDate = 0;
  for (const file of generated) {
    const name = relative(repositoryRoot, file.path);
    if (file.current === file.text) {
      process.stdout.write(`${name} is up to date\n`);
    } else if (check) {
      process.stderr.write(`${name} is ${file.current === undefined ? 'missing' : 'out of date'}: run \`npm run compose\` and commit it\n`);
      outOfDate += 1;
    } else {
      writeFileSync(file.path, file.text);
      process.stdout.write(`wrote ${name} (${file.holding})\n`);
    }
  }
  return outOfDate > 0 ? 2 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
