import { addStaffAccount, enrolmentTokenHash, findOpenEnrolment, findStaffByLogin, listAuditEvents } from '@primaries/db';
import { type TestDatabase, createTestDatabase } from '@primaries/testing';
import { staffAdd } from '../src/commands/staff';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase('cli_staff');
});
afterAll(async () => tdb.drop());

describe('staff add', () => {
  it('creates an account and a one-time link that expires, and records it in the audit trail', async () => {
    const added = await staffAdd({ role: 'organizer', login: 'first-organizer' }, { DATABASE_URL: tdb.url, ADMIN_PUBLIC_URL: 'https://admin.example.kz/', ADMIN_ENROL_TTL_SECONDS: '600' });
    expect(added.link).toMatch(/^https:\/\/admin\.example\.kz\/enrol#[A-Za-z0-9_-]{43}$/);
    expect(added.expiresAt.getTime() - Date.now()).toBeGreaterThan(590_000);
    expect(added.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(600_000);
    const token = added.link.split('#')[1]!;
    const staff = await findOpenEnrolment(tdb.db, enrolmentTokenHash(token));
    expect(staff).toMatchObject({ login: 'first-organizer', role: 'organizer', enrolled_at: null });
    const events = await listAuditEvents(tdb.db);
    expect(events.at(-1)).toMatchObject({ action: 'staff.created', actor: { role: 'operator', id: 'cli' }, subject: `staff:${added.id}` });
  });

  it('needs --station for a precinct account, and an existing station', async () => {
    await expect(staffAdd({ role: 'precinct' }, { DATABASE_URL: tdb.url })).rejects.toThrow(/--station/);
    await expect(staffAdd({ role: 'precinct', station: 999 }, { DATABASE_URL: tdb.url })).rejects.toThrow(/no polling station 999/);
    await expect(staffAdd({ role: 'observer', station: 1 }, { DATABASE_URL: tdb.url })).rejects.toThrow(/--station/);
  });

  it('refuses a login that is taken', async () => {
    await addStaffAccount(tdb.db, { role: 'observer', login: 'taken-login', ttlSeconds: 60, actor: { role: 'operator', id: 'cli' } });
    await expect(staffAdd({ role: 'observer', login: 'taken-login' }, { DATABASE_URL: tdb.url })).rejects.toThrow(/taken/);
    expect(await findStaffByLogin(tdb.db, 'taken-login')).toBeDefined();
  });
});
