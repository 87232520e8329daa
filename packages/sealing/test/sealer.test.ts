import { createHash } from 'node:crypto';
import { BallotSealer, SealError, newBallotKeyEntry, parseBallotKeys, parseSealed } from '../src';

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const [k1, k2] = [newBallotKeyEntry('k1'), newBallotKeyEntry('k2')];

describe('BALLOT_KEYS', () => {
  it('parses id:base64 entries, the first one sealing', () => {
    const keys = parseBallotKeys(` ${k2}, ${k1} `);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
    // URL-safe base64 is accepted too.
    const urlSafe = `u:${Buffer.alloc(32, 0xfb).toString('base64url')}`;
    expect(parseBallotKeys(urlSafe)[0]!.key).toEqual(Buffer.alloc(32, 0xfb));
  });

  it.each([
    ['', /no key/],
    ['k1', /id/],
    [':abc', /id/],
    ['k 1:AAAA', /id/],
    ['k1:AAAA', /3 bytes, expected 32/],
    ['k1:!!!', /not base64/],
    [`${k1},${k1}`, /listed twice/],
  ])('refuses %p', (text, message) => {
    expect(() => parseBallotKeys(text)).toThrow(message);
  });

  it('never puts key material in an error message', () => {
    const material = Buffer.alloc(31, 7).toString('base64');
    expect(() => parseBallotKeys(`k:${material}`)).toThrow(/31 bytes/);
    try {
      parseBallotKeys(`k:${material}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(material);
    }
  });
});

describe('BallotSealer', () => {
  const sealer = new BallotSealer(parseBallotKeys(`${k2},${k1}`));
  const ballot = { contestId: 7, marks: [3, 11, 12], receiptHash: hash('r1') };

  it('seals and opens a contest ballot; a sealed ballot holds no mark or receipt in clear', () => {
    const sealed = sealer.seal(ballot, 5);
    expect(sealed.startsWith('k2.')).toBe(true);
    expect(sealer.open(7, sealed)).toEqual(ballot);
    const bytes = parseSealed(sealed).sealed;
    expect(bytes.includes(Buffer.from(ballot.receiptHash, 'hex'))).toBe(false);
    expect(sealed).not.toContain(ballot.receiptHash);
    // Two seals of the same ballot differ (fresh IV).
    expect(sealer.seal(ballot, 5)).not.toEqual(sealed);
  });

  it('has one length per contest limit, whatever the number of marks', () => {
    const lengths = [[1], [1, 2], [1, 2, 3, 4, 5]].map((marks) => sealer.seal({ ...ballot, marks }, 5).length);
    expect(new Set(lengths).size).toBe(1);
  });

  it('opens with an older key of the list (rotation), and refuses an unknown key', () => {
    const old = new BallotSealer(parseBallotKeys(k1)).seal(ballot, 3);
    expect(sealer.open(7, old)).toEqual(ballot);
    const stranger = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k9'))).seal(ballot, 3);
    expect(() => sealer.open(7, stranger)).toThrow(/no ballot key with id k9/);
  });

  it('refuses a ballot moved to another contest, or altered', () => {
    const sealed = sealer.seal(ballot, 3);
    expect(() => sealer.open(8, sealed)).toThrow(SealError);
    const row = parseSealed(sealed);
    row.sealed[20] = row.sealed[20]! ^ 1;
    expect(() => sealer.openRow(7, row)).toThrow(/authentication/);
    expect(() => sealer.open(7, 'nonsense')).toThrow(SealError);
    expect(() => sealer.open(7, 'k2.AAAA')).toThrow(/too short/);
  });
});
