import type { SubgraphServer } from '@partnership/subgraph-kit';
import { AuditEntry } from '@partnership/subgraph-kit';
import {
  expectOneError,
  postGraphQL,
  scratchTargets,
  startEntityStub,
  type EntityStub,
  type PostOptions,
  type ScratchTarget,
} from '@partnership/subgraph-kit/testing';
import { Agreement, AgreementArea, AgreementParty, Milestone } from '../../src/entities';
import { createAgreementsServer } from '../../src/server';

export type Caller = NonNullable<PostOptions['caller']>;

export const FR_EDITOR: Caller = { subject: 'fr-editor', partner: 'FR', roles: ['editor'] };
export const UZ_EDITOR: Caller = { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] };
export const MC_EDITOR: Caller = { subject: 'mc-editor', partner: 'MC', roles: ['editor'] };
export const FR_VIEWER: Caller = { subject: 'fr-viewer', partner: 'FR', roles: ['viewer', 'analyst'] };
export const ADMIN: Caller = { subject: 'mc-admin', partner: 'MC', roles: ['admin'] };

// What the institutions subgraph knows, as the stub answers it (a subgraph test never imports another subgraph).
export const INSTITUTIONS = [
  { id: 'uz-ministry-of-health', country: 'UZ' },
  { id: 'tashkent-oncology-center', country: 'UZ' },
  { id: 'gustave-roussy', country: 'FR' },
  { id: 'paul-strauss-center', country: 'FR' },
  { id: 'national-academy-of-surgery', country: 'FR' },
  { id: 'monaco-cardiothoracic-center', country: 'MC' },
  { id: 'almaty-test-hospital', country: 'KZ' },
];
export const PEOPLE = [{ id: 'patrick-le-dise' }, { id: 'celine-poulet' }, { id: 'asilbek-khudayarov' }];

export const CREATE = `mutation ($input: CreateAgreementInput!) { createAgreement(input: $input) { agreement {
  id title kind status version signedOn summary areas synthetic event { id }
  parties { institution { id } role representative { id } } milestones { id } } } }`;
export const SET_STATUS = `mutation ($input: SetAgreementStatusInput!) { setAgreementStatus(input: $input) { agreement {
  id status version signedOn concludedOn { precision label earliest } } } }`;
export const ADD_PARTY = `mutation ($input: AddAgreementPartyInput!) { addAgreementParty(input: $input) { agreement {
  id version parties { institution { id } role representative { id } } } } }`;
export const ADD_MILESTONE = `mutation ($input: AddMilestoneInput!) { addMilestone(input: $input) {
  milestone { id title status version due { precision label earliest latest } agreement { id } }
  agreement { id version milestones { id title } } } }`;
export const UPDATE_MILESTONE = `mutation ($input: UpdateMilestoneInput!) { updateMilestone(input: $input) {
  milestone { id title status version due { precision label } } } }`;
export const AUDIT = `query ($recordId: ID, $first: Int, $after: String) { agreementsAuditTrail(recordId: $recordId, first: $first, after: $after) {
  totalCount nodes { at subject partner mutation recordType recordId before after requestId } pageInfo { hasNextPage endCursor } } }`;

export const baseInput = (overrides: Record<string, unknown> = {}) => ({
  title: 'Cooperation in nuclear medicine',
  kind: 'COOPERATION_AGREEMENT',
  parties: [
    { institutionId: 'uz-ministry-of-health', role: 'Uzbek party' },
    { institutionId: 'gustave-roussy', role: 'French partner', representativeId: 'patrick-le-dise' },
  ],
  ...overrides,
});

export const long = (n: number) => 'é'.repeat(n);

/**
 * Opens a scratch database of `target` and starts the subgraph on it for the tests of one describe block (its
 * beforeAll/afterAll are registered here), and gives the helpers those tests share.
 */
export function mutationFixture(target: (typeof scratchTargets)[number]) {
  let scratch: ScratchTarget;
  let server: SubgraphServer;
  let url: string;
  let stub: EntityStub;

  const as = (caller: Caller | null) => (query: string, variables?: Record<string, unknown>) => postGraphQL<any>(url, query, variables, { caller });
  const fr = as(FR_EDITOR);
  const admin = as(ADMIN);

  /** Row counts of every table this subgraph writes, to prove a refused or failed mutation wrote nothing. */
  const counts = async () => {
    const { dataSource } = server.database;
    const entries = await Promise.all(
      [Agreement, AgreementArea, AgreementParty, Milestone, AuditEntry].map(
        async (entity) => [entity.name, await dataSource.getRepository(entity).count()] as const,
      ),
    );
    return Object.fromEntries(entries);
  };

  const expectError = (body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }, code: string, field?: string) => {
    const { message } = expectOneError(body, code, field);
    expect(message).not.toMatch(/\n\s+at /); // no stack trace
    return message;
  };

  /** A fresh agreement between the Uzbek ministry (UZ) and Gustave Roussy (FR), made by an admin. */
  const newAgreement = async (overrides: Record<string, unknown> = {}) => {
    const { body } = await admin(CREATE, { input: baseInput(overrides) });
    expect(body.errors).toBeUndefined();
    return body.data.createAgreement.agreement as { id: string; version: number };
  };

  beforeAll(async () => {
    scratch = await target.open('agreements-mutations');
    stub = await startEntityStub({ Institution: INSTITUTIONS, Person: PEOPLE });
    server = await createAgreementsServer({ port: 0, databaseUrl: scratch.url, peers: stub.peers });
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server?.stop();
    await stub?.stop();
    await scratch?.dispose();
  });

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
    get stub() {
      return stub;
    },
    as,
    fr,
    admin,
    counts,
    expectError,
    newAgreement,
  };
}
