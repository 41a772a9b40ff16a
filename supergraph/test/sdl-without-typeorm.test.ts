// Composition reads SDL files only: it must not load TypeORM (nor, with it, the kit's entities and server).
jest.mock('typeorm', () => {
  throw new Error('supergraph/ loaded TypeORM');
});

test('composition reads every subgraph SDL without loading TypeORM', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { composeSupergraph, loadPartnershipSubgraphs } = require('../src/compose') as typeof import('../src/compose');
  const subgraphs = loadPartnershipSubgraphs();
  expect(subgraphs.length).toBeGreaterThan(0);
  for (const s of subgraphs) expect(s.sdl).toMatch(/enum Country \{/);
  expect(composeSupergraph(subgraphs).ok).toBe(true);
});
