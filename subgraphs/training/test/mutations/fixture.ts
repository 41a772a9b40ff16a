import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { callers, CREATE, ENROLL, SCHEDULE, startMutationFixture, type MutationFixture } from '../mutation-fixture';

export type Body = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/** A refused mutation: one error with this code (and field), no data. */
export function expectRefused(body: Body, code: string, field?: string, message?: RegExp): void {
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors!;
  expect(error.extensions?.code).toBe(code);
  if (field !== undefined) expect(error.extensions?.field).toBe(field);
  if (message !== undefined) expect(error.message).toMatch(message);
  // No data, or only the refused (nullable) field as null.
  expect(body.data === null || body.data === undefined ? [] : Object.values(body.data).filter((v) => v !== null)).toEqual([]);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
}

/** Table rows of refused inputs, named readably (long strings shown by their length). */
export function refusals(rows: Array<[Record<string, unknown>, string, RegExp]>) {
  const show = (value: unknown): string =>
    typeof value === 'string' && value.length > 32 ? `<${value.length} characters>` : Array.isArray(value) && value.length > 4 ? `<${value.length} ids>` : JSON.stringify(value);
  return rows.map(([overrides, field, message]) => ({
    label: Object.entries(overrides).map(([k, v]) => `${k}: ${show(v)}`).join(', '),
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
  async function expectNoRowsWritten(work: () => Promise<void>): Promise<void> {
    const before = await fixture.rowCounts();
    await work();
    expect(await fixture.rowCounts()).toEqual(before);
  }

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
    const { body } = await gql('query ($id: ID) { trainingAuditTrail(recordId: $id, first: 100) { totalCount nodes { subject partner mutation recordType recordId before after requestId } } }', { id: recordId }, callers.admin);
    expect(body.errors).toBeUndefined();
    return body.data.trainingAuditTrail.nodes;
  }

  return {
    get scratch() { return scratch; },
    get fixture() { return fixture; },
    get gql() { return gql; },
    get sequence() { return sequence; },
    freshId,
    expectNoRowsWritten,
    createProgramme,
    scheduleCohort,
    enrol,
    auditOf,
  };
}
