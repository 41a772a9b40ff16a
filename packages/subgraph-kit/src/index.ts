import 'reflect-metadata';

export * from './config';
export * from './data-source';
export * from './errors';
export * from './loaders';
export * from './logger';
export * from './pagination';
export * from './partial-date';
export * from './run-service';
export * from './sdl';
export * from './search-text';
export * from './server';
export * from './sql-statement-log';
export * from './synthetic-plan';
export * from './validation';
export * from './reference-rows';
export * from './synthetic-cli';
