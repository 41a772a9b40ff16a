// `npm test` at the root runs every workspace's tests; `npm test -w <workspace>` runs one.
module.exports = {
  projects: [
    '<rootDir>/packages/request-signing',
    '<rootDir>/packages/subgraph-kit',
    '<rootDir>/subgraphs/institutions',
    '<rootDir>/subgraphs/agreements',
    '<rootDir>/subgraphs/training',
    '<rootDir>/supergraph',
    '<rootDir>/gateway',
    '<rootDir>/tests',
  ],
};
