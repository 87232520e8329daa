// Sealed contest ballots (issue #9, docs/secrecy.md).
export * from './keys';
export * from './sealer';
export * from './signing';
