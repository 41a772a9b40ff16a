import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationUsageFile } from '@partnership/gateway';
import { changeReport, formatChangeReport, savedKnownOperations, servedKnownOperations, type KnownOperation } from '../src/change-report';
import { apiSchemaOf, composeSupergraph, formatProblem, loadPartnershipSubgraphs, operationsDir, repositoryRoot, supergraphFile } from '../src/compose';
import { loadOperations } from '../src/operations';

// The committed API schema against a composition of the subgraphs with one change to the agreements SDL.
const committed = apiSchemaOf(readFileSync(supergraphFile, 'utf8'));
const saved = savedKnownOperations(committed, loadOperations(operationsDir), operationsDir, repositoryRoot);

function withAgreements(change: (sdl: string) => string) {
  const subgraphs = loadPartnershipSubgraphs();
  const agreements = subgraphs.find((s) => s.name === 'agreements')!;
  const changed = change(agreements.sdl);
  expect(changed).not.toBe(agreements.sdl);
  agreements.sdl = changed;
  const outcome = composeSupergraph(subgraphs);
  if (!outcome.ok) throw new Error(outcome.errors.map((e) => formatProblem(e, 'error')).join('\n'));
  return apiSchemaOf(outcome.supergraphSdl);
}

async function report(change: (sdl: string) => string, known: KnownOperation[] = saved, served?: number) {
  const result = await changeReport(committed, withAgreements(change), known);
  return {
    ...result,
    text: formatChangeReport(result, { against: 'supergraph/supergraph.graphql', usageDays: 30, knownSaved: saved.length, knownServed: served }),
  };
}

const removeParties = (sdl: string) => sdl.replace(/^ {2}"The institutions bound by it[^\n]*\n {2}parties: [^\n]*\n/m, '');
const removeMinDelegates = (sdl: string) => sdl.replace(/^ {2}"How many delegates took part[^\n]*\n {2}minDelegates: Int\n/m, '');

describe('the change report against the committed supergraph', () => {
  test('no change, nothing to report', async () => {
    const unchanged = await changeReport(committed, committed, saved);
    expect(unchanged.changes).toEqual([]);
    expect(formatChangeReport(unchanged, { against: 'supergraph/supergraph.graphql', knownSaved: 3 })).toBe(
      'no schema changes against supergraph/supergraph.graphql',
    );
  });

  test('removing a field that saved operations use fails, naming each operation, its file and line', async () => {
    const { failures, text } = await report(removeParties);
    expect(failures.map((f) => [f.level, f.type, f.path])).toEqual([['BREAKING', 'FIELD_REMOVED', 'Agreement.parties']]);
    expect(text).toContain("  error BREAKING FIELD_REMOVED Agreement.parties: Field 'parties' was removed from object type 'Agreement'");
    expect(text).toMatch(/used by AgreementWithParties \(supergraph\/operations\/agreement-with-parties\.graphql:25\) via Agreement\.parties/);
    expect(text).toMatch(/used by ProgrammeWithCohorts \(supergraph\/operations\/programme-with-cohorts\.graphql:19\) via Agreement\.parties/);
  });

  test('retyping a field that a saved operation uses fails too', async () => {
    const { failures, text } = await report((sdl) => sdl.replace(/^( {2}"What it provides for, in a few sentences\."\n {2}summary: )String$/m, '$1Int'));
    expect(failures.map((f) => [f.type, f.path])).toEqual([['FIELD_TYPE_CHANGED', 'Agreement.summary']]);
    expect(text).toMatch(/used by AgreementWithParties \(supergraph\/operations\/agreement-with-parties\.graphql:\d+\) via Agreement\.summary/);
  });

  test('deprecating a field that saved operations use warns, and does not fail', async () => {
    const { failures, warnings, text } = await report((sdl) =>
      sdl.replace(/^( {2}parties: \[AgreementParty!\]! @listSize\(assumedSize: 50\))$/m, '$1 @deprecated(reason: "Use partyList")'),
    );
    expect(failures).toEqual([]);
    expect(warnings.map((w) => [w.type, w.path])).toEqual([['FIELD_DEPRECATION_ADDED', 'Agreement.parties.@deprecated']]);
    expect(text).toContain("  warning NON_BREAKING FIELD_DEPRECATION_ADDED Agreement.parties.@deprecated: Field 'Agreement.parties' is deprecated");
    expect(text).toContain('used by AgreementWithParties (supergraph/operations/agreement-with-parties.graphql:25)');
  });

  test('removing a field that no known operation uses is allowed, and says so', async () => {
    const { failures, changes, text } = await report(removeMinDelegates);
    expect(failures).toEqual([]);
    expect(changes.map((c) => [c.verdict, c.path])).toEqual([['allowed', 'Event.minDelegates']]);
    expect(text).toContain(
      "  allowed BREAKING FIELD_REMOVED Event.minDelegates: Field 'minDelegates' was removed from object type 'Event'\n    no known operation uses it (4 saved)",
    );
  });

  test('with the usage the gateway recorded: "used by N operations in the last 30 days", older ones left out', async () => {
    const now = new Date();
    const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
    const entry = (signature: string, count: number, lastSeen: string, coordinates: string[]) => ({
      signature,
      name: signature.split(':')[0],
      coordinates,
      count,
      firstSeen: daysAgo(90),
      lastSeen,
    });
    const usage: OperationUsageFile = {
      version: 1,
      dropped: 0,
      operations: {
        'EventPage:1': entry('EventPage:1', 12, daysAgo(1), ['Event', 'Event.minDelegates', 'Query.event', 'Query.event.id']),
        'EventList:2': entry('EventList:2', 30, daysAgo(3), ['Event', 'Event.minDelegates', 'Event.name', 'Query.events']),
        '-:3': entry('-:3', 1, daysAgo(29), ['Event.minDelegates', 'Query.events']),
        'Old:4': entry('Old:4', 500, daysAgo(45), ['Event.minDelegates', 'Query.events']),
        'Names:5': entry('Names:5', 4, daysAgo(1), ['Event', 'Event.name', 'Query.events']),
      },
    };
    const served = servedKnownOperations(usage, 30, now);
    expect(served.map((o) => o.name).sort()).toEqual(['-:3', 'EventList:2', 'EventPage:1', 'Names:5']);
    const { failures, text } = await report(removeMinDelegates, [...saved, ...served], served.length);
    expect(failures.map((f) => f.path)).toEqual(['Event.minDelegates']);
    expect(text).toContain(`Event.minDelegates was used by 3 operations in the last 30 days (43 requests, last on ${daysAgo(1).slice(0, 10)}):`);
    expect(text).toMatch(/ {6}EventList:2 \(30 requests, last \d{4}-\d\d-\d\d\)\n {6}EventPage:1 \(12 requests/);
    expect(text).not.toContain('Old:4');

    // A field only old operations used is allowed again.
    const onlyOld = servedKnownOperations({ ...usage, operations: { 'Old:4': usage.operations['Old:4'] } }, 30, now);
    const allowed = await report(removeMinDelegates, [...saved, ...onlyOld], onlyOld.length);
    expect(allowed.failures).toEqual([]);
    expect(allowed.text).toContain('no known operation uses it (4 saved and 0 served in the last 30 days)');
  });
});

test('front-ends register operations in subfolders of supergraph/operations: they are known operations with their file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registered-operations-'));
  try {
    mkdirSync(join(dir, 'events-page'));
    writeFileSync(
      join(dir, 'events-page', 'event.graphql'),
      '# The event page.\nquery EventPage($id: ID!) {\n  event(id: $id) {\n    name\n    minDelegates\n  }\n}\n',
    );
    const registered = savedKnownOperations(committed, loadOperations(dir), dir, dir);
    expect(registered.map((o) => [o.name, o.file])).toEqual([['EventPage', 'events-page/event.graphql']]);
    const { failures, text } = await report(removeMinDelegates, [...saved, ...registered]);
    expect(failures.map((f) => f.path)).toEqual(['Event.minDelegates']);
    expect(text).toContain('used by EventPage (events-page/event.graphql:5) via Event.minDelegates');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
