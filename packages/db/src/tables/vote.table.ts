import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type Channel = 'online' | 'paper';

/** Who took part in which contest, by which channel. Never what they marked. */
export interface ParticipationTable {
  member_id: string;
  contest_id: number;
  channel: Channel;
  polling_station_id: number | null;
  /** The hour the participation was recorded (a default); tests may set it. */
  recorded_hour: ColumnType<Date, Date | string | undefined, Date | string>;
}
export type Participation = Selectable<ParticipationTable>;
export type NewParticipation = Insertable<ParticipationTable>;

/** An anonymous ballot: no member, no time, no receipt, a random id. */
export interface BallotTable {
  id: Generated<string>;
  contest_id: number;
  marks: number[];
}
export type Ballot = Selectable<BallotTable>;
export type NewBallot = Insertable<BallotTable>;

/**
 * recorded → released → counting → counted: where the contest ballot behind a receipt is.
 * Never a member, never a choice, never written in the transaction of its ballot.
 */
export type ReceiptStatus = 'recorded' | 'released' | 'counting' | 'counted';

/** One receipt per contest ballot (issue #9), keyed by the receipt's SHA-256. */
export interface ReceiptTable {
  receipt_hash: Buffer;
  contest_id: number;
  status: ReceiptStatus;
  /** status <> 'counted' (generated): what the index of open receipts is on, so status changes stay HOT. */
  open: ColumnType<boolean, never, never>;
  /** The seq of the snapshot that first counted it (issue #16); null until counted. */
  counted_in: ColumnType<number | null, never, number | null>;
}

/** The votes of a batch its transaction recorded, until the batch's receipts are written. */
export interface RecordedVoteBatchTable {
  batch_id: string;
  recorded: number[];
}

/** A contest ballot as the worker records it: sealed, no member, no time, a random id. */
export interface SealedBallotTable {
  id: Generated<string>;
  contest_id: number;
  key_id: string;
  sealed: Buffer;
}
