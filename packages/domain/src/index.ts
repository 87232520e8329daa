export * from './iin';
export * from './phone';
export * from './quotas';
export * from './ballot';
export * from './eligibility';
export * from './member-row';
export * from './party-list';
