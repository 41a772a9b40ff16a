// Shared jest settings: @swc/jest compiles TypeScript (legacy decorators for TypeORM); `tsc -b` type-checks
// separately. Workspace packages resolve to their sources, so tests never need a build first.
const path = require('node:path');

const root = __dirname;

module.exports = function jestConfig(dir, overrides = {}) {
  return {
    displayName: path.relative(root, dir) || 'root',
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/**/*.e2e.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    // jose is ESM-only; everything else in node_modules is CommonJS and stays untransformed.
    transformIgnorePatterns: ['/node_modules/(?!jose/)'],
    transform: {
      '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleNameMapper: {
      '^@partnership/service-runtime$': path.join(root, 'packages/service-runtime/src/index.ts'),
      '^@partnership/request-signing$': path.join(root, 'packages/request-signing/src/index.ts'),
      '^@partnership/domain$': path.join(root, 'packages/partnership/src/index.ts'),
      '^@partnership/subgraph-kit/sdl$': path.join(root, 'packages/subgraph-kit/src/sdl.ts'),
      '^@partnership/subgraph-kit$': path.join(root, 'packages/subgraph-kit/src/index.ts'),
      '^@partnership/subgraph-kit/testing$': path.join(root, 'packages/subgraph-kit/src/testing.ts'),
      '^@partnership/(institutions|agreements|training)$': path.join(root, 'subgraphs/$1/src/server.ts'),
      '^@partnership/gateway$': path.join(root, 'gateway/src/create-gateway.ts'),
    },
    globalSetup: path.join(root, 'jest.global-setup.js'),
    setupFiles: [path.join(root, 'jest.setup-env.js')],
    testTimeout: 60_000,
    ...overrides,
  };
};
