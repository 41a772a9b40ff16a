import { trustedDocumentsFromEnv, defaultTrustedDocumentsManifest } from '../src/config';
import { createGateway } from '../src/create-gateway';
import { progressQuery } from '../src/explorer';
import { loadTrustedDocuments, persistedQueryManifest, sha256Hex, untrustedOperationMessage, type TrustedDocumentsSettings } from '../src/trusted-documents';
import { post, startSecured, type Answer, type SecuredSetup } from './security-fixture';
import { capturingLogger, scratchDir, testConfig } from './stubs';

const ping = 'query Ping { ping }';
const institution = 'query Institution($id: ID!) { institution(id: $id) { name } }';
const untrusted = 'query Tags { institutions { nodes { tags } } }';
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256Hex(query) } });
const manifestText = (...bodies: string[]) =>
  JSON.stringify(persistedQueryManifest(bodies.map((body) => ({ name: /query (\w+)/.exec(body)![1], type: 'query' as const, body }))));

/** GETs /graphql with these search parameters (objects as JSON), as a CDN-friendly client does. */
async function get(base: string, params: Record<string, unknown>): Promise<Answer> {
  const search = new URLSearchParams(
    Object.entries(params).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
  // Apollo's CSRF prevention lets a GET through with this header (or a JSON content type).
  const response = await fetch(`${base}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
  return { status: response.status, headers: response.headers, body: JSON.parse(await response.text()) as Answer['body'] };
}

const notTrusted = [400, { errors: [{ message: untrustedOperationMessage, extensions: { code: 'OPERATION_NOT_TRUSTED' } }] }];
const pong = [200, { data: { ping: 'pong' } }];
const shape = (answer: Answer) => [answer.status, answer.body];

describe('automatic persisted queries through the gateway (TRUSTED_DOCUMENTS off)', () => {
  let setup: SecuredSetup;
  beforeAll(async () => {
    setup = await startSecured();
  });
  afterAll(async () => {
    await setup?.stop();
  });

  test('a hash is unknown until its query registers it, then answered over GET and POST', async () => {
    const query = '{ ping apq: ping }';
    const notFound = [200, { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] }];
    expect(shape(await get(setup.gateway.base, { extensions: persisted(query) }))).toEqual(notFound);
    expect(shape(await post(setup.gateway.base, { extensions: persisted(query) }))).toEqual(notFound);

    expect(shape(await get(setup.gateway.base, { query, extensions: persisted(query) }))).toEqual([200, { data: { ping: 'pong', apq: 'pong' } }]);
    expect(shape(await get(setup.gateway.base, { extensions: persisted(query) }))).toEqual([200, { data: { ping: 'pong', apq: 'pong' } }]);
    expect(shape(await post(setup.gateway.base, { extensions: persisted(query) }))).toEqual([200, { data: { ping: 'pong', apq: 'pong' } }]);
  });

  test('a hash that is not the query’s is refused, and registers nothing', async () => {
    const query = '{ wrong: ping }';
    const wrong = { persistedQuery: { version: 1, sha256Hash: sha256Hex('{ ping }') } };
    const refused = [400, { errors: [{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }] }];
    expect(shape(await get(setup.gateway.base, { query, extensions: wrong }))).toEqual(refused);
    expect(shape(await post(setup.gateway.base, { query, extensions: wrong }))).toEqual(refused);
    expect((await post(setup.gateway.base, { extensions: persisted(query) })).body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('trusted documents', () => {
  const files = scratchDir('trusted-documents');
  const frontEnd = files.file('front-end.json', manifestText(ping));
  const other = files.file('other-front-end.json', manifestText(institution, ping));
  const settings = (mode: TrustedDocumentsSettings['mode']): TrustedDocumentsSettings => ({ mode, manifests: [frontEnd, other] });
  afterAll(() => files.remove());

  describe('TRUSTED_DOCUMENTS=only', () => {
    let setup: SecuredSetup;
    const { logger, lines } = capturingLogger();
    beforeAll(async () => {
      setup = await startSecured({ trustedDocuments: settings('only') }, { logger });
    });
    afterAll(async () => {
      await setup?.stop();
    });

    test('a trusted document is served by id (GET and POST) or as its full query, from any of the manifests', async () => {
      expect(shape(await post(setup.gateway.base, { extensions: persisted(ping) }))).toEqual(pong);
      expect(shape(await get(setup.gateway.base, { extensions: persisted(ping) }))).toEqual(pong);
      expect(shape(await post(setup.gateway.base, { query: ping }))).toEqual(pong);
      expect(shape(await get(setup.gateway.base, { query: ping }))).toEqual(pong);
      const byId = await post(setup.gateway.base, { extensions: persisted(institution), variables: { id: 'gustave-roussy' } });
      expect(shape(byId)).toEqual([200, { data: { institution: { name: 'Gustave Roussy' } } }]);
    });

    test('an unknown operation is refused before any parsing, and no subgraph is called', async () => {
      const before = setup.stub.requests;
      expect(shape(await post(setup.gateway.base, { query: untrusted }))).toEqual(notTrusted);
      expect(shape(await get(setup.gateway.base, { query: untrusted }))).toEqual(notTrusted);
      // A trusted document with one more space is another document.
      expect(shape(await post(setup.gateway.base, { query: `${ping} ` }))).toEqual(notTrusted);
      // Not GRAPHQL_PARSE_FAILED: the text is never parsed.
      expect(shape(await post(setup.gateway.base, { query: '{ ping ' }))).toEqual(notTrusted);
      expect(setup.stub.requests).toBe(before);
      expect(lines.filter((line) => line.msg === 'untrusted operation refused').length).toBe(4);
    });

    test('an unknown id is refused (GET and POST), and a query sent with its hash is not registered', async () => {
      expect(shape(await post(setup.gateway.base, { extensions: persisted(untrusted) }))).toEqual(notTrusted);
      expect(shape(await get(setup.gateway.base, { extensions: persisted(untrusted) }))).toEqual(notTrusted);
      expect(shape(await post(setup.gateway.base, { query: untrusted, extensions: persisted(untrusted) }))).toEqual(notTrusted);
      expect(shape(await post(setup.gateway.base, { extensions: persisted(untrusted) }))).toEqual(notTrusted);
    });

    test('introspection is refused like any untrusted operation', async () => {
      expect(shape(await post(setup.gateway.base, { query: '{ __schema { queryType { name } } }' }))).toEqual(notTrusted);
    });

    test('requests without an operation are still answered by Apollo Server', async () => {
      const answer = await post(setup.gateway.base, { variables: {} });
      expect([answer.status, answer.body.errors?.[0].extensions?.code]).toEqual([400, 'BAD_REQUEST']);
    });
  });

  describe('TRUSTED_DOCUMENTS=allow', () => {
    let setup: SecuredSetup;
    beforeAll(async () => {
      setup = await startSecured({ trustedDocuments: settings('allow') });
    });
    afterAll(async () => {
      await setup?.stop();
    });

    test('a trusted document is served by id without being registered first, over GET and POST', async () => {
      expect(shape(await get(setup.gateway.base, { extensions: persisted(ping) }))).toEqual(pong);
      expect(shape(await post(setup.gateway.base, { extensions: persisted(ping) }))).toEqual(pong);
    });

    test('any other operation is served, and automatic persisted queries work as without trusted documents', async () => {
      expect(shape(await post(setup.gateway.base, { query: untrusted }))).toEqual([
        200,
        { data: { institutions: { nodes: [{ tags: ['oncology'] }, { tags: ['oncology'] }] } } },
      ]);
      expect((await post(setup.gateway.base, { extensions: persisted('{ ping }') })).body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(shape(await post(setup.gateway.base, { query: '{ ping }', extensions: persisted('{ ping }') }))).toEqual(pong);
      expect(shape(await get(setup.gateway.base, { extensions: persisted('{ ping }') }))).toEqual(pong);
    });
  });

  describe('an unusable manifest stops the gateway from starting, saying which file and entry', () => {
    let setup: SecuredSetup;
    beforeAll(async () => {
      setup = await startSecured();
    });
    afterAll(async () => {
      await setup?.stop();
    });

    const good = manifestText(ping);
    const [entry] = JSON.parse(good).operations;
    const cases: Array<[string, string | undefined, string]> = [
      ['missing', undefined, 'cannot be read (ENOENT'],
      ['not JSON', '{"format":', 'is not valid JSON ('],
      [
        'another format',
        JSON.stringify({ operations: [entry] }),
        'is not a persisted query manifest: expected {"format":"apollo-persisted-query-manifest","version":1,"operations":[...]}',
      ],
      [
        'an id that is not its body’s hash',
        JSON.stringify({ ...JSON.parse(good), operations: [entry, { ...entry, name: 'Edited', body: `${ping} ` }] }),
        `operation 1 ("Edited"): id ${entry.id} is not the sha256 of its body (${sha256Hex(`${ping} `)})`,
      ],
      [
        'an entry without a body',
        JSON.stringify({ ...JSON.parse(good), operations: [{ id: entry.id, name: 'Empty', type: 'query' }] }),
        'operation 0 ("Empty") has no body',
      ],
      [
        'an unknown type',
        JSON.stringify({ ...JSON.parse(good), operations: [{ ...entry, type: 'fetch' }] }),
        'operation 0 ("Ping"): type must be query, mutation or subscription',
      ],
    ];
    test.each(cases)('%s', async (name, text, reason) => {
      const file = text === undefined ? `${files.dir}/absent.json` : files.file(`${name.replace(/\W+/g, '-')}.json`, text);
      const config = testConfig({ supergraphPath: `${setup.files.dir}/supergraph.graphql`, trustedDocuments: { mode: 'only', manifests: [frontEnd, file] } });
      const starting = createGateway(config);
      await expect(starting).rejects.toThrow(`trusted documents manifest ${file}: ${reason}`);
    });
  });

  test('TRUSTED_DOCUMENTS and TRUSTED_DOCUMENTS_MANIFESTS: the built-in manifest first, then the front-ends’ ones', () => {
    expect(trustedDocumentsFromEnv({})).toEqual({ mode: 'off', manifests: [defaultTrustedDocumentsManifest] });
    expect(trustedDocumentsFromEnv({ TRUSTED_DOCUMENTS: 'only', TRUSTED_DOCUMENTS_MANIFESTS: `${frontEnd}, ${other}` })).toEqual({
      mode: 'only',
      manifests: [defaultTrustedDocumentsManifest, frontEnd, other],
    });
    expect(() => trustedDocumentsFromEnv({ TRUSTED_DOCUMENTS: 'strict' })).toThrow('TRUSTED_DOCUMENTS must be off, allow, only (got "strict")');
  });

  test("the progress page's query is the built-in manifest's ProgrammesProgress, so the page runs under TRUSTED_DOCUMENTS=only", () => {
    const trusted = loadTrustedDocuments(trustedDocumentsFromEnv({ TRUSTED_DOCUMENTS: 'only' }));
    expect(trusted!.byId.get(sha256Hex(progressQuery()))?.name).toBe('ProgrammesProgress');
  });

  test('the built-in manifest of the saved client operations loads', () => {
    const trusted = loadTrustedDocuments(trustedDocumentsFromEnv({ TRUSTED_DOCUMENTS: 'only' }));
    expect([...trusted!.byId.values()].map((d) => d.name)).toEqual(expect.arrayContaining(['AgreementWithParties']));
  });
});
