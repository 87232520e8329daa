// Every Redis key two processes share, one module each (issue #10, "one owner per shared
// Redis protocol"): its key builder, its scripts and its transitions. Importing this
// package registers every script; processes load them at start (loadScripts / ensureScripts).
export * from './script';
export * from './receipts';
export * from './voted';
export * from './claims';
export * from './backlog';
export * from './sms';
export * from './auth';
export * from './tokens';
export * from './blocks';
export * from './election-changes';
export * from './paper';
