import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { createTrainingServer } from '@partnership/training';
import { bootFederation, type Federation } from './federation';

const sqlite = scratchTargets.find((t) => t.label === 'SQLite')!;
const query = '{ institution(id: "paul-strauss-center") { name } trainingProgram(id: "surgeons-100-by-2030") { title } }';

/** A proxy in front of a subgraph that holds every request for `delayMs` before passing it on. */
async function slowProxy(targetUrl: string, delayMs: number): Promise<{ url: string; server: Server }> {
  const target = new URL(targetUrl);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const timer = setTimeout(() => {
        const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        upstream.end(Buffer.concat(chunks));
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

describe('when a subgraph fails', () => {
  describe('a subgraph that is down, then restarted', () => {
    let federation: Federation;
    beforeAll(async () => {
      federation = await bootFederation(sqlite);
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test('the other subgraphs still answer, with an error naming the service; a restart heals it', async () => {
      const trainingUrl = new URL(federation.urls.training);
      const databaseUrl = federation.subgraphs.training.database.describe;
      await federation.subgraphs.training.stop();

      const down = await postGraphQL<any>(federation.gatewayUrl, query);
      expect(down.status).toBe(200);
      expect(down.body.data).toEqual({ institution: { name: 'Paul Strauss Center' }, trainingProgram: null });
      expect(down.body.errors).toHaveLength(1);
      expect(JSON.stringify(down.body.errors![0])).toMatch(/training/);

      // What another subgraph adds to an institution is nullable: only that field is lost, never the institution.
      const contributed = await postGraphQL<any>(federation.gatewayUrl, '{ institution(id: "paul-strauss-center") { name city hostedPrograms { title } } }');
      expect(contributed.status).toBe(200);
      expect(contributed.body.data).toEqual({ institution: { name: 'Paul Strauss Center', city: 'Strasbourg', hostedPrograms: null } });
      expect(contributed.body.errors[0].extensions.serviceName).toBe('training');

      federation.subgraphs.training = await createTrainingServer({ port: 0, databaseUrl });
      await federation.subgraphs.training.listen(Number(trainingUrl.port));
      const healed = await postGraphQL<any>(federation.gatewayUrl, query);
      expect(healed.body.errors).toBeUndefined();
      expect(healed.body.data.trainingProgram.title).toMatch(/100 Uzbek surgeons/);
    });
  });

  describe('the institutions subgraph down', () => {
    let federation: Federation;
    beforeAll(async () => {
      federation = await bootFederation(sqlite);
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test("an agreement keeps its own fields and its parties' roles; only the institutions are null", async () => {
      await federation.subgraphs.institutions.stop();
      const { status, body } = await postGraphQL<any>(
        federation.gatewayUrl,
        '{ agreement(id: "protocol-surgical-cooperation") { title parties { role institution { name } } } trainingProgram(id: "surgeons-100-by-2030") { title hostInstitutions { name } cohorts { plannedSize hostInstitution { name } } } }',
      );
      expect(status).toBe(200);
      expect(body.data.agreement.title).toMatch(/Surgical Cooperation/);
      expect(body.data.agreement.parties.length).toBeGreaterThan(0);
      for (const party of body.data.agreement.parties) expect(party.institution).toBeNull();
      expect(body.data.trainingProgram).toMatchObject({ title: expect.stringMatching(/100 Uzbek surgeons/), hostInstitutions: null });
      expect(body.data.trainingProgram.cohorts).toEqual([{ plannedSize: 5, hostInstitution: null }]);
      expect(body.errors.every((e: { extensions: { serviceName?: string } }) => e.extensions.serviceName === 'institutions')).toBe(true);
    });
  });

  describe('a subgraph slower than the timeout', () => {
    let federation: Federation;
    let proxy: Server;
    beforeAll(async () => {
      federation = await bootFederation(sqlite, {
        gateway: { subgraphTimeoutMs: 500 },
        routeTo: {
          training: async (url) => {
            const slow = await slowProxy(url, 5_000);
            proxy = slow.server;
            return slow.url;
          },
        },
      });
    });
    afterAll(async () => {
      proxy?.closeAllConnections();
      proxy?.close();
      await federation?.stop();
    });

    test('is reported as an error within the timeout, not waited on', async () => {
      const started = Date.now();
      const { status, body } = await postGraphQL<any>(federation.gatewayUrl, query);
      const elapsed = Date.now() - started;
      expect(status).toBe(200);
      expect(body.data).toEqual({ institution: { name: 'Paul Strauss Center' }, trainingProgram: null });
      expect(JSON.stringify(body.errors)).toMatch(/training/);
      expect(elapsed).toBeLessThan(4_000);
    });
  });
});
