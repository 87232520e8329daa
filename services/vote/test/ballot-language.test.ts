import { type VotingHarness, votingHarness } from './voting-fixtures';

// The ballot in the voter's language (issue #11): Accept-Language picks the Kazakh names
// where they are recorded; error words follow it too; codes never change.
let h: VotingHarness;
let token: string;
beforeAll(async () => {
  h = await votingHarness('ballotlang');
  const national = h.el.contests.national;
  await h.tdb.db.updateTable('contests').set({ name_kk: 'Республикалық тізім' }).where('id', '=', national).execute();
  await h.tdb.db.updateTable('candidates').set({ full_name_kk: 'Айгерім Серікқызы' }).where('id', '=', h.el.candidates[national]![0]!).execute();
  await h.tdb.db.updateTable('regions').set({ name_kk: 'Екінші өңір' }).where('id', '=', h.el.regionIds[1]!).execute();
  // The national list's candidate B is a member from region 2.
  const member = await h.addMember(1, 0);
  await h.tdb.db.updateTable('candidates').set({ member_id: member }).where('id', '=', h.el.candidates[national]![1]!).execute();
  token = await h.token(await h.addMember(1, 1));
});
afterAll(() => h.close());

interface Body {
  election: { name: string };
  contests: Array<{ id: number; name: string; candidates: Array<{ id: number; name: string; region: string | null; ageGroup: string; youth: boolean }> }>;
}

async function ballot(lang?: string) {
  const res = await h.app.inject({ url: '/api/v1/ballot', headers: { authorization: `Bearer ${token}`, ...(lang ? { 'accept-language': lang } : {}) } });
  expect(res.statusCode).toBe(200);
  expect(res.headers.vary).toContain('Accept-Language');
  return res.json<Body>();
}

describe('GET /api/v1/ballot in the asked language', () => {
  it('names the election, contests, candidates and regions in Kazakh where recorded', async () => {
    const kk = await ballot('kk-KZ,kk;q=0.9');
    const [national, region] = kk.contests;
    expect(kk.election.name).toBe('Сынақ праймериз');
    expect(national!.name).toBe('Республикалық тізім');
    expect(national!.candidates[0]).toMatchObject({ name: 'Айгерім Серікқызы', region: null, ageGroup: '18–34', youth: true });
    expect(national!.candidates[1]).toMatchObject({ name: 'National list B', region: 'Екінші өңір', ageGroup: '55–64', youth: false });
    expect(region!.candidates[0]).toMatchObject({ region: 'Екінші өңір' });

    for (const lang of ['ru', 'en', undefined]) {
      const other = await ballot(lang);
      expect(other.election.name).toBe('Test primaries');
      expect(other.contests[0]!.name).toBe('National list');
      expect(other.contests[0]!.candidates[0]!.name).toBe('National list A');
      expect(other.contests[0]!.candidates[1]!.region).toBe('Region 2');
    }
  });

  it('answers errors in the asked language with the same code', async () => {
    const res = await h.app.inject({ url: '/api/v1/ballot', headers: { 'accept-language': 'ru' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'VOTE_ERR_UNAUTHORIZED', message: 'Нужен действующий токен доступа' } });
  });
});
