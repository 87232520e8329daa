import { checkEligibility } from '../src/eligibility';

const election = { freeze_date: '2026-09-11' };
const member = { status: 'active', admitted_at: '2020-01-15', phone: '+77011234567' };

describe('checkEligibility', () => {
  it('accepts an active member admitted before the freeze with the registered phone', () => {
    expect(checkEligibility(member, election, '+77011234567')).toEqual({ eligible: true });
  });

  it('refuses a non-member', () => {
    expect(checkEligibility(undefined, election, '+77011234567')).toEqual({ eligible: false, reason: 'not_member' });
    expect(checkEligibility(null, election, '+77011234567')).toEqual({ eligible: false, reason: 'not_member' });
  });

  it('refuses a phone other than the registered one', () => {
    expect(checkEligibility(member, election, '+77011234568')).toEqual({ eligible: false, reason: 'phone_mismatch' });
  });

  it.each(['expelled', 'blocked', 'suspended'])('refuses a %s member', (status) => {
    expect(checkEligibility({ ...member, status }, election, member.phone)).toEqual({ eligible: false, reason: 'not_active' });
  });

  it('refuses a member admitted on or after the freeze date, accepts the day before', () => {
    expect(checkEligibility({ ...member, admitted_at: '2026-09-11' }, election, member.phone)).toEqual({ eligible: false, reason: 'admitted_after_freeze' });
    expect(checkEligibility({ ...member, admitted_at: '2026-10-01' }, election, member.phone)).toEqual({ eligible: false, reason: 'admitted_after_freeze' });
    expect(checkEligibility({ ...member, admitted_at: '2026-09-10' }, election, member.phone)).toEqual({ eligible: true });
  });
});
