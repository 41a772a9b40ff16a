/**
 * The two kinds of traffic: identical (every client asks the same saved operation with the same variables) and
 * varied (ids, pages and filters change on every request, over five cross-subgraph operations, so response caches
 * mostly miss). Varied requests come from a seeded generator: every gateway gets the same sequence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type TrafficKind = 'identical' | 'varied';
export const TRAFFIC_KINDS: readonly TrafficKind[] = ['identical', 'varied'];

/** Real ids and cursors of the benchmark's data, read through a gateway before anything is measured. */
export interface TrafficData {
  institutionCursors: string[];
  agreementIds: string[];
  agreementCursors: string[];
  programmeIds: string[];
}

export interface Traffic {
  kind: TrafficKind;
  /** A request body; each call may give a different one. */
  nextBody(): string;
  /** Whether an answer to `body` is right: no errors, and the root field present. */
  check(body: string, answer: Answer): string | undefined;
}

export interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string }>;
}

const COUNTRIES = ['UZ', 'FR', 'MC'];
// The synthetic data's specialties (packages/partnership/src/synthetic-plan.ts).
const SPECIALTIES = ['ONCOLOGY', 'CARDIOLOGY', 'SURGERY', 'EMERGENCY_MEDICINE', 'BLOOD_TRANSFUSION', 'REHABILITATION', 'SOCIAL_WORK', 'CARDIAC_SURGERY'];

const institutionSearch = `query InstitutionSearch($search: String, $specialty: Specialty, $first: Int, $nested: Int) {
  institutions(filter: { search: $search, specialty: $specialty }, first: $first) {
    totalCount
    nodes {
      id name country
      people(first: $nested) { id fullName }
      agreements(first: $nested) { id title parties { role institution { id name country } } }
      hostedPrograms(first: $nested) { id title progress { planned enrolled completed onTrack } }
    }
  }
}`;

// The saved ProgrammeWithCohorts less the cohorts' placements, which only signed-in partners may read (the
// benchmark's clients are anonymous).
const programmeDetail = `query ProgrammeDetail($id: ID!) {
  trainingProgram(id: $id) {
    id title specialty status traineeCountry targetTrainees
    targetDate { label latest }
    agreement { id title status parties { role institution { id name } } }
    hostInstitutions { id name country city }
    cohorts { id startsOn { label precision } plannedSize hostInstitution { id name } }
    progress { target planned enrolled completed remaining onTrack }
  }
}`;

const agreementsPage = `query AgreementsPage($area: Specialty, $country: Country, $first: Int, $after: String) {
  agreements(filter: { area: $area, country: $country }, first: $first, after: $after) {
    totalCount
    nodes {
      id title status
      parties { role institution { id name city } }
      trainingPrograms { id title progress { enrolled onTrack } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** A saved operation of supergraph/operations (the explorer's examples). */
function savedOperation(repoRoot: string, file: string): string {
  return readFileSync(join(repoRoot, 'supergraph', 'operations', file), 'utf8');
}

/** The identical traffic: the saved InstitutionsWithAgreements operation with `first: 10`. */
export function identicalTraffic(repoRoot: string): Traffic {
  const body = JSON.stringify({
    query: savedOperation(repoRoot, 'institutions-with-agreements.graphql'),
    operationName: 'InstitutionsWithAgreements',
    variables: { first: 10 },
  });
  return { kind: 'identical', nextBody: () => body, check: (_body, answer) => problem(answer, 'institutions') };
}

/** Mulberry32: small, fast and seeded, so every gateway gets the same sequence of requests. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Five operations over the three subgraphs; every request draws its operation, ids, page and filters anew. */
export function variedTraffic(repoRoot: string, data: TrafficData, seed = 1): Traffic {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const maybe = <T>(value: T): T | undefined => (random() < 0.3 ? undefined : value);
  const institutionsWithAgreements = savedOperation(repoRoot, 'institutions-with-agreements.graphql');
  const agreementWithParties = savedOperation(repoRoot, 'agreement-with-parties.graphql');
  const operations: Array<{ weight: number; operationName: string; query: string; rootField: string; variables(): object }> = [
    {
      weight: 25,
      operationName: 'InstitutionsWithAgreements',
      query: institutionsWithAgreements,
      rootField: 'institutions',
      variables: () => ({ country: maybe(pick(COUNTRIES)), first: between(1, 10), after: maybe(pick(data.institutionCursors)) }),
    },
    {
      weight: 25,
      operationName: 'InstitutionSearch',
      query: institutionSearch,
      rootField: 'institutions',
      variables: () => ({ search: String(between(0, 99)), specialty: maybe(pick(SPECIALTIES)), first: between(1, 10), nested: between(1, 5) }),
    },
    {
      weight: 20,
      operationName: 'AgreementsPage',
      query: agreementsPage,
      rootField: 'agreements',
      variables: () => ({ area: maybe(pick(SPECIALTIES)), country: maybe(pick(COUNTRIES)), first: between(1, 10), after: maybe(pick(data.agreementCursors)) }),
    },
    {
      weight: 15,
      operationName: 'AgreementWithParties',
      query: agreementWithParties,
      rootField: 'agreement',
      variables: () => ({ id: pick(data.agreementIds) }),
    },
    { weight: 15, operationName: 'ProgrammeDetail', query: programmeDetail, rootField: 'trainingProgram', variables: () => ({ id: pick(data.programmeIds) }) },
  ];
  const totalWeight = operations.reduce((sum, o) => sum + o.weight, 0);
  const rootFields = new Map(operations.map((o) => [o.operationName, o.rootField]));
  return {
    kind: 'varied',
    nextBody() {
      const draw = random() * totalWeight;
      let index = 0;
      for (let below = operations[0].weight; below <= draw && index < operations.length - 1; below += operations[index].weight) index += 1;
      const { query, operationName, variables } = operations[index];
      return JSON.stringify({ query, operationName, variables: variables() });
    },
    check(body, answer) {
      const { operationName } = JSON.parse(body) as { operationName: string };
      return problem(answer, rootFields.get(operationName)!);
    },
  };
}

function problem(answer: Answer, rootField: string): string | undefined {
  if (answer.errors?.length) return `errors: ${answer.errors.map((e) => e.message).join('; ')}`;
  if (!answer.data || answer.data[rootField] === null || answer.data[rootField] === undefined) return `no ${rootField} in the answer`;
  return undefined;
}

interface Page {
  edges: Array<{ cursor: string; node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every id and cursor of institutions, agreements and programmes, page by page through the gateway at `url`. */
export async function readTrafficData(url: string): Promise<TrafficData> {
  const all = async (field: string) => {
    const edges: Page['edges'] = [];
    let after: string | null = null;
    do {
      const answer = await post(url, {
        query: `query Ids($after: String) { ${field}(first: 100, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
        variables: { after },
      });
      if (answer.errors?.length || !answer.data) throw new Error(`reading the ${field} ids failed: ${JSON.stringify(answer).slice(0, 500)}`);
      const page = answer.data[field] as Page;
      edges.push(...page.edges);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after !== null);
    return edges;
  };
  const [institutions, agreements, programmes] = [await all('institutions'), await all('agreements'), await all('trainingPrograms')];
  return {
    institutionCursors: institutions.map((e) => e.cursor),
    agreementIds: agreements.map((e) => e.node.id),
    agreementCursors: agreements.map((e) => e.cursor),
    programmeIds: programmes.map((e) => e.node.id),
  };
}

export async function post(url: string, body: object | string): Promise<Answer & { status?: number }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  try {
    return { status: response.status, ...(JSON.parse(text) as Answer) };
  } catch {
    return { status: response.status, errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 300)}` }] };
  }
}
