import { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { readComplaintState } from '@primaries/complaints';
import { blockedKey, electionChangesChannel } from '@primaries/redis-protocols';
import { type SmallElection, createSmallElection } from '@primaries/testing';
import { type Client, type Harness, adminHarness, enrolStaff, signIn } from './harness';
import { addMember, fileComplaint } from './control-fixtures';
import { jpeg, pdf } from '@primaries/testing';

/** Issue #14: the whole workflow per decision type, on real Postgres and Redis. */
let h: Harness;
let el: SmallElection;
let control: Client;
let tallies: Queue;
beforeAll(async () => {
  h = await adminHarness('admin_control');
  el = await createSmallElection(h.tdb.db);
  control = await signIn(h, await enrolStaff(h, 'control'));
  tallies = new Queue(QUEUES.tallies, { connection: h.tr.redis, prefix: bullPrefix(h.tr.prefix) });
});
afterAll(async () => {
  await tallies.close();
  await h.close();
});

const actions = async () => (await h.tdb.db.selectFrom('audit_events').select(['action', 'subject', 'reason']).orderBy('id').execute()).map((e) => `${e.action} ${e.subject} ${e.reason}`);
const controlJobs = async () => (await tallies.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.data.reason === 'control').length;

it('removes a candidate: assigned, noted, decided; the ballot change is announced, a re-tally queued, the trail and the complainant told', async () => {
  const candidateId = el.candidates[el.contests.national]![1]!;
  const c = await fileComplaint(h.tdb.db, el.electionId, { kind: 'candidate', candidateId });
  expect((await control.post(`/api/v1/control/complaints/${c.id}/assign`, {})).json()).toEqual({ status: 'reviewing' });
  expect((await readComplaintState(h.tr.redis, h.tr.prefix, c.tracking))?.state).toBe('reviewing');
  expect((await control.post(`/api/v1/control/complaints/${c.id}/notes`, { text: 'Debate attendance list checked: absent.' })).statusCode).toBe(201);

  const sub = h.tr.redis.duplicate();
  const heard: string[] = [];
  sub.on('message', (_ch, m) => heard.push(m));
  await sub.subscribe(electionChangesChannel(h.tr.prefix));
  const before = await controlJobs();
  const res = await control.post(`/api/v1/control/complaints/${c.id}/decision`, { kind: 'remove_candidate', reasonCode: 'skipped_debates', text: 'Skipped the mandatory debate of 20 September without cause.' });
  expect([res.statusCode, res.json()]).toEqual([200, { status: 'upheld' }]);
  await new Promise((r) => setTimeout(r, 100));
  sub.disconnect();
  expect(heard).toEqual([String(el.electionId)]);
  expect(await controlJobs()).toBe(before + 1);

  const cand = await h.tdb.db.selectFrom('candidates').select(['status', 'removal_reason', 'removed_at']).where('id', '=', candidateId).executeTakeFirstOrThrow();
  expect(cand).toMatchObject({ status: 'removed', removal_reason: 'skipped_debates' });
  expect((await readComplaintState(h.tr.redis, h.tr.prefix, c.tracking))?.state).toBe('upheld');
  const detail = (await control.get(`/api/v1/control/complaints/${c.id}`)).json();
  expect(detail.complaint).toMatchObject({ status: 'upheld', decisionKind: 'remove_candidate', assigneeId: expect.any(Number) });
  expect(detail.notes).toHaveLength(1);
  expect(await actions()).toEqual(expect.arrayContaining([`control.complaint_assigned complaint:${c.id} staff:${detail.complaint.assigneeId}`, `control.complaint_noted complaint:${c.id} null`, `control.candidate_removed candidate:${candidateId} skipped_debates`]));

  // Decided once: a second decision is refused and changes nothing.
  const again = await control.post(`/api/v1/control/complaints/${c.id}/decision`, { kind: 'dismiss', text: 'A second opinion on the same matter.' });
  expect([again.statusCode, again.json().error.code]).toEqual([409, 'ADMIN_ERR_COMPLAINT_CLOSED']);

  // Restored on appeal: back on the ballot, announced, re-tallied, in the trail.
  const restored = await control.post(`/api/v1/control/candidates/${candidateId}/restore`, { text: 'The appeal showed a medical certificate for that day.', complaintId: c.id });
  expect(restored.statusCode).toBe(200);
  expect((await h.tdb.db.selectFrom('candidates').select('status').where('id', '=', candidateId).executeTakeFirstOrThrow()).status).toBe('active');
  expect(await actions()).toContain(`control.candidate_restored candidate:${candidateId} appeal`);
  const kinds = await h.tdb.db.selectFrom('control_decisions').select('kind').where('candidate_id', '=', candidateId).orderBy('id').execute();
  expect(kinds.map((k) => k.kind)).toEqual(['remove_candidate', 'restore_candidate']);
  const twice = await control.post(`/api/v1/control/candidates/${candidateId}/restore`, { text: 'The appeal showed a medical certificate for that day.' });
  expect(twice.json().error.code).toBe('ADMIN_ERR_CANDIDATE_NOT_REMOVED');
});

it('blocks a member: in Postgres apart from the register, in the vote path\'s Redis set, never named in the trail', async () => {
  const memberId = await addMember(h.tdb.db, el.regionIds[0]!, el.districtIds[0]!);
  const c = await fileComplaint(h.tdb.db, el.electionId, { kind: 'member', memberId });
  const res = await control.post(`/api/v1/control/complaints/${c.id}/decision`, { kind: 'block_member', text: 'Collected SMS codes of colleagues to vote for them.' });
  expect([res.statusCode, res.json()]).toEqual([200, { status: 'upheld' }]);
  expect(await h.tdb.db.selectFrom('member_blocks').select('member_id').where('election_id', '=', el.electionId).execute()).toEqual([{ member_id: memberId }]);
  expect(await h.tr.redis.sismember(blockedKey(h.tr.prefix, el.electionId), memberId)).toBe(1);
  const trail = await actions();
  expect(trail).toContain(`control.member_blocked complaint:${c.id} block_member`);
  expect(trail.join('\n')).not.toContain(`member:${memberId}`);

  // A second block of the same member is refused and leaves that complaint open.
  const c2 = await fileComplaint(h.tdb.db, el.electionId, { kind: 'member', memberId });
  const again = await control.post(`/api/v1/control/complaints/${c2.id}/decision`, { kind: 'block_member', text: 'The same member, reported again.' });
  expect([again.statusCode, again.json().error.code]).toEqual([409, 'ADMIN_ERR_MEMBER_ALREADY_BLOCKED']);
  expect((await h.tdb.db.selectFrom('complaints').select('status').where('id', '=', c2.id).executeTakeFirstOrThrow()).status).toBe('received');
  expect(await h.tdb.db.selectFrom('control_decisions').select('id').where('complaint_id', '=', c2.id).execute()).toEqual([]);
});

it('refers a complaint on (upheld, no sanction) and dismisses another', async () => {
  const a = await fileComplaint(h.tdb.db, el.electionId, { kind: 'process' });
  const b = await fileComplaint(h.tdb.db, el.electionId, { kind: 'process' });
  const before = await controlJobs();
  expect((await control.post(`/api/v1/control/complaints/${a.id}/decision`, { kind: 'refer', text: 'Referred to the regional ethics commission.' })).json()).toEqual({ status: 'upheld' });
  expect((await control.post(`/api/v1/control/complaints/${b.id}/decision`, { kind: 'dismiss', text: 'No facts support the complaint.' })).json()).toEqual({ status: 'dismissed' });
  expect(await controlJobs()).toBe(before);
  expect((await readComplaintState(h.tr.redis, h.tr.prefix, b.tracking))?.state).toBe('dismissed');
  const list = (await control.get('/api/v1/control/complaints?status=dismissed')).json();
  expect(list.complaints.map((x: { id: number }) => x.id)).toContain(b.id);
  expect(list.complaints.every((x: { status: string }) => x.status === 'dismissed')).toBe(true);
  expect(await actions()).toEqual(expect.arrayContaining([`control.complaint_referred complaint:${a.id} refer`, `control.complaint_dismissed complaint:${b.id} dismiss`]));
});

it('enters a hotline complaint with evidence (stored with its SHA-256), and refuses a hostile file storing nothing', async () => {
  const count = async () => Number((await h.tdb.db.selectFrom('complaints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const before = await count();
  const bad = await control.post('/api/v1/control/complaints', { source: 'hotline', subject: { kind: 'process' }, category: 'other', text: 'A caller reports a polling station closed early.', evidence: [{ name: 'scan.pdf', data: Buffer.from('not a pdf, just words').toString('base64') }] });
  expect([bad.statusCode, bad.json().error.code]).toEqual([422, 'ADMIN_ERR_EVIDENCE_REFUSED']);
  expect(await count()).toBe(before);

  const photo = jpeg();
  const ok = await control.post('/api/v1/control/complaints', { source: 'email', subject: { kind: 'process' }, category: 'station_conduct', text: 'An e-mail with a photo of the closed station door.', contact: 'someone@example.kz', evidence: [{ name: 'door.jpg', data: photo.toString('base64') }, { name: 'letter.pdf', data: pdf().toString('base64') }] });
  expect(ok.statusCode).toBe(201);
  const detail = (await control.get(`/api/v1/control/complaints/${ok.json().id}`)).json();
  expect(detail.evidence[0]).toMatchObject({ name: 'door.jpg', mediaType: 'image/jpeg', size: photo.length, sha256: createHash('sha256').update(photo).digest('hex') });
  const file = await control.get(`/api/v1/control/complaints/${ok.json().id}/evidence/${detail.evidence[0].id}`);
  expect(file.headers['x-content-type-options']).toBe('nosniff');
  expect(file.headers['content-disposition']).toMatch(/^attachment/);
  expect(file.rawPayload.equals(photo)).toBe(true);
  expect(await actions()).toContain(`control.complaint_entered complaint:${ok.json().id} email`);
});
