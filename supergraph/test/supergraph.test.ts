import { readFileSync } from 'node:fs';
import {
  apiSchemaOf,
  composeSupergraph,
  formatProblem,
  loadPartnershipSubgraphs,
  operationsDir,
  supergraphFile,
  supergraphFileText,
  type SubgraphSource,
} from '../src/compose';
import { subgraphSdlFingerprint } from '@partnership/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';

// What an @apollo/subgraph server answers to `{ _service { sdl } }` for an SDL.
function printSubgraphSchemaAsServed(sdl: string): string {
  const schema = buildSubgraphSchema([{ typeDefs: parse(sdl) }]);
  const resolved = (schema.getQueryType()!.getFields()._service.resolve as () => { sdl: string })();
  return resolved.sdl;
}

import { brokenOperations, loadOperations } from '../src/operations';
import { getNamedType, getNullableType, isEnumType, isListType, isObjectType, parse, type FieldDefinitionNode } from 'graphql';

const federation = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

describe('the committed supergraph', () => {
  test('equals a fresh composition of the three subgraph SDL files (run `npm run compose` when this fails)', () => {
    const subgraphs = loadPartnershipSubgraphs();
    const outcome = composeSupergraph(subgraphs);
    if (!outcome.ok) throw new Error(outcome.errors.map((e) => formatProblem(e, 'error')).join('\n'));
    expect(outcome.hints.map((h) => formatProblem(h, 'warning'))).toEqual([]);
    expect(readFileSync(supergraphFile, 'utf8')).toBe(supergraphFileText(outcome.supergraphSdl, subgraphs));
  });

  test('records, for safe rollout, a fingerprint of each subgraph SDL it was composed from (comments: still a valid supergraph)', () => {
    const text = readFileSync(supergraphFile, 'utf8');
    for (const { name, sdl } of loadPartnershipSubgraphs()) expect(text).toContain(`# subgraph-sdl: ${name} ${subgraphSdlFingerprint(sdl)}\n`);
    expect(() => apiSchemaOf(text)).not.toThrow();
  });

  test('a fingerprint is that of the SDL a subgraph serves as `_service { sdl }`, and does not change with layout or comments', () => {
    const sdl = `${federation}\n# a comment\ntype Query { institution(id: ID!): Institution }\ntype Institution @key(fields: "id") { id: ID! name: String }\n`;
    const served = printSubgraphSchemaAsServed(sdl);
    expect(subgraphSdlFingerprint(served)).toBe(subgraphSdlFingerprint(sdl));
    expect(subgraphSdlFingerprint(sdl.replace(/ {2,}/g, ' ').replace('# a comment\n', ''))).toBe(subgraphSdlFingerprint(sdl));
    expect(subgraphSdlFingerprint(sdl.replace('name: String', 'name: String city: String'))).not.toBe(subgraphSdlFingerprint(sdl));
  });

  test('bounds every list a client can reach: each list field declares its size with @listSize (the gateway costs it)', () => {
    const outcome = composeSupergraph(loadPartnershipSubgraphs());
    if (!outcome.ok) throw new Error('the subgraphs do not compose');
    const api = apiSchemaOf(outcome.supergraphSdl);
    const declared = new Map<string, FieldDefinitionNode>();
    for (const definition of parse(outcome.supergraphSdl).definitions) {
      if (definition.kind !== 'ObjectTypeDefinition') continue;
      for (const field of definition.fields ?? []) declared.set(`${definition.name.value}.${field.name.value}`, field);
    }
    const unbounded: string[] = [];
    for (const type of Object.values(api.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type))) continue;
        const coordinate = `${type.name}.${field.name}`;
        const listSize = declared.get(coordinate)?.directives?.find((d) => d.name.value === 'listSize');
        // A connection's nodes and edges are sized by the field that returns the connection (`sizedFields`).
        const sizedByParent = (field.name === 'nodes' || field.name === 'edges') && 'pageInfo' in type.getFields();
        if (listSize === undefined && !sizedByParent) unbounded.push(coordinate);
        // A list of enum values, each at most once, is bounded by the enum.
        const named = getNamedType(field.type);
        if (listSize !== undefined && isEnumType(named)) {
          const assumed = listSize.arguments?.find((a) => a.name.value === 'assumedSize')?.value;
          expect(assumed && 'value' in assumed ? Number(assumed.value) : undefined).toBe(named.getValues().length);
        }
      }
    }
    expect(unbounded).toEqual([]);
  });

  test('routes each subgraph to its local port', () => {
    const text = readFileSync(supergraphFile, 'utf8');
    expect(text).toContain('INSTITUTIONS @join__graph(name: "institutions", url: "http://localhost:4001/graphql")');
    expect(text).toContain('AGREEMENTS @join__graph(name: "agreements", url: "http://localhost:4002/graphql")');
    expect(text).toContain('TRAINING @join__graph(name: "training", url: "http://localhost:4003/graphql")');
  });
});

describe('composition errors', () => {
  const owner: SubgraphSource = {
    name: 'registry',
    url: 'http://localhost:5001/graphql',
    sdl: `${federation}
type Query { institution(id: ID!): Institution }
type Institution @key(fields: "id") {
  id: ID!
  name: String!
}
`,
  };
  const conflicting: SubgraphSource = {
    name: 'partnerships',
    url: 'http://localhost:5002/graphql',
    sdl: `${federation}
type Query { partnerOf(id: ID!): Institution }
type Institution @key(fields: "id") {
  id: ID!
  name: Int @shareable
}
`,
  };

  test('a conflicting field type names the code, both subgraphs, the type, the field and the lines', () => {
    const outcome = composeSupergraph([owner, conflicting]);
    if (outcome.ok) throw new Error('composition should have failed');
    const mismatch = outcome.errors.find((e) => e.code === 'FIELD_TYPE_MISMATCH');
    expect(mismatch).toMatchObject({
      subgraphs: ['partnerships', 'registry'],
      types: ['Institution'],
      fields: ['Institution.name'],
    });
    const text = formatProblem(mismatch!, 'error');
    expect(text).toContain('error FIELD_TYPE_MISMATCH (subgraphs: partnerships, registry; type: Institution; field: Institution.name)');
    expect(text).toContain('it has type "Int" in subgraph "partnerships" but type "String!" in subgraph "registry"');
    expect(text).toContain('at registry: registry SDL:5:3  name: String!');
    expect(text).toContain('at partnerships: partnerships SDL:5:3  name: Int @shareable');
  });

  test('hints come back as warnings naming the subgraphs and the field', () => {
    const nullable = { ...owner, sdl: owner.sdl.replace('name: String!', 'name: String @shareable') };
    const required = { ...conflicting, sdl: conflicting.sdl.replace('name: Int @shareable', 'name: String! @shareable') };
    const outcome = composeSupergraph([nullable, required]);
    if (!outcome.ok) throw new Error(outcome.errors.map((e) => formatProblem(e, 'error')).join('\n'));
    const hint = outcome.hints.find((h) => h.code === 'INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE');
    expect(hint).toMatchObject({ subgraphs: ['partnerships', 'registry'], fields: ['Institution.name'] });
    expect(formatProblem(hint!, 'warning')).toMatch(
      /^warning INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE \(subgraphs: partnerships, registry; type: Institution; field: Institution\.name\)\n/,
    );
  });

  test('a syntax error names the subgraph and the line instead of throwing', () => {
    const broken = { ...conflicting, sdl: conflicting.sdl.replace('name: Int', 'name Int') };
    const outcome = composeSupergraph([owner, broken]);
    if (outcome.ok) throw new Error('composition should have failed');
    expect(outcome.errors).toHaveLength(1);
    expect(formatProblem(outcome.errors[0], 'error')).toMatch(
      /^error INVALID_GRAPHQL \(subgraph: partnerships\)\n {2}Syntax Error: Expected ":", found Name "Int"\.\n {4}at partnerships: partnerships SDL:5:8/,
    );
  });

  test('a conflict in a real subgraph file is reported with its file and line', () => {
    const subgraphs = loadPartnershipSubgraphs();
    const agreements = subgraphs.find((s) => s.name === 'agreements')!;
    agreements.sdl = agreements.sdl.replace(/(type Institution @key\(fields: "id"\) \{\n {2}id: ID!\n)/, '$1  name: Int\n');
    const outcome = composeSupergraph(subgraphs);
    if (outcome.ok) throw new Error('composition should have failed');
    const text = outcome.errors.map((e) => formatProblem(e, 'error')).join('\n');
    expect(text).toContain('error FIELD_TYPE_MISMATCH (subgraphs: agreements, institutions; type: Institution; field: Institution.name)');
    expect(text).toMatch(/at institutions: subgraphs\/institutions\/src\/schema\.graphql:\d+:3 {2}name: String!/);
    expect(text).toMatch(/at agreements: subgraphs\/agreements\/src\/schema\.graphql:\d+:3 {2}name: Int/);
  });
});

describe('saved client operations', () => {
  const operations = loadOperations(operationsDir);
  const schema = (() => {
    const outcome = composeSupergraph(loadPartnershipSubgraphs());
    if (!outcome.ok) throw new Error('the subgraphs do not compose');
    return apiSchemaOf(outcome.supergraphSdl);
  })();

  test("there are examples for the front-end and the analysts, and the progress page's query", () => {
    expect(operations.map((o) => o.name)).toEqual(['AgreementWithParties', 'InstitutionsWithAgreements', 'ProgrammeWithCohorts', 'ProgrammesProgress']);
    for (const operation of operations) expect(operation.description).not.toBe('');
  });

  test('every one is valid against the composed API schema', () => {
    expect(brokenOperations(schema, operations)).toEqual([]);
  });

  test('a subgraph change that drops a field an operation uses makes that operation invalid', () => {
    const subgraphs = loadPartnershipSubgraphs();
    const agreements = subgraphs.find((s) => s.name === 'agreements')!;
    const withoutParties = agreements.sdl.replace(/^ {2}"The institutions bound by it[^\n]*\n {2}parties: [^\n]*\n/m, '');
    expect(withoutParties).not.toBe(agreements.sdl);
    agreements.sdl = withoutParties;
    const outcome = composeSupergraph(subgraphs);
    if (!outcome.ok) throw new Error(outcome.errors.map((e) => formatProblem(e, 'error')).join('\n'));
    const changed = apiSchemaOf(outcome.supergraphSdl);
    const broken = brokenOperations(changed, operations);
    expect(broken.map((b) => b.operation.name)).toEqual(['AgreementWithParties', 'ProgrammeWithCohorts']);
    expect(broken[0].messages).toContain('Cannot query field "parties" on type "Agreement".');
  });
});
