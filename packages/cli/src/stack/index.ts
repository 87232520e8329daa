/** The local stack's service launcher, for the fault suite and the repository checks. */
export * from './run-services';
export * from './services';
