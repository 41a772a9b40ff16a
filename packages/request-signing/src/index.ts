export * from './caller';
export * from './local-secret';
export * from './signature';
