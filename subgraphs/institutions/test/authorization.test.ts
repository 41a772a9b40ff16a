import type { Caller } from '@partnership/subgraph-kit';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { createScratchSqlite, postGraphQL } from '@partnership/subgraph-kit/testing';
import { Person } from '../src/entities';
import { createInstitutionsServer } from '../src/server';

const as = (roles: Caller['roles']): Caller => ({ subject: `test-${roles.join('-')}`, partner: 'UZ', roles });

// Contact details are personal data: viewers, editors and admins; names and titles from the sources are public.
describe('who may read contact details', () => {
  const scratch = createScratchSqlite('institutions-authorization');
  let server: SubgraphServer;
  let url: string;
  const query = '{ person(id: "celine-poulet") { fullName title email phone } }';

  beforeAll(async () => {
    server = await createInstitutionsServer({ port: 0, databaseUrl: scratch.url });
    await server.database.dataSource.getRepository(Person).update('celine-poulet', { email: 'contact@example.invalid', phone: '+33 1 00 00 00 00' });
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server.stop();
    scratch.remove();
  });

  test.each([[['viewer']], [['editor']], [['admin']], [['analyst', 'viewer']]] as Array<[Caller['roles']]>)('%j reads them', async (roles) => {
    const { body } = await postGraphQL<any>(url, query, undefined, { caller: as(roles) });
    expect(body.errors).toBeUndefined();
    expect(body.data.person).toEqual({ fullName: 'Céline Poulet', title: 'Secretary-General', email: 'contact@example.invalid', phone: '+33 1 00 00 00 00' });
  });

  test('an analyst gets null and FORBIDDEN for each, the public fields still answer', async () => {
    const { body } = await postGraphQL<any>(url, query, undefined, { caller: as(['analyst']) });
    expect(body.data.person).toEqual({ fullName: 'Céline Poulet', title: 'Secretary-General', email: null, phone: null });
    expect(body.errors.map((e: { path: string[]; extensions: { code: string } }) => [e.path.join('.'), e.extensions.code])).toEqual([
      ['person.email', 'FORBIDDEN'],
      ['person.phone', 'FORBIDDEN'],
    ]);
  });

  test('an anonymous caller gets null and UNAUTHENTICATED', async () => {
    const { body } = await postGraphQL<any>(url, '{ person(id: "celine-poulet") { fullName email } }');
    expect(body.data.person).toEqual({ fullName: 'Céline Poulet', email: null });
    expect(body.errors).toEqual([expect.objectContaining({ path: ['person', 'email'], extensions: { code: 'UNAUTHENTICATED' } })]);
  });
});
