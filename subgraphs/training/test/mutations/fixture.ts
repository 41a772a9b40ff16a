/**
 * The training subgraph's test fixture: its callers, peers, tables and operations; the subgraph started on a scratch
 * database with an entity stub as its peers; and the helpers its mutation tests share.
 */
import type { Caller, SubgraphServer } from '@partnership/subgraph-kit';
import {
  expectNoRowsWritten,
  expectOneError,
  postGraphQL,
  rowCounts as countRows,
  scratchTargets,
  startEntityStub,
  unreachableUrl,
  type EntityStub,
  type ScratchTarget,
} from '@partnership/subgraph-kit/testing';
import { createTrainingServer } from '../../src/server';

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

export type Body = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/** A refused mutation: one error with this code (and field), no data. */
export function expectRefused(body: Body, code: string, field?: string, message?: RegExp): void {
  const error = expectOneError(body, code, field);
  if (message !== undefined) expect(error.message).toMatch(message);
  // No data, or only the refused (nullable) field as null.
  expect(body.data === null || body.data === undefined ? [] : Object.values(body.data).filter((v) => v !== null)).toEqual([]);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
}

/** Table rows of refused inputs, named readably (long strings shown by their length). */
export function refusals(rows: Array<[Record<string, unknown>, string, RegExp]>) {
  const show = (value: unknown): string =>
    typeof value === 'string' && value.length > 32
      ? `<${value.length} characters>`
      : Array.isArray(value) && value.length > 4
        ? `<${value.length} ids>`
        : JSON.stringify(value);
  return rows.map(([overrides, field, message]) => ({
    label: Object.entries(overrides)
      .map(([k, v]) => `${k}: ${show(v)}`)
      .join(', '),
    overrides,
    field,
    message,
  }));
}

export const programmeInput = (overrides: Record<string, unknown> = {}) => ({
  title: 'Training of Uzbek cardiac surgeons in France',
  specialty: 'CARDIAC_SURGERY',
  summary: 'Recorded by a test.',
  traineeCountry: 'UZ',
  agreementId: 'protocol-surgical-cooperation',
  targetTrainees: 20,
  targetDate: '2028',
  targetDateLabel: 'by 2028',
  startsOn: '2026-Q2',
  hostInstitutionIds: ['paul-strauss-center', 'gustave-roussy'],
  ...overrides,
});

/**
 * Opens a scratch database of `target` and starts the subgraph on it for the tests of one describe block (its
 * beforeAll/afterAll are registered here), and gives the helpers those tests share.
 */
export function mutationFixture(target: (typeof scratchTargets)[number]) {
  let scratch: ScratchTarget;
  let fixture: MutationFixture & { close(): Promise<void> };
  let gql: MutationFixture['gql'];
  let sequence = 0;
  /** A fresh slug per call, so tests never collide on ids. */
  const freshId = (prefix: string) => `test-${prefix}-${(sequence += 1)}`;

  beforeAll(async () => {
    scratch = await target.open('training-mutations');
    fixture = await startMutationFixture(scratch);
    gql = fixture.gql;
  });
  afterAll(async () => {
    await fixture?.close();
    await scratch?.dispose();
  });

  /** Runs `work` and checks that no table of the subgraph gained or lost a row. */
  const noRowsWritten = (work: () => Promise<void>): Promise<void> => expectNoRowsWritten(() => fixture.rowCounts(), work);

  async function createProgramme(caller: Caller, overrides: Record<string, unknown> = {}): Promise<any> {
    const { body } = await gql(CREATE, { input: programmeInput({ id: freshId('programme'), ...overrides }) }, caller);
    expect(body.errors).toBeUndefined();
    return body.data.createTrainingProgram.trainingProgram;
  }

  async function scheduleCohort(caller: Caller, input: Record<string, unknown>): Promise<any> {
    const { body } = await gql(SCHEDULE, { input: { id: freshId('cohort'), ...input } }, caller);
    expect(body.errors).toBeUndefined();
    return body.data.scheduleCohort.cohort;
  }

  async function enrol(caller: Caller, input: Record<string, unknown>): Promise<any> {
    const { body } = await gql(ENROLL, { input }, caller);
    expect(body.errors).toBeUndefined();
    return body.data.enrollTrainee.placement;
  }

  async function auditOf(recordId: string): Promise<any[]> {
    const { body } = await gql(
      'query ($id: ID) { trainingAuditTrail(recordId: $id, first: 100) { totalCount nodes { subject partner mutation recordType recordId before after requestId } } }',
      { id: recordId },
      callers.admin,
    );
    expect(body.errors).toBeUndefined();
    return body.data.trainingAuditTrail.nodes;
  }

  return {
    get scratch() {
      return scratch;
    },
    get fixture() {
      return fixture;
    },
    get gql() {
      return gql;
    },
    get sequence() {
      return sequence;
    },
    freshId,
    expectNoRowsWritten: noRowsWritten,
    createProgramme,
    scheduleCohort,
    enrol,
    auditOf,
  };
}
