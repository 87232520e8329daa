import { type OpenedBallot, SealError, type SealedRow, type Sealer } from '@primaries/sealing';

/**
 * A deliberately UNSEALED "sealer" for the linkage suite's negative run: it puts the
 * ballot in the envelope as base64url JSON, which anyone can read. It exists only to show
 * that every insider check does find a link when ballots are not sealed (and not mixed),
 * so the suite can fail. Never outside tests.
 */
export class ClearSealer implements Sealer {
  seal(ballot: OpenedBallot): string {
    return `clear.${Buffer.from(JSON.stringify(ballot)).toString('base64url')}`;
  }

  open(contestId: number, text: string): OpenedBallot {
    const dot = text.indexOf('.');
    return this.openRow(contestId, { keyId: text.slice(0, dot), sealed: Buffer.from(text.slice(dot + 1), 'base64url') });
  }

  openRow(contestId: number, row: SealedRow): OpenedBallot {
    try {
      const b = JSON.parse(row.sealed.toString('utf8')) as OpenedBallot;
      if (b.contestId !== contestId) throw new SealError('wrong contest');
      return b;
    } catch (err) {
      throw err instanceof SealError ? err : new SealError('not a clear ballot');
    }
  }
}
