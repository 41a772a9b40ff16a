import type { Caller } from '@partnership/subgraph-kit';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import {
  expectNoRowsWritten,
  expectOneError,
  postGraphQL,
  rowCounts as countRows,
  scratchTargets,
  testCaller,
  type ScratchTarget,
} from '@partnership/subgraph-kit/testing';
import { createInstitutionsServer } from '../../src/server';

export const caller = testCaller;
export const frEditor = caller('FR', ['editor']);
export const uzEditor = caller('UZ', ['editor']);
export const mcEditor = caller('MC', ['editor']);
export const frViewer = caller('FR', ['viewer']);
export const frAnalyst = caller('FR', ['analyst']);
export const admin = caller('UZ', ['admin']);

export const INSTITUTION_FIELDS = 'id name localName kind status country city brand description partOf { id } specialties version synthetic';
export const CREATE_INSTITUTION = `mutation ($input: CreateInstitutionInput!) { createInstitution(input: $input) { institution { ${INSTITUTION_FIELDS} } } }`;
export const UPDATE_INSTITUTION = `mutation ($input: UpdateInstitutionInput!) { updateInstitution(input: $input) { institution { ${INSTITUTION_FIELDS} } } }`;
export const PERSON_FIELDS = 'id fullName title email phone institution { id } version synthetic';
export const ADD_PERSON = `mutation ($input: AddPersonInput!) { addPerson(input: $input) { person { ${PERSON_FIELDS} } } }`;
export const UPDATE_PERSON = `mutation ($input: UpdatePersonInput!) { updatePerson(input: $input) { person { ${PERSON_FIELDS} } } }`;
export const AUDIT_TRAIL =
  'query ($id: ID) { institutionsAuditTrail(recordId: $id, first: 100) { totalCount nodes { subject partner mutation recordType recordId before after requestId at } } }';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Opens a scratch database of `target` and starts the subgraph on it for the tests of one describe block (its
 * beforeAll/afterAll are registered here), and gives the helpers those tests share.
 */
export function mutationFixture(target: (typeof scratchTargets)[number]) {
  let scratch: ScratchTarget;
  let server: SubgraphServer;
  let url: string;

  beforeAll(async () => {
    scratch = await target.open('institutions_mutations');
    server = await createInstitutionsServer({ port: 0, databaseUrl: scratch.url });
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server?.stop();
    await scratch?.dispose();
  });

  const gql = (who: Caller | null, query: string, variables?: Record<string, unknown>) => postGraphQL<any>(url, query, variables, { caller: who });
  const rowCounts = () => countRows(server);
  /** Runs a write that must be refused and checks that nothing at all was written. */
  const expectRefused = (who: Caller | null, query: string, input: Record<string, unknown>, code: string, field?: string, httpStatus = 200) =>
    expectNoRowsWritten(rowCounts, async () => {
      const { status, body } = await gql(who, query, { input });
      expect(status).toBe(httpStatus);
      expect(body.data ?? null).toBeNull();
      const error = expectOneError(body, code, field);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
      return error as { message: string; extensions: Record<string, unknown> };
    });
  const createInstitution = async (input: Record<string, unknown>, who: Caller = frEditor) => {
    const { body } = await gql(who, CREATE_INSTITUTION, { input: { kind: 'HOSPITAL', country: 'FR', ...input } });
    expect(body.errors).toBeUndefined();
    return body.data.createInstitution.institution;
  };
  const addPerson = async (input: Record<string, unknown>, who: Caller = frEditor) => {
    const { body } = await gql(who, ADD_PERSON, { input });
    expect(body.errors).toBeUndefined();
    return body.data.addPerson.person;
  };
  const auditOf = async (id: string) => (await gql(admin, AUDIT_TRAIL, { id })).body.data.institutionsAuditTrail;

  return {
    get scratch() {
      return scratch;
    },
    get server() {
      return server;
    },
    get url() {
      return url;
    },
    gql,
    rowCounts,
    expectRefused,
    createInstitution,
    addPerson,
    auditOf,
  };
}
