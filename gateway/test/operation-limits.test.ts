import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { getIntrospectionQuery, parse, specifiedRules, validate, type OperationDefinitionNode } from 'graphql';
import { defaultExamplesDir, defaultLimits, defaultSupergraphPath } from '../src/config';
import { loadExamples } from '../src/explorer';
import { listSizesOf } from '../src/list-sizes';
import { operationCost, operationLimitRules } from '../src/operation-limits';
import { post, startSecured, type Answer, type SecuredSetup } from './security-fixture';
import { capturingLogger } from './stubs';
import pino from 'pino';

/** `{ institution { partner { partner ... { id } } } }` nested `depth` fields deep. */
function nested(depth: number): string {
  return `{ institution(id: "gustave-roussy") ${'{ partner '.repeat(depth - 2)}{ id }${' }'.repeat(depth - 2)} }`;
}

const aliases = (count: number) => `{ institution(id: "gustave-roussy") { ${Array.from({ length: count }, (_, i) => `a${i}: name`).join(' ')} } }`;
const rootFields = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `r${i}: ping`).join(' ')} }`;

describe('operation limits (defaults)', () => {
  let setup: SecuredSetup;
  beforeAll(async () => {
    setup = await startSecured();
  });
  afterAll(async () => {
    await setup?.stop();
  });

  /** Sends the operation and checks nothing reached the subgraph. */
  async function refused(body: unknown): Promise<Answer> {
    const before = setup.stub.requests;
    const answer = await post(setup.gateway.base, body);
    expect(setup.stub.requests).toBe(before);
    return answer;
  }

  test('operations at the limits run', async () => {
    for (const query of [nested(15), aliases(30), rootFields(20), '{ institutions(first: 500) { nodes { programmes(first: 10) { nodes { id title } } } } }']) {
      const { status, body } = await post(setup.gateway.base, { query });
      expect([query.slice(0, 40), status, body.errors]).toEqual([query.slice(0, 40), 200, undefined]);
    }
  });

  test('a query 50 levels deep: 400 BAD_USER_INPUT', async () => {
    const { status, body } = await refused({ query: nested(50) });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: 'The operation is nested 50 levels deep; at most 15 are allowed (fields in fragments count where the fragment is spread)',
        extensions: { code: 'BAD_USER_INPUT', limit: 'depth', maximum: 15, actual: 50 },
      },
    ]);
    expect((await refused({ query: nested(16) })).body.errors?.[0].extensions).toMatchObject({ limit: 'depth', actual: 16 });
  });

  test('depth counts through fragments, as if they were written out', async () => {
    const partners = (n: number) => `${'partner { '.repeat(n)}id${' }'.repeat(n)}`;
    const throughFragments = (n: number) =>
      `query { institution(id: "gustave-roussy") { ...Outer } } fragment Outer on Institution { ... on Institution { ...Deep } } fragment Deep on Institution { ${partners(n)} }`;
    expect((await post(setup.gateway.base, { query: throughFragments(13) })).status).toBe(200);
    const { status, body } = await refused({ query: throughFragments(14) });
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'depth', actual: 16 });
  });

  test('1,000 aliases: 400 BAD_USER_INPUT', async () => {
    const { status, body } = await refused({ query: aliases(1000) });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: 'The operation uses 1000 aliases; at most 30 are allowed',
        extensions: { code: 'BAD_USER_INPUT', limit: 'aliases', maximum: 30, actual: 1000 },
      },
    ]);
  });

  test('25 root fields: 400 BAD_USER_INPUT', async () => {
    const { status, body } = await refused({ query: rootFields(25) });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: 'The operation selects 25 root fields; at most 20 are allowed in one operation',
        extensions: { code: 'BAD_USER_INPUT', limit: 'rootFields', maximum: 20, actual: 25 },
      },
    ]);
  });

  test('too many tokens: 400 BAD_USER_INPUT, before the document is even parsed to the end', async () => {
    const { status, body } = await refused({ query: `{ ${'ping '.repeat(6000)}}` });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: 'The operation has more than 5000 tokens (names, punctuation and values); at most 5000 are allowed',
        extensions: { code: 'BAD_USER_INPUT', limit: 'tokens', maximum: 5000 },
      },
    ]);
  });

  test('first: 100000 on a nested connection: 400 BAD_USER_INPUT for its estimated cost', async () => {
    const { status, body } = await refused({ query: '{ institutions(first: 10) { nodes { name programmes(first: 100000) { nodes { id title } } } } }' });
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0].message).toMatch(/^The operation's estimated cost is 3000031; at most 100000 is allowed \(each field costs 1/);
    expect(body.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'cost', maximum: 100000, actual: 3000031 });
  });

  test('the cost counts `first` given in variables', async () => {
    const query = 'query ($n: Int) { institutions(first: $n) { nodes { programmes(first: $n) { nodes { id } } } } }';
    expect((await post(setup.gateway.base, { query, variables: { n: 50 } })).status).toBe(200);
    const { status, body } = await refused({ query, variables: { n: 1000 } });
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'cost' });
    // Variables that do not fit get the gateway's usual error, still before any subgraph call.
    const wrong = await refused({ query, variables: { n: 'many' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('Variable "$n" got invalid value "many"'),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  test("a fragment cycle: 400 GRAPHQL_VALIDATION_FAILED (graphql's NoFragmentCycles)", async () => {
    const query =
      'query { institution(id: "gustave-roussy") { ...A } } fragment A on Institution { partner { ...B } } fragment B on Institution { partner { ...A } }';
    const { status, body } = await refused({ query });
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(body.errors?.[0].message).toBe('Cannot spread fragment "A" within itself via "B".');
  });

  test('a 2 MB body: 413 PAYLOAD_TOO_LARGE with a GraphQL error', async () => {
    const { status, body, headers } = await refused({ query: '{ ping }', variables: { padding: 'x'.repeat(2 * 1024 * 1024) } });
    expect(status).toBe(413);
    expect(body).toEqual({
      errors: [
        {
          message: 'The request body is too large: at most 262144 bytes are accepted',
          extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 'requestBytes', maximum: 262144 },
        },
      ],
    });
    expect(headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('CSRF prevention: a simple cross-site request (text/plain POST, GET without a preflight header) is refused', async () => {
    const before = setup.stub.requests;
    const form = await fetch(`${setup.gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ ping }' }),
    });
    expect(form.status).toBe(400);
    expect(await form.text()).toMatch(/Cross-Site Request Forgery/);
    const get = await fetch(`${setup.gateway.base}/graphql?query=${encodeURIComponent('{ ping }')}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/Cross-Site Request Forgery/);
    expect(setup.stub.requests).toBe(before);
  });

  test('batched requests are refused', async () => {
    const { status } = await refused([{ query: '{ ping }' }, { query: '{ ping }' }]);
    expect(status).toBe(400);
  });
});

describe('operation limits from the configuration', () => {
  test('lower limits refuse what the defaults allow', async () => {
    const { logger, lines } = capturingLogger();
    const setup = await startSecured(
      { limits: { ...defaultLimits, maxDepth: 4, maxAliases: 2, maxRootFields: 2, maxCost: 50, maxRequestBytes: 2048 } },
      { logger },
    );
    try {
      const codes = async (body: unknown) => {
        const { status, body: answer } = await post(setup.gateway.base, body);
        return [status, answer.errors?.map((e) => e.extensions?.limit)];
      };
      expect(await codes({ query: nested(5) })).toEqual([400, ['depth']]);
      expect(await codes({ query: aliases(3) })).toEqual([400, ['aliases']]);
      expect(await codes({ query: '{ a: ping b: ping c: ping }' })).toEqual([400, ['aliases', 'rootFields']]);
      expect(await codes({ query: '{ institutions(first: 30) { nodes { id } } }' })).toEqual([400, ['cost']]);
      expect(await codes({ query: '{ ping }', variables: { padding: 'x'.repeat(3000) } })).toEqual([413, ['requestBytes']]);
      expect(await codes({ query: '{ institutions(first: 20) { nodes { id } } }' })).toEqual([200, undefined]);
      expect(setup.stub.calls.map((c) => c.query)).toHaveLength(1);
      // Each refusal is logged with its request's id.
      const refusals = lines.filter((line) => line.msg === 'operation refused');
      expect(refusals.map((line) => line.limit)).toEqual(['depth', 'aliases', 'aliases', 'rootFields', 'cost']);
      expect(refusals.every((line) => typeof line.requestId === 'string')).toBe(true);
    } finally {
      await setup.stop();
    }
  });
});

describe("the partnership's own operations fit the default limits", () => {
  const supergraph = Supergraph.build(readFileSync(defaultSupergraphPath, 'utf8'));
  const schema = supergraph.apiSchema().toGraphQLJSSchema();
  const operations = [
    ...loadExamples(defaultExamplesDir, pino({ level: 'silent' })).map((e) => ({ name: e.name, query: e.query, variables: e.variables })),
    // What GraphiQL sends for the explorer's docs.
    {
      name: 'introspection',
      query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }),
      variables: {},
    },
  ];

  test.each(operations)('$name', ({ query, variables }) => {
    const document = parse(query, { maxTokens: defaultLimits.maxTokens });
    expect(validate(schema, document, [...specifiedRules, ...operationLimitRules(defaultLimits)]).map((e) => e.message)).toEqual([]);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
    expect(operationCost(schema, document, operation, variables, listSizesOf(supergraph))).toBeLessThanOrEqual(defaultLimits.maxCost);
  });

  test('the examples are there to check', () => {
    expect(operations.length).toBeGreaterThanOrEqual(4);
  });
});
