import type { Generated, Insertable, Selectable } from 'kysely';
import type { Timestamp } from './election.table';

export type Channel = 'online' | 'paper';

/** Who took part in which contest, by which channel. Never what they marked. */
export interface ParticipationTable {
  member_id: string;
  contest_id: number;
  channel: Channel;
  polling_station_id: number | null;
  recorded_hour: Generated<Timestamp>;
}
export type Participation = Selectable<ParticipationTable>;
export type NewParticipation = Insertable<ParticipationTable>;

/** An anonymous ballot: no member, no time, a random id. */
export interface BallotTable {
  id: Generated<string>;
  contest_id: number;
  marks: number[];
  receipt_hash: Buffer;
}
export type Ballot = Selectable<BallotTable>;
export type NewBallot = Insertable<BallotTable>;
