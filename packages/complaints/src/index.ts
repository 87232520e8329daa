export * from './evidence';
export * from './intake';
export * from './state';
export * from './job';
export * from './pow';
