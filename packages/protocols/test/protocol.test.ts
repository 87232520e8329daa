import { parse } from 'csv-parse/sync';
import { makeSnapshot } from '@primaries/results/testing';
import { PROTOCOL_CSV_COLUMNS, protocolCsv, protocolPdf, protocolsData } from '../src';
import { pdfText } from './pdf-text';

// Issue #13: a contest's protocol states the ratings, the party list with its rule, the
// online/paper split, turnout and the snapshot's hash, in CSV and in a PDF whose Kazakh and
// Russian text survives (an embedded font with every letter).
const snapshot = makeSnapshot(5, { final: true });
const national = snapshot.contests[0]!;
const partyList = {
  seats: 2, filled: 2, displaced: [102], women: 2, youth: 1, womenRequired: 1, youthRequired: 1, womenMet: true, youthMet: true, womenShort: 0, youthShort: 0,
  entries: [
    { position: 1, id: 101, rank: 1, woman: true, youth: true, reason: 'rating' as const },
    { position: 2, id: 103, rank: 3, woman: true, youth: false, reason: 'women' as const },
  ],
};
const data = protocolsData({ ...snapshot, contests: [{ ...national, partyList }] }, 'ab'.repeat(32), '2026-10-06T10:00:00.000Z')[0]!;

type Row = Record<(typeof PROTOCOL_CSV_COLUMNS)[number], string>;
const rows = (): Row[] => parse(protocolCsv(data), { columns: true, bom: true });

describe('the CSV protocol', () => {
  it('states the contest, ballots by channel, turnout and the snapshot hash', () => {
    const item = Object.fromEntries(rows().filter((r) => r.section === 'protocol').map((r) => [r.item, r.value]));
    expect(item).toMatchObject({ contest_id: '11', ballots: '40', ballots_online: '35', ballots_paper: '5', turnout_eligible: '100', turnout_voted: '40', snapshot_version: '5', snapshot_sha256: 'ab'.repeat(32) });
    expect(item.party_list_rule).toContain('30 %');
  });

  it('has the three ratings, the party list and the removed candidate', () => {
    const of = (section: string) => rows().filter((r) => r.section === section);
    expect(of('rating').map((r) => [r.place, r.candidate_id, r.votes, r.online, r.paper])).toEqual([
      ['1', '101', '30', '27', '3'],
      ['2', '102', '20', '18', '2'],
      ['3', '103', '5', '5', '0'],
    ]);
    expect(of('rating')[0]!.candidate).toBe('Aigerim A / Әйгерім А');
    expect(of('women').map((r) => r.candidate_id)).toEqual(['101', '103']);
    expect(of('youth').map((r) => r.candidate_id)).toEqual(['101']);
    expect(of('party_list').map((r) => [r.place, r.candidate_id, r.item])).toEqual([
      ['1', '101', 'rating'],
      ['2', '103', 'women'],
    ]);
    expect(of('party_list_displaced').map((r) => r.candidate_id)).toEqual(['102']);
    expect(of('removed').map((r) => [r.candidate_id, r.value])).toEqual([['104', 'Skipped the mandatory debates']]);
  });
});

describe('the PDF protocol', () => {
  it('is a PDF whose text carries the Kazakh and Russian headings and the numbers', async () => {
    const pdf = await protocolPdf(data);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    for (const s of ['Қорытынды хаттама', 'Итоговый протокол', 'Әйгерім А', 'Партиялық тізім', 'ab'.repeat(32), 'Skipped the mandatory debates']) expect(text).toContain(s);
    expect(text).toMatch(/Бюллетень \/ Бюллетени: 40 \(онлайн 35, қағаз \/ бумажные 5\)/);
  });

  it('is the same bytes for the same data', async () => {
    expect((await protocolPdf(data)).equals(await protocolPdf(data))).toBe(true);
  });
});
