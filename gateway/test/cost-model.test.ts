import { Supergraph } from '@apollo/federation-internals';
import { parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { defaultLimits } from '../src/config';
import { listSizesOf, type ListSizes } from '../src/list-sizes';
import { operationCost } from '../src/operation-limits';
import { post } from './security-fixture';
import { composeSupergraph, eventually, scratchDir, startGateway, startStub, testConfig } from './stubs';

// A subgraph that declares its lists' bounds with the demand-control directive @listSize (federation v2.9), as the
// partnership's subgraphs do; and the same subgraph without them.
const declared = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@listSize"])
type Query {
  agreements(first: Int = 20): [Agreement!] @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
  institutions(first: Int, after: String): InstitutionConnection! @listSize(slicingArguments: ["first"], sizedFields: ["nodes", "edges"], requireOneSlicingArgument: false)
  events: [Event!]! @listSize(assumedSize: 7)
  search(first: Int, last: Int): [Agreement!]! @listSize(slicingArguments: ["first", "last"], assumedSize: 5, requireOneSlicingArgument: false)
  tags: [Tag!]!
  programmes(first: Int): ProgrammeConnection!
}
type InstitutionConnection { totalCount: Int! nodes: [Institution!]! edges: [InstitutionEdge!]! pageInfo: PageInfo! }
type InstitutionEdge { cursor: String! node: Institution! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Institution @key(fields: "id") { id: ID! name: String! }
type Agreement @key(fields: "id") { id: ID! title: String! parties: [Party!]! @listSize(assumedSize: 50) }
type Party { role: String! }
type Event { id: ID! }
type Tag { name: String! }
type ProgrammeConnection { nodes: [Tag!]! pageInfo: PageInfo! }
`;
const undeclared = declared
  .replace('federation/v2.9", import: ["@key", "@listSize"]', 'federation/v2.7", import: ["@key"]')
  .replace(/ @listSize\([^)]*\)/g, '');

interface Model {
  schema: GraphQLSchema;
  listSizes: ListSizes;
}

function modelOf(supergraphSdl: string): Model {
  const supergraph = Supergraph.build(supergraphSdl, { validateSupergraph: true });
  return { schema: supergraph.apiSchema().toGraphQLJSSchema(), listSizes: listSizesOf(supergraph) };
}

function cost(model: Model, query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  return operationCost(model.schema, document, operation, variables, model.listSizes);
}

const composed = composeSupergraph([{ name: 'registry', url: 'http://registry.internal/graphql', sdl: declared }]);
// The same supergraph with the cost link's default namespaced name: @cost__listSize.
const namespaced = composed
  .replace('@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])', '@link(url: "https://specs.apollo.dev/cost/v0.1")')
  .replace('directive @listSize(', 'directive @cost__listSize(')
  .replace(/@listSize\(/g, '@cost__listSize(');

describe('the cost model reads @listSize from the supergraph', () => {
  test('composition keeps the bounds, under the name the cost link gives', () => {
    expect(composed).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])');
    expect(namespaced).toContain('@cost__listSize(assumedSize: 50)');
    for (const sdl of [composed, namespaced]) {
      expect(Object.fromEntries(modelOf(sdl).listSizes)).toEqual({
        'Query.agreements': { slicingArguments: ['first'], sizedFields: [] },
        'Query.institutions': { slicingArguments: ['first'], sizedFields: ['nodes', 'edges'] },
        'Query.events': { assumedSize: 7, slicingArguments: [], sizedFields: [] },
        'Query.search': { assumedSize: 5, slicingArguments: ['first', 'last'], sizedFields: [] },
        'Agreement.parties': { assumedSize: 50, slicingArguments: [], sizedFields: [] },
      });
    }
  });

  describe.each([
    ['@listSize', composed],
    ['@cost__listSize', namespaced],
  ])('declared as %s', (_name, sdl) => {
    const model = modelOf(sdl);

    test("a slicing argument counts its value; beyond the subgraphs' maximum too; from variables too", () => {
      expect(cost(model, '{ agreements(first: 3) { id } }')).toBe(1 + 3);
      expect(cost(model, '{ agreements(first: 500) { id } }')).toBe(1 + 500);
      expect(cost(model, 'query ($n: Int) { agreements(first: $n) { id } }', { n: 40 })).toBe(1 + 40);
    });

    test('a slicing argument not given counts its default value, else the assumed size, else the fallback', () => {
      expect(cost(model, '{ agreements { id } }')).toBe(1 + 20);
      expect(cost(model, '{ search { id } }')).toBe(1 + 5);
      expect(cost(model, '{ institutions { nodes { id } } }')).toBe(1 + (1 + 20));
    });

    test('several slicing arguments: the largest counts', () => {
      expect(cost(model, '{ search(first: 3, last: 9) { id } }')).toBe(1 + 9);
    });

    test('an assumed size counts for lists without slicing arguments, nested ones too', () => {
      expect(cost(model, '{ events { id } }')).toBe(1 + 7);
      expect(cost(model, '{ agreements(first: 2) { parties { role } } }')).toBe(1 + 2 * (1 + 50));
    });

    test("sizedFields: the size multiplies the connection's nodes and edges, not its totalCount or pageInfo", () => {
      const query = '{ institutions(first: 5) { totalCount pageInfo { hasNextPage } nodes { id name } edges { cursor node { id } } } }';
      const totalCount = 1;
      const pageInfo = 1 + 1;
      const nodes = 1 + 5 * 2;
      const edges = 1 + 5 * (1 + (1 + 1));
      expect(cost(model, query)).toBe(1 + totalCount + pageInfo + nodes + edges);
      // Through fragments and inline fragments alike.
      expect(
        cost(model, '{ institutions(first: 5) { ...Page } } fragment Page on InstitutionConnection { ... on InstitutionConnection { nodes { id name } } }'),
      ).toBe(1 + nodes);
    });

    test('lists without @listSize keep the fallback: `first`, else 20 for a connection and 10 for a list', () => {
      expect(cost(model, '{ tags { name } }')).toBe(1 + 10);
      expect(cost(model, '{ programmes(first: 4) { nodes { name } pageInfo { hasNextPage } } }')).toBe(1 + 4 * (1 + 1 + (1 + 1)));
      expect(cost(model, '{ programmes { nodes { name } } }')).toBe(1 + 20 * (1 + 1));
    });

    test('fragments count where they are spread, skipped fields not at all', () => {
      const query =
        'query ($skip: Boolean!) { agreements(first: 2) { ...Parties ...Parties } events @skip(if: $skip) { id } } fragment Parties on Agreement { parties { role } }';
      expect(cost(model, query, { skip: true })).toBe(1 + 2 * (2 * (1 + 50)));
      expect(cost(model, query, { skip: false })).toBe(1 + 2 * (2 * (1 + 50)) + (1 + 7));
    });

    test('a fragment bomb is costed in linear time, at its full (huge) cost', () => {
      const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Agreement { ${i === 0 ? 'id' : `...F${i - 1} ...F${i - 1}`} }`).join('\n');
      expect(cost(model, `{ agreements(first: 1) { ...F39 } } ${fragments}`)).toBe(1 + 2 ** 39);
    });
  });

  test('a supergraph without @listSize: every list falls back as before', () => {
    const model = modelOf(composeSupergraph([{ name: 'registry', url: 'http://registry.internal/graphql', sdl: undeclared }]));
    expect(model.listSizes.size).toBe(0);
    expect(cost(model, '{ events { id } }')).toBe(1 + 10);
    expect(cost(model, '{ agreements { id } }')).toBe(1 + 20);
    expect(cost(model, '{ agreements(first: 2) { parties { role } } }')).toBe(1 + 2 * (1 + 10));
    expect(cost(model, '{ institutions(first: 5) { totalCount nodes { id } } }')).toBe(1 + 5 * (1 + (1 + 1)));
  });
});

describe('the gateway refreshes the bounds when the supergraph file changes', () => {
  test('a reloaded supergraph with a larger @listSize refuses what the previous one allowed', async () => {
    const stub = await startStub('registry', undeclared, { Query: { events: () => [{ id: 'forum-2026' }] } });
    const files = scratchDir('gateway-cost-reload');
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'registry', url: stub.url, sdl: undeclared }]));
    const gateway = await startGateway(testConfig({ supergraphPath, limits: { ...defaultLimits, maxCost: 100 } }));
    try {
      expect((await post(gateway.base, { query: '{ events { id } }' })).body).toEqual({ data: { events: [{ id: 'forum-2026' }] } });
      const larger = declared.replace('@listSize(assumedSize: 7)', '@listSize(assumedSize: 500)');
      files.file('supergraph.graphql', composeSupergraph([{ name: 'registry', url: stub.url, sdl: larger }]));
      await eventually(async () => {
        const { status, body } = await post(gateway.base, { query: '{ events { id } }' });
        expect([status, body.errors?.[0].extensions]).toEqual([400, { code: 'BAD_USER_INPUT', limit: 'cost', maximum: 100, actual: 501 }]);
      }, 10_000);
    } finally {
      await gateway.stop();
      await stub.stop();
      files.remove();
    }
  }, 30_000);
});
