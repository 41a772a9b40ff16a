import { PARTNERS } from '@partnership/domain';
import type { Caller, SubgraphServer } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { OWNER } from '../src/mutations/create-__name__-project';
import { create__Name__Server } from '../src/server';

const other = PARTNERS.find((partner) => partner !== OWNER)!;
const callers = {
  ownerEditor: { subject: 'owner-editor', partner: OWNER, roles: ['editor'] },
  otherEditor: { subject: 'other-editor', partner: other, roles: ['editor'] },
  ownerViewer: { subject: 'owner-viewer', partner: OWNER, roles: ['viewer'] },
  admin: { subject: 'admin', partner: other, roles: ['admin'] },
} as Record<string, Caller>;

const CREATE = `mutation ($input: Create__Name__ProjectInput!) {
  create__Name__Project(input: $input) { __nameCamel__Project { id title partner leadInstitution { id } } }
}`;

for (const target of scratchTargets) {
  target.describe('the __name__ subgraph', () => {
    let scratch: ScratchTarget;
    let server: SubgraphServer;
    let url: string;
    const gql = (query: string, variables: Record<string, unknown> = {}, caller: Caller | null = null) => postGraphQL<any>(url, query, variables, { caller });

    beforeAll(async () => {
      scratch = await target.open('__name_snake__');
      server = await create__Name__Server({ port: 0, databaseUrl: scratch.url, peers: {} });
      url = await server.listen(0);
    });
    afterAll(async () => {
      await server?.stop();
      await scratch?.dispose();
    });

    test('serves the reference project, and Institution.__nameCamel__Projects through an entity reference', async () => {
      const { body } = await gql(`{ __nameCamel__Project(id: "__name__-example") { id partner leadInstitution { id } } }`);
      expect(body).toEqual({ data: { __nameCamel__Project: { id: '__name__-example', partner: OWNER, leadInstitution: { id: 'gustave-roussy' } } } });
      const entities = await gql(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Institution { id __nameCamel__Projects(first: 5) { id } } } }`,
        {
          representations: [
            { __typename: 'Institution', id: 'gustave-roussy' },
            { __typename: 'Institution', id: 'nowhere' },
          ],
        },
      );
      expect(entities.body.data._entities).toEqual([
        { id: 'gustave-roussy', __nameCamel__Projects: [{ id: '__name__-example' }] },
        { id: 'nowhere', __nameCamel__Projects: [] },
      ]);
    });

    test('an editor of the owning partner creates a project, once per idempotency key, with an audit entry', async () => {
      const input = { id: 'test-__name__-created', title: 'Created by a test', leadInstitutionId: 'gustave-roussy', idempotencyKey: 'key-1' };
      const first = await gql(CREATE, { input }, callers.ownerEditor);
      expect(first.body.errors).toBeUndefined();
      expect(first.body.data.create__Name__Project.__nameCamel__Project).toEqual({
        id: input.id,
        title: input.title,
        partner: OWNER,
        leadInstitution: { id: 'gustave-roussy' },
      });
      const retry = await gql(CREATE, { input }, callers.ownerEditor);
      expect(retry.body).toEqual(first.body);
      const trail = await gql(`{ __nameCamel__AuditTrail(recordId: "${input.id}") { nodes { mutation recordId partner } } }`, {}, callers.admin);
      expect(trail.body.data.__nameCamel__AuditTrail.nodes).toEqual([{ mutation: 'create__Name__Project', recordId: input.id, partner: OWNER }]);
    });

    test.each([
      ['anonymous callers', null, 'UNAUTHENTICATED'],
      ['viewers', 'ownerViewer', 'FORBIDDEN'],
      ['editors of another partner', 'otherEditor', 'FORBIDDEN'],
    ] as const)('refuses %s', async (_label, who, code) => {
      const { body } = await gql(CREATE, { input: { id: 'test-__name__-refused', title: 'Refused' } }, who === null ? null : callers[who]);
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
      const after = await gql(`{ __nameCamel__Project(id: "test-__name__-refused") { id } }`);
      expect(after.body.data.__nameCamel__Project).toBeNull();
    });

    test('refuses bad input with the field named', async () => {
      const { body } = await gql(CREATE, { input: { title: 'No such partner', partner: 'XX' } }, callers.admin);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.partner' });
    });
  });
}
