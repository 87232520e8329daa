import { useEffect, useMemo, useState } from 'preact/hooks';
import type { MessageKey } from '@primaries/i18n';
import { Field, NetworkError, Notice, Screen, useI18n } from '@primaries/ui';
import { type MemberAtStation, type PaperStation, paperApi } from '../paper-api';
import { useSession } from '../session';

/** An error code the paper catalogue has words for, else the generic message. */
function errorKey(code: string): MessageKey {
  return (code.startsWith('ADMIN_ERR_') ? `errors.${code}` : 'common.error.body') as MessageKey;
}

/** The member found: on the list, eligible, each contest's state, and what the commission may do now. */
function MemberCard({ m, busy, onCheckIn, onHandOver, onUndo }: { m: MemberAtStation; busy: boolean; onCheckIn: () => void; onHandOver: () => void; onUndo: (reason: string) => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const canCheckIn = m.onList && m.eligible && !m.checkin && m.contests.some((c) => c.state === 'open');
  return (
    <section aria-labelledby="paper-member" data-member={m.memberId}>
      <h2 id="paper-member">{m.fullName}</h2>
      <ul class="may">
        <li data-on-list={m.onList}>{t(m.onList ? 'paper.checkin.onList' : 'paper.checkin.notOnList')}</li>
        <li data-eligible={m.eligible}>{t(m.eligible ? 'paper.checkin.eligible' : 'paper.checkin.notEligible')}</li>
        {m.contests.map((c) => (
          <li key={c.id} data-contest={c.id} data-state={c.state}>
            {c.name}: {t(`paper.checkin.contest.${c.state}`)}
          </li>
        ))}
      </ul>
      <div class="actions">
        {canCheckIn && (
          <button type="button" id="paper-check-in" disabled={busy} onClick={onCheckIn}>
            {t('paper.checkin.mark')}
          </button>
        )}
        {m.checkin && !m.checkin.handedOver && (
          <button type="button" id="paper-hand-over" disabled={busy} onClick={onHandOver}>
            {t('paper.checkin.handOver')}
          </button>
        )}
      </div>
      {m.checkin?.handedOver && <Notice kind="ok">{t('paper.checkin.handedOver')}</Notice>}
      {m.checkin && !m.checkin.handedOver && (
        <form onSubmit={(e) => (e.preventDefault(), reason.trim().length >= 3 && onUndo(reason.trim()))} noValidate>
          <Field id="paper-undo-reason" label={t('paper.checkin.undoReason')} value={reason} onValue={setReason} maxLength={500} />
          <button type="submit" class="secondary" id="paper-undo" disabled={busy || reason.trim().length < 3}>
            {t('paper.checkin.undo')}
          </button>
        </form>
      )}
    </section>
  );
}

/** The precinct commission's check-in page (issue #15): phone-sized, one member at a time, by IIN. */
export function PaperCheckinScreen() {
  const { t } = useI18n();
  const { api } = useSession();
  const paper = useMemo(() => paperApi(api), [api]);
  const [station, setStation] = useState<PaperStation | null>(null);
  const [iin, setIin] = useState('');
  const [member, setMember] = useState<MemberAtStation | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    paper.station().then((r) => r.ok && setStation(r.data.station), () => setError('common.offline.body'));
  }, [paper]);

  /** Runs a call, then shows the member afresh (their contests and check-in as the server now has them). */
  const act = async (call: () => Promise<{ ok: boolean; error?: { code: string } }>) => {
    setBusy(true);
    setError(null);
    try {
      const r = await call();
      if (!r.ok) setError(errorKey(r.error?.code ?? ''));
      const again = await paper.lookup(iin);
      setMember(again.ok ? again.data.member : null);
      if (!again.ok && r.ok) setError(errorKey(again.error.code));
    } catch (err) {
      setError(err instanceof NetworkError ? 'common.offline.body' : 'common.error.body');
    } finally {
      setBusy(false);
    }
  };
  const find = (e: Event) => {
    e.preventDefault();
    if (!/^\d{12}$/.test(iin)) return setError('paper.checkin.iinShort');
    void act(async () => ({ ok: true }));
  };
  return (
    <Screen title={t('paper.checkin.title')} state="paper-checkin">
      {station && (
        <p data-station={station.code} data-window={station.state}>
          {t('paper.checkin.station', { code: station.code, settlement: station.settlement })} — {t(`paper.window.${station.state}`)}
        </p>
      )}
      <form onSubmit={find} noValidate>
        <Field id="paper-iin" label={t('paper.checkin.iin')} value={iin} onValue={(v) => setIin(v.replace(/\D/g, '').slice(0, 12))} inputMode="numeric" autoComplete="off" required />
        <button type="submit" id="paper-find" disabled={busy}>
          {t('paper.checkin.find')}
        </button>
      </form>
      {error && (
        <Notice kind="error" live="alert">
          <span data-error={error}>{t(error)}</span>
        </Notice>
      )}
      {member && <MemberCard m={member} busy={busy} onCheckIn={() => void act(() => paper.checkIn(iin))} onHandOver={() => member.checkin && void act(() => paper.handOver(member.checkin!.id))} onUndo={(reason) => member.checkin && void act(() => paper.undo(member.checkin!.id, reason))} />}
    </Screen>
  );
}
