export * from './partners';
export * from './sdl';
export * from './synthetic-plan';
