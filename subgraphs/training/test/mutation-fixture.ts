import type { Caller } from '@partnership/subgraph-kit';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { postGraphQL, rowCounts as countRows, startEntityStub, unreachableUrl, type EntityStub, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { createTrainingServer } from '../src/server';

/** Callers as the gateway vouches for them. */
export const callers = {
  uzEditor: { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] },
  frEditor: { subject: 'fr-editor', partner: 'FR', roles: ['editor'] },
  mcEditor: { subject: 'mc-editor', partner: 'MC', roles: ['editor'] },
  uzViewer: { subject: 'uz-viewer', partner: 'UZ', roles: ['viewer'] },
  uzAnalyst: { subject: 'uz-analyst', partner: 'UZ', roles: ['analyst'] },
  admin: { subject: 'admin', partner: 'FR', roles: ['admin'] },
} satisfies Record<string, Caller>;

/** What the other subgraphs know, as the stub answers `_entities` for them. */
export const peerRecords = {
  Institution: [
    { id: 'vakhidov-surgery-center', country: 'UZ' },
    { id: 'national-medical-center', country: 'UZ' },
    { id: 'cardiology-center', country: 'UZ' },
    { id: 'paul-strauss-center', country: 'FR' },
    { id: 'gustave-roussy', country: 'FR' },
    { id: 'national-academy-of-surgery', country: 'FR' },
    { id: 'monaco-cardiothoracic-center', country: 'MC' },
    // A clinic outside the partnership: no partner owns it, so only admins may write what depends on it.
    { id: 'test-almaty-clinic', country: 'KZ' },
  ],
  Agreement: [{ id: 'protocol-surgical-cooperation' }, { id: 'gustave-roussy-licensing-agreement' }, { id: 'monaco-cardiothoracic-cooperation' }],
};

/** The tables of this subgraph, counted to prove what a mutation wrote, or that it wrote nothing. */
export const TABLES = ['training_program', 'training_program_host', 'cohort', 'trainee', 'placement', 'idempotent_request', 'audit_entry'] as const;

export interface MutationFixture {
  server: SubgraphServer;
  url: string;
  stub: EntityStub;
  /** Posts as `caller` (null: anonymous). */
  gql(query: string, variables: Record<string, unknown> | undefined, caller: Caller | null): ReturnType<typeof postGraphQL<any>>;
  rowCounts(): Promise<Record<string, number>>;
}

/** Starts the subgraph on a scratch database with the entity stub as its peers; `close` stops both. */
export async function startMutationFixture(scratch: ScratchTarget): Promise<MutationFixture & { close(): Promise<void> }> {
  const stub = await startEntityStub(peerRecords);
  const server = await createTrainingServer({ port: 0, databaseUrl: scratch.url, peers: stub.peers });
  const url = await server.listen(0);
  return {
    server,
    url,
    stub,
    gql: (query, variables, caller) => postGraphQL<any>(url, query, variables, { caller }),
    rowCounts: () => rowCounts(server),
    async close() {
      await server.stop();
      await stub.stop();
    },
  };
}

/** Row counts of this subgraph's tables. */
export const rowCounts = (server: SubgraphServer) => countRows(server, TABLES);

/** A URL where nothing listens (the kit's helper). */
export { unreachableUrl };

export const ENROLL = `mutation ($input: EnrollTraineeInput!) { enrollTrainee(input: $input) {
  placement { id status version synthetic cohort { id } trainee { fullName homeInstitution { id } } } } }`;
export const SCHEDULE = `mutation ($input: ScheduleCohortInput!) { scheduleCohort(input: $input) {
  cohort { id plannedSize hostInstitution { id } startsOn { precision label } program { id hostInstitutions { id } progress { planned } } } } }`;
export const CREATE = `mutation ($input: CreateTrainingProgramInput!) { createTrainingProgram(input: $input) { trainingProgram {
  id title specialty status summary traineeCountry agreement { id } targetTrainees targetDate { precision label latest }
  hostInstitutions { id } cohorts { id } progress { target planned enrolled completed remaining } synthetic } } }`;
export const SET_STATUS = `mutation ($input: SetPlacementStatusInput!) { setPlacementStatus(input: $input) { placement { id status version } } }`;
