export * from './errors';
export * from './observability';
export * from './docs';
export * from './redis';
export * from './db';
export * from './server';
export * from './outages';
export * from './language';
