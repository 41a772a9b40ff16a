import type { Caller } from '@partnership/request-signing';
import {
  composeSupergraph,
  eventually,
  federationLink,
  scratchDir,
  sleep,
  startGateway,
  startStub,
  testConfig,
  testToken,
  type ScratchDir,
  type Stub,
} from './stubs';

// One stub subgraph whose resolvers wait at a gate the test opens: requests pile up in flight, and the stub's request
// count says how many of them the gateway actually sent.
const sdl = `${federationLink}
type Query {
  board(id: ID!): Board
}
type Mutation {
  touch(id: ID!): Board
}
type Board @key(fields: "id") {
  id: ID!
  touches: Int!
}
`;

let gate: Promise<void> = Promise.resolve();
let openGate = () => {};
const closeGate = () => {
  gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
};
let touches = 0;

let stub: Stub;
let dir: ScratchDir;
let supergraphPath: string;

beforeAll(async () => {
  stub = await startStub('boards', sdl, {
    Query: {
      board: async (_: unknown, { id }: { id: string }) => {
        await gate;
        return { id, touches };
      },
    },
    Mutation: {
      touch: async (_: unknown, { id }: { id: string }) => {
        await gate;
        touches += 1;
        return { id, touches };
      },
    },
  });
  dir = scratchDir('dedup');
  supergraphPath = dir.file('supergraph.graphql', composeSupergraph([stub]));
});

afterAll(async () => {
  openGate();
  await stub.stop();
  dir.remove();
});

const alice: Caller = { subject: 'alice', partner: 'FR', roles: ['editor', 'viewer'] };
const bob: Caller = { subject: 'bob', partner: 'UZ', roles: ['editor', 'viewer'] };

async function post(url: string, query: string, token?: string): Promise<{ data?: Record<string, { touches: number } | null>; errors?: unknown[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, { touches: number } | null>; errors?: unknown[] };
}

/** Sends `count` requests at once while the stub's gate is closed; returns how many reached the stub, then the answers. */
async function concurrently(count: number, send: (i: number) => Promise<{ errors?: unknown[] }>, expectAtStub?: number) {
  closeGate();
  const before = stub.requests;
  const answers = Promise.all(Array.from({ length: count }, (_, i) => send(i)));
  if (expectAtStub === undefined) {
    // Give every request time to reach the gateway's fetcher while the first one waits at the gate.
    await sleep(500);
  } else {
    // Those that must not be merged all reach the stub while the gate is closed; merged ones never would.
    await eventually(async () => expect(stub.requests - before).toBe(expectAtStub));
  }
  const sent = stub.requests - before;
  openGate();
  const results = await answers;
  for (const result of results) expect(result.errors).toBeUndefined();
  return sent;
}

describe('deduplication of subgraph fetches', () => {
  it('sends identical concurrent queries of one caller once; each client gets the whole answer', async () => {
    const gateway = await startGateway(testConfig({ supergraphPath }));
    try {
      const sent = await concurrently(8, async () => {
        const result = await post(gateway.url, '{ board(id: "b1") { id touches } }');
        expect(result.data?.board).toEqual({ id: 'b1', touches });
        return result;
      });
      expect(sent).toBeLessThan(8);
    } finally {
      await gateway.stop();
    }
  });

  it('sends each of them when SUBGRAPH_DEDUPLICATION is off', async () => {
    const gateway = await startGateway(testConfig({ supergraphPath, subgraphDeduplication: false }));
    try {
      expect(await concurrently(8, () => post(gateway.url, '{ board(id: "b1") { id touches } }'), 8)).toBe(8);
    } finally {
      await gateway.stop();
    }
  });

  it('never merges the queries of different callers, nor anonymous ones with signed-in ones', async () => {
    const gateway = await startGateway(testConfig({ supergraphPath }));
    try {
      const tokens = [await testToken(alice), await testToken(bob), undefined];
      expect(await concurrently(3, (i) => post(gateway.url, '{ board(id: "b1") { id touches } }', tokens[i]), 3)).toBe(3);
      const callers = stub.calls.slice(-3).map((call) => call.caller?.subject ?? null);
      expect(callers.sort()).toEqual(['alice', 'bob', null].sort());
    } finally {
      await gateway.stop();
    }
  });

  it('never merges mutations, even identical ones of one caller', async () => {
    const gateway = await startGateway(testConfig({ supergraphPath }));
    try {
      const token = await testToken(alice);
      const before = touches;
      expect(await concurrently(5, () => post(gateway.url, 'mutation { touch(id: "b1") { id touches } }', token), 5)).toBe(5);
      expect(touches - before).toBe(5);
    } finally {
      await gateway.stop();
    }
  });

  it('never merges queries that differ in their variables', async () => {
    const gateway = await startGateway(testConfig({ supergraphPath }));
    try {
      expect(await concurrently(4, (i) => post(gateway.url, `{ board(id: "b${i}") { id touches } }`), 4)).toBe(4);
    } finally {
      await gateway.stop();
    }
  });
});
