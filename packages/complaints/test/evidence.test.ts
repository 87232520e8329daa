import { EVIDENCE_MAX_BYTES, type EvidenceProblemCode, checkEvidence } from '../src';
import { b64, gzipBomb, jpeg, pdf, png, zip } from '@primaries/testing';

async function problem(name: string, bytes: Buffer): Promise<EvidenceProblemCode | null> {
  try {
    await checkEvidence([{ name, data: b64(bytes) }]);
    return null;
  } catch (err) {
    return (err as { problem: EvidenceProblemCode }).problem;
  }
}

describe('evidence checks (issue #14)', () => {
  it('accepts PDF, JPEG and PNG by their content, whatever the name, with the SHA-256', async () => {
    const files = await checkEvidence([
      { name: 'scan.pdf', data: b64(pdf()) },
      { name: 'photo.jpg', data: b64(jpeg()) },
      { name: 'screen', data: b64(png()) },
    ]);
    expect(files.map((f) => f.mediaType)).toEqual(['application/pdf', 'image/jpeg', 'image/png']);
    expect(files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(files[2]!.size).toBe(png().length);
  });

  it('refuses a wrong type with a right name', async () => {
    expect(await problem('report.pdf', Buffer.from('just some text, not a PDF at all'))).toBe('EVIDENCE_TYPE');
    expect(await problem('photo.jpg', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]))).toBe('EVIDENCE_TYPE');
    expect(await problem('photo.png', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))).toBe('EVIDENCE_TYPE');
  });

  it('refuses an oversized file before decoding it', async () => {
    const big = Buffer.concat([pdf(), Buffer.alloc(EVIDENCE_MAX_BYTES)]);
    expect(await problem('big.pdf', big)).toBe('EVIDENCE_TOO_LARGE');
  });

  it('refuses archives (zip bombs) and decompression bombs', async () => {
    expect(await problem('evidence.pdf', gzipBomb())).toBe('EVIDENCE_BOMB');
    expect(await problem('evidence.pdf', zip())).toBe('EVIDENCE_BOMB');
    expect(await problem('huge.png', png(100_000, 100_000))).toBe('EVIDENCE_BOMB');
    expect(await problem('huge.jpg', jpeg(60_000, 60_000))).toBe('EVIDENCE_BOMB');
  });

  it('refuses polyglots: an archive appended, markup, PDF scripts, bytes after the end', async () => {
    expect(await problem('photo.jpg', Buffer.concat([jpeg(), zip()]))).toBe('EVIDENCE_POLYGLOT');
    expect(await problem('a.png', Buffer.concat([png(), Buffer.from('<html><script>alert(1)</script>')]))).toBe('EVIDENCE_POLYGLOT');
    expect(await problem('a.pdf', pdf('1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj'))).toBe('EVIDENCE_POLYGLOT');
    expect(await problem('a.png', Buffer.concat([png(), Buffer.from('hidden second file')]))).toBe('EVIDENCE_POLYGLOT');
  });

  it('refuses more than five files', async () => {
    const f = { name: 'a.png', data: b64(png()) };
    await expect(checkEvidence([f, f, f, f, f, f])).rejects.toMatchObject({ problem: 'EVIDENCE_TOO_MANY' });
  });
});
