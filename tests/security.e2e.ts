import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, localSigningKey } from '@partnership/gateway';
import { signRequest } from '@partnership/request-signing';
import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { bootFederation, type Federation } from './federation';

const sqlite = scratchTargets.find((t) => t.label === 'SQLite')!;
const ISSUER = 'uz-fr-health-graph-local';
const AUDIENCE = 'uz-fr-health-graph';
const claims = { subject: 'mallory', partner: 'FR' as const, roles: ['admin' as const] };

// The attacks of issue 4, from outside, against the real federation: the gateway's port and each subgraph's port.
describe('attacks on a running federation', () => {
  let federation: Federation;
  let otherKeyDir: string;
  const statements = () => Object.values(federation.subgraphs).reduce((sum, s) => sum + s.database.statements.count, 0);
  const query = '{ institutions(first: 1) { totalCount } }';
  const withToken = (token: string, q = query) => postGraphQL<any>(federation.gatewayUrl, q, undefined, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    federation = await bootFederation(sqlite);
    otherKeyDir = mkdtempSync(join(tmpdir(), 'other-key-'));
  });
  afterAll(async () => {
    await federation?.stop();
    rmSync(otherKeyDir, { recursive: true, force: true });
  });

  describe('tokens the gateway must refuse, before any subgraph works', () => {
    const key = () => localSigningKey(federation.dataDir);
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases: Array<[string, () => Promise<string>]> = [
      ['expired', () => issueToken(claims, { key: key(), issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 60, now: Date.now() - 3_600_000 })],
      ['not yet valid', () => issueToken(claims, { key: key(), issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 600, now: Date.now() + 3_600_000 })],
      [
        'forged (signed with another key)',
        () => issueToken(claims, { key: localSigningKey(otherKeyDir), issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 600 }),
      ],
      [
        'alg none',
        async () =>
          `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', partner: 'FR', roles: ['admin'], iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })}.`,
      ],
      ['wrong issuer', () => issueToken(claims, { key: key(), issuer: 'someone-else', audience: AUDIENCE, ttlSeconds: 600 })],
      ['wrong audience', () => issueToken(claims, { key: key(), issuer: ISSUER, audience: 'another-api', ttlSeconds: 600 })],
      [
        'HS256 signed with a guessed secret',
        () => issueToken(claims, { key: { secret: 'x'.repeat(40) }, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 600 }),
      ],
    ];
    test.each(cases)('%s → 401 UNAUTHENTICATED', async (_name, makeToken) => {
      const before = statements();
      const { status, body } = await withToken(await makeToken());
      expect(status).toBe(401);
      expect(body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      expect(body.data ?? null).toBeNull();
      expect(statements()).toBe(before);
    });

    test('a valid token is served', async () => {
      const { status, body } = await withToken(await federation.token({ subject: 'alice', partner: 'UZ', roles: ['viewer'] }));
      expect(status).toBe(200);
      expect(body.data.institutions.totalCount).toBe(14);
    });
  });

  describe('each subgraph port, called directly', () => {
    const names = ['institutions', 'agreements', 'training'] as const;
    const body = JSON.stringify({
      query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
      variables: { r: [{ __typename: 'Institution', id: 'gustave-roussy' }] },
    });
    const call = (name: (typeof names)[number], headers: Record<string, string>) =>
      fetch(federation.urls[name], { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    test.each(names)('%s refuses an unsigned, a forged and a replayed old request with 401', async (name) => {
      const before = federation.subgraphs[name].database.statements.count;
      for (const headers of [
        {},
        signRequest('not-the-federation-secret-0123456789abcdef', null, body),
        signRequest(process.env.GATEWAY_SIGNING_SECRET!, { subject: 'mallory', partner: 'FR', roles: ['admin'] }, body, Date.now() - 10 * 60_000),
      ]) {
        const response = await call(name, headers);
        expect(response.status).toBe(401);
        expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
      expect(federation.subgraphs[name].database.statements.count).toBe(before);
    });
  });

  describe('personal data', () => {
    test('an analyst asking for trainee names gets the placements and figures without names', async () => {
      // The article names no trainee: this one is test data, written straight into the training database.
      const training = federation.subgraphs.training.database.dataSource;
      await training.query(
        "INSERT INTO trainee (id, full_name, home_institution_id, synthetic) VALUES ('e2e-trainee', 'E2E Trainee', 'vakhidov-surgery-center', 1)",
      );
      await training.query(
        "INSERT INTO placement (id, cohort_id, trainee_id, status, synthetic) VALUES ('e2e-placement', 'surgeons-2026-03-paul-strauss', 'e2e-trainee', 'ENROLLED', 1)",
      );
      const token = await federation.token({ subject: 'ana', partner: 'UZ', roles: ['analyst'] });
      const { body } = await withToken(
        token,
        '{ trainingProgram(id: "surgeons-100-by-2030") { progress { planned enrolled } cohorts { placements { status trainee { fullName } } } } }',
      );
      expect(body.data.trainingProgram).toEqual({ progress: { planned: 5, enrolled: 1 }, cohorts: [{ placements: [{ status: 'ENROLLED', trainee: null }] }] });
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['trainingProgram', 'cohorts', 0, 'placements', 0, 'trainee'],
          extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
        }),
      ]);
      const viewer = await withToken(
        await federation.token({ subject: 'vic', partner: 'UZ', roles: ['viewer'] }),
        '{ trainingProgram(id: "surgeons-100-by-2030") { cohorts { placements { trainee { fullName } } } } }',
      );
      expect(viewer.body.data.trainingProgram.cohorts[0].placements).toEqual([{ trainee: { fullName: 'E2E Trainee' } }]);
    });

    test('an analyst asking for contact details gets null and FORBIDDEN for them', async () => {
      const token = await federation.token({ subject: 'ana', partner: 'UZ', roles: ['analyst'] });
      const contacts = await withToken(token, '{ person(id: "celine-poulet") { fullName email } }');
      expect(contacts.body.data.person).toEqual({ fullName: 'Céline Poulet', email: null });
      expect(contacts.body.errors).toEqual([
        expect.objectContaining({ path: ['person', 'email'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
    });

    test('an anonymous caller asking for contacts gets null and UNAUTHENTICATED for them, the rest answers', async () => {
      const { status, body } = await postGraphQL<any>(
        federation.gatewayUrl,
        '{ people(filter: { search: "poulet" }) { nodes { fullName title email phone } } }',
      );
      expect(status).toBe(200);
      expect(body.data.people.nodes).toEqual([{ fullName: 'Céline Poulet', title: 'Secretary-General', email: null, phone: null }]);
      expect(body.errors!.map((e: any) => [e.path.join('.'), e.extensions.code])).toEqual([
        ['people.nodes.0.email', 'UNAUTHENTICATED'],
        ['people.nodes.0.phone', 'UNAUTHENTICATED'],
      ]);
    });
  });

  describe('hostile operations are refused at the gateway', () => {
    const nest = (depth: number) => `{ institution(id: "gustave-roussy") { ${'partOf { '.repeat(depth)}id${' }'.repeat(depth)} } }`;
    const cases: Array<[string, string, number, string]> = [
      ['a depth-50 query', nest(50), 400, 'BAD_USER_INPUT'],
      ['1,000 aliases', `{ ${Array.from({ length: 1000 }, (_v, i) => `a${i}: institution(id: "gustave-roussy") { id }`).join(' ')} }`, 400, 'BAD_USER_INPUT'],
      [
        'a fragment cycle',
        'query { institution(id: "x") { ...A } } fragment A on Institution { partOf { ...B } } fragment B on Institution { partOf { ...A } }',
        400,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      ['a huge first', '{ institutions(first: 100000) { nodes { agreements { id } } } }', 400, 'BAD_USER_INPUT'],
      ['25 root fields', `{ ${Array.from({ length: 25 }, (_v, i) => `f${i}: events { id }`).join(' ')} }`, 400, 'BAD_USER_INPUT'],
    ];
    test.each(cases)('%s → HTTP %s %s, and no subgraph does the work', async (_name, operation, status, code) => {
      const before = statements();
      const response = await postGraphQL<any>(federation.gatewayUrl, operation);
      expect(response.status).toBe(status);
      expect(response.body.errors![0].extensions!.code).toBe(code);
      expect(statements()).toBe(before);
    });

    test('a 2 MB body → 413', async () => {
      const before = statements();
      const response = await fetch(federation.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ __typename }`, variables: { padding: 'x'.repeat(2 * 1024 * 1024) } }),
      });
      expect(response.status).toBe(413);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      expect(statements()).toBe(before);
    });
  });
});
