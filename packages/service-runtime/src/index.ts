export * from './environment';
export * from './error-codes';
export * from './package-root';
export * from './run-service';
export * from './subgraph-registry';
export * from './metrics';
export * from './tracing';
