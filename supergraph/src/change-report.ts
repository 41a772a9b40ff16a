/**
 * The change report of `npm run compose` / `npm run check`: the API schema of the committed supergraph against that
 * of a fresh composition (@graphql-inspector/core), each change classified breaking, dangerous or safe, and for each
 * the known operations that use what it changes: the saved and registered ones (supergraph/operations, with file and
 * line) and, with `--usage`, the operations the gateway has served (their signatures, counts and last-seen dates).
 */
import { relative } from 'node:path';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { usedCoordinates, type OperationUsageFile } from '@partnership/gateway';
import { getLocation, type GraphQLSchema } from 'graphql';
import type { SavedOperation } from './operations';

/** An operation the schema must keep serving, and the schema coordinates it uses. */
export interface KnownOperation {
  name: string;
  kind: 'saved' | 'served';
  /** Saved operations: the file, relative to the repository root. */
  file?: string;
  /** Coordinate → the first line of the file that uses it (saved operations). */
  uses: Map<string, number | undefined>;
  /** Served operations: requests counted and the last time one was served (ISO date). */
  count?: number;
  lastSeen?: string;
}

/** The saved and registered operations, walked against the schema they were written for (the committed one). */
export function savedKnownOperations(schema: GraphQLSchema, operations: SavedOperation[], dir: string, root: string): KnownOperation[] {
  return operations.map((operation) => {
    const uses = new Map<string, number | undefined>();
    for (const { coordinate, loc } of usedCoordinates(schema, operation.document)) {
      if (!uses.has(coordinate)) uses.set(coordinate, loc ? getLocation(loc.source, loc.start).line : undefined);
    }
    return { name: operation.name, kind: 'saved', file: relative(root, `${dir}/${operation.file}`), uses };
  });
}

/** The operations the gateway served whose last request falls in the `days` before `now`. */
export function servedKnownOperations(usage: OperationUsageFile, days: number, now = new Date()): KnownOperation[] {
  const since = new Date(now.getTime() - days * 86_400_000).toISOString();
  return Object.values(usage.operations)
    .filter((entry) => entry.lastSeen >= since)
    .map((entry) => ({
      name: entry.signature,
      kind: 'served',
      uses: new Map(entry.coordinates.map((c) => [c, undefined])),
      count: entry.count,
      lastSeen: entry.lastSeen,
    }));
}

export type Verdict = 'error' | 'warning' | 'allowed' | 'safe';

export interface ReportedChange {
  level: 'BREAKING' | 'DANGEROUS' | 'NON_BREAKING';
  type: string;
  path?: string;
  message: string;
  /** error: breaking and used; warning: dangerous or a deprecation, and used; allowed: breaking, used by no known operation. */
  verdict: Verdict;
  usedBy: Array<{ operation: KnownOperation; coordinate: string; line?: number }>;
}

export interface ChangeReport {
  changes: ReportedChange[];
  /** Breaking changes that a known operation uses. */
  failures: ReportedChange[];
  warnings: ReportedChange[];
}

// Additions that change what their parent accepts or returns (a required argument, a required input field, an enum value).
const affectsParent = new Set([
  'FIELD_ARGUMENT_ADDED',
  'INPUT_FIELD_ADDED',
  'ENUM_VALUE_ADDED',
  'ENUM_VALUE_REMOVED',
  'UNION_MEMBER_ADDED',
  'OBJECT_TYPE_INTERFACE_ADDED',
]);
const deprecations = new Set([
  'FIELD_DEPRECATION_ADDED',
  'ENUM_VALUE_DEPRECATION_REASON_ADDED',
  'INPUT_FIELD_DEPRECATION_ADDED',
  'FIELD_ARGUMENT_DEPRECATION_ADDED',
]);

function uses(change: Change, coordinate: string): boolean {
  // A directive on an element (`Type.field.@deprecated`) concerns the element.
  const path = change.path?.split('.@')[0];
  if (!path) return false;
  if (coordinate === path || coordinate.startsWith(`${path}.`)) return true;
  return affectsParent.has(change.type) && coordinate === path.slice(0, path.lastIndexOf('.'));
}

/** Compares two API schemas and finds, for each change, the known operations that use what it changes. */
export async function changeReport(before: GraphQLSchema, after: GraphQLSchema, operations: KnownOperation[]): Promise<ChangeReport> {
  const found = (await diff(before, after)).filter(
    // A deprecation is reported once (FIELD_DEPRECATION_ADDED…), not again as the usage of the directive.
    (change) => !(change.type.startsWith('DIRECTIVE_USAGE_') && change.path?.includes('.@deprecated')),
  );
  const changes: ReportedChange[] = found.map((change) => {
    const usedBy: ReportedChange['usedBy'] = [];
    for (const operation of operations) {
      for (const [coordinate, line] of operation.uses) {
        if (uses(change, coordinate)) {
          usedBy.push({ operation, coordinate, line });
          break;
        }
      }
    }
    const level =
      change.criticality.level === CriticalityLevel.Breaking
        ? 'BREAKING'
        : change.criticality.level === CriticalityLevel.Dangerous
          ? 'DANGEROUS'
          : 'NON_BREAKING';
    const verdict: Verdict =
      level === 'BREAKING'
        ? usedBy.length > 0
          ? 'error'
          : 'allowed'
        : (level === 'DANGEROUS' || deprecations.has(change.type)) && usedBy.length > 0
          ? 'warning'
          : 'safe';
    return { level, type: change.type, path: change.path, message: change.message, verdict, usedBy };
  });
  return { changes, failures: changes.filter((c) => c.verdict === 'error'), warnings: changes.filter((c) => c.verdict === 'warning') };
}

/** The report as lines of text: a summary, then each change with the operations that use it. */
export function formatChangeReport(report: ChangeReport, options: { against: string; usageDays?: number; knownSaved: number; knownServed?: number }): string {
  const { changes } = report;
  if (changes.length === 0) return `no schema changes against ${options.against}`;
  const count = (level: string) => changes.filter((c) => c.level === level).length;
  const lines = [
    `schema changes against ${options.against}: ${count('BREAKING')} breaking, ${count('DANGEROUS')} dangerous, ${count('NON_BREAKING')} safe${report.failures.length + report.warnings.length > 0 ? ` (${report.failures.length} affecting known operations, ${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'})` : ''}`,
  ];
  const order: Verdict[] = ['error', 'warning', 'allowed', 'safe'];
  const served = options.knownServed === undefined ? '' : ` and ${options.knownServed} served in the last ${options.usageDays} days`;
  for (const change of [...changes].sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict))) {
    const what = `${change.level} ${change.type}${change.path ? ` ${change.path}` : ''}: ${change.message}`;
    if (change.verdict === 'error') lines.push(`  error ${what}`);
    else if (change.verdict === 'warning') lines.push(`  warning ${what}`);
    else if (change.verdict === 'allowed') lines.push(`  allowed ${what}`, `    no known operation uses it (${options.knownSaved} saved${served})`);
    else lines.push(`  ${change.level === 'DANGEROUS' ? 'dangerous' : 'safe'} ${what}`);
    if (change.verdict === 'error' || change.verdict === 'warning') lines.push(...describeUses(change, options.usageDays));
  }
  return lines.join('\n');
}

function describeUses(change: ReportedChange, usageDays = 30): string[] {
  const lines: string[] = [];
  const saved = change.usedBy.filter((u) => u.operation.kind === 'saved');
  for (const { operation, line, coordinate } of saved) {
    lines.push(`    used by ${operation.name} (${operation.file}${line === undefined ? '' : `:${line}`}) via ${coordinate}`);
  }
  const served = change.usedBy.filter((u) => u.operation.kind === 'served');
  if (served.length > 0) {
    const requests = served.reduce((sum, u) => sum + (u.operation.count ?? 0), 0);
    const last = served
      .map((u) => u.operation.lastSeen ?? '')
      .sort()
      .at(-1)
      ?.slice(0, 10);
    const field = change.path ?? 'it';
    lines.push(
      `    ${field} was used by ${served.length} operation${served.length === 1 ? '' : 's'} in the last ${usageDays} days (${requests} request${requests === 1 ? '' : 's'}, last on ${last}):`,
    );
    const top = [...served].sort((a, b) => (b.operation.count ?? 0) - (a.operation.count ?? 0));
    for (const { operation } of top.slice(0, 5)) {
      lines.push(`      ${operation.name} (${operation.count} request${operation.count === 1 ? '' : 's'}, last ${operation.lastSeen?.slice(0, 10)})`);
    }
    if (top.length > 5) lines.push(`      and ${top.length - 5} more`);
  }
  return lines;
}
