// `npm test` at the root runs every workspace's tests; `npm test -w <workspace>` runs one. The subgraphs' projects
// come from the registry (subgraphs.json), so a subgraph added with `npm run new-subgraph` is tested without an edit here.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const { subgraphs } = JSON.parse(readFileSync(join(__dirname, 'subgraphs.json'), 'utf8'));

module.exports = {
  projects: [
    '<rootDir>/packages/request-signing',
    '<rootDir>/packages/partnership',
    '<rootDir>/packages/subgraph-kit',
    ...subgraphs.map((s) => `<rootDir>/${s.folder}`),
    '<rootDir>/supergraph',
    '<rootDir>/gateway',
    '<rootDir>/tests',
  ],
};
