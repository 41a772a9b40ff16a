import { signRequest } from '@partnership/request-signing';
import type { Caller, SubgraphServer } from '@partnership/subgraph-kit';
import { createScratchSqlite } from '@partnership/subgraph-kit/testing';
import { createInstitutionsServer } from '../src/server';

const viewer: Caller = { subject: 'test-viewer', partner: 'UZ', roles: ['viewer'] };

/** The Cache-Control header of the subgraph's answer, asked as the gateway asks (signed, for `caller`). */
async function cacheControlOf(url: string, query: string, caller: Caller | null = null): Promise<string | null> {
  const body = JSON.stringify({ query });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signRequest(process.env.GATEWAY_SIGNING_SECRET!, caller, body) },
    body,
  });
  await response.text();
  return response.headers.get('cache-control');
}

// The freshness hint the gateway's response cache obeys: how long, and for whom.
describe('the cache hints a subgraph sends the gateway', () => {
  const scratch = createScratchSqlite('institutions-cache-hints');
  const servers: SubgraphServer[] = [];
  const start = async (cacheMaxAgeSeconds?: number) => {
    const server = await createInstitutionsServer({ port: 0, databaseUrl: scratch.url, cacheMaxAgeSeconds });
    servers.push(server);
    return server.listen(0);
  };
  afterAll(async () => {
    for (const server of servers) await server.stop();
    scratch.remove();
  });

  test('public data: kept CACHE_MAX_AGE_SECONDS (60 by default) by anyone', async () => {
    const url = await start();
    expect(await cacheControlOf(url, '{ institution(id: "gustave-roussy") { name } }')).toBe('max-age=60, public');
    expect(await cacheControlOf(url, '{ institution(id: "gustave-roussy") { name } }', viewer)).toBe('max-age=60, public');
  });

  test('a protected field read makes the answer private; a refusal is not kept at all', async () => {
    const url = await start();
    expect(await cacheControlOf(url, '{ person(id: "celine-poulet") { fullName email } }', viewer)).toBe('max-age=60, private');
    expect(await cacheControlOf(url, '{ person(id: "celine-poulet") { fullName email } }')).toBe('no-store');
  });

  test('mutations and CACHE_MAX_AGE_SECONDS=0 say no-store', async () => {
    const url = await start(0);
    expect(await cacheControlOf(url, '{ institution(id: "gustave-roussy") { name } }')).toBe('no-store');
    expect(await cacheControlOf(url, 'mutation { updatePerson(input: { id: "nobody", version: 1 }) { person { id } } }', viewer)).toBe('no-store');
  });
});
