/**
 * One stub subgraph with what the security tests need (a recursive type, nested connections, an internal error, a
 * FORBIDDEN error) and a gateway over it. Every stub call is verified and recorded, so a test can assert that no
 * subgraph did any work.
 */
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../src/config';
import { composeSupergraph, federationLink, scratchDir, startGateway, startStub, testConfig, type ScratchDir, type Stub } from './stubs';

export const registrySdl = `${federationLink}
type Query {
  ping: String
  institution(id: ID!): Institution
  institutions(first: Int, after: String): InstitutionConnection!
  "Fails like a bug would: the message holds something no client should see."
  broken: String
  closed: String
}
type PageInfo {
  hasNextPage: Boolean!
  endCursor: String
}
type InstitutionConnection {
  nodes: [Institution!]!
  pageInfo: PageInfo!
  totalCount: Int!
}
type Institution @key(fields: "id") {
  id: ID!
  name: String!
  partner: Institution
  tags: [String!]!
  programmes(first: Int): ProgrammeConnection!
}
type ProgrammeConnection {
  nodes: [Programme!]!
  pageInfo: PageInfo!
}
type Programme {
  id: ID!
  title: String!
}
`;

export const secretInError = 'db at 10.0.0.5 refused user partnership password hunter2';

const institutions = [
  { id: 'gustave-roussy', name: 'Gustave Roussy', partnerId: 'paul-strauss-center' },
  { id: 'paul-strauss-center', name: 'Paul Strauss Center', partnerId: 'gustave-roussy' },
];
const find = (id: string) => institutions.find((i) => i.id === id) ?? null;

export function startRegistry(options: { signingSecret?: string; stacktraces?: boolean } = {}): Promise<Stub> {
  return startStub(
    'registry',
    registrySdl,
    {
      Query: {
        ping: () => 'pong',
        institution: (_: unknown, { id }: { id: string }) => find(id),
        institutions: (_: unknown, { first }: { first?: number }) => {
          const nodes = institutions.slice(0, first ?? 20);
          return { nodes, totalCount: institutions.length, pageInfo: { hasNextPage: nodes.length < institutions.length, endCursor: null } };
        },
        broken: () => {
          throw new Error(secretInError);
        },
        closed: () => {
          throw new GraphQLError('The registry is closed to your partner', { extensions: { code: 'FORBIDDEN' } });
        },
      },
      Institution: {
        __resolveReference: ({ id }: { id: string }) => find(id),
        partner: (institution: { partnerId: string }) => find(institution.partnerId),
        tags: () => ['oncology'],
        programmes: () => ({ nodes: [{ id: 'surgeons-100-by-2030', title: '100 surgeons by 2030' }], pageInfo: { hasNextPage: false, endCursor: null } }),
      },
    },
    options,
  );
}

export interface SecuredSetup {
  stub: Stub;
  files: ScratchDir;
  gateway: Awaited<ReturnType<typeof startGateway>>;
  stop(): Promise<void>;
}

/** The registry stub and a gateway over it; `config` overrides the test configuration. */
export async function startSecured(config: Partial<GatewayConfig> = {}, options: { logger?: Logger; stub?: Stub } = {}): Promise<SecuredSetup> {
  const stub = options.stub ?? (await startRegistry());
  const files = scratchDir('gateway-security');
  const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'registry', url: stub.url, sdl: registrySdl }]));
  const gateway = await startGateway(testConfig({ supergraphPath, ...config }), options.logger);
  return {
    stub,
    files,
    gateway,
    async stop() {
      await gateway.stop();
      if (!options.stub) await stub.stop();
      files.remove();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> };
}

/** POSTs to the gateway's /graphql; `body` is sent as is when it is a string. */
export async function post(base: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Answer['body'] };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
