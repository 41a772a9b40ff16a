export * from './environment';
export * from './package-root';
export * from './run-service';
export * from './subgraph-registry';
