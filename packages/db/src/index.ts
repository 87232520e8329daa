export * from './database';
export * from './migrate';
export type * from './tables/election.table';
export type * from './tables/place.table';
export type * from './tables/contest.table';
export type * from './tables/member.table';
export type * from './tables/vote.table';
export type * from './tables/paper.table';
export type * from './tables/oversight.table';
