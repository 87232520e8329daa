import { Screen, useI18n } from '@primaries/ui';
import type { VoterFlow } from '../flow';

/** What will be cast, contest by contest; casting is final. */
export function Review({ flow }: { flow: VoterFlow }) {
  const { t } = useI18n();
  const ballot = flow.ballot;
  if (!ballot) return null;
  const sending = flow.step.s === 'sending';
  return (
    <Screen title={t(sending ? 'vote.review.sending' : 'vote.review.title')} state={sending ? 'sending' : 'review'}>
      <p>{t('vote.review.lead')}</p>
      {ballot.contests
        .filter((c) => !c.voted)
        .map((c) => {
          const ids = flow.marks[c.id] ?? [];
          return (
            <section class="review" key={c.id} data-contest={c.id} aria-labelledby={`rv-${c.id}`}>
              <h2 id={`rv-${c.id}`}>{c.name}</h2>
              {ids.length ? (
                <ul>
                  {c.candidates
                    .filter((k) => ids.includes(k.id))
                    .map((k) => (
                      <li key={k.id}>{k.name}</li>
                    ))}
                </ul>
              ) : (
                <p class="hint">{t('vote.review.none')}</p>
              )}
            </section>
          );
        })}
      <div class="actions">
        <button type="button" id="cast" disabled={sending} aria-busy={sending} onClick={() => void flow.cast()}>
          {t('vote.review.confirm')}
        </button>
        <button type="button" class="secondary" disabled={sending} onClick={() => flow.setStep({ s: 'ballot' })}>
          {t('vote.review.change')}
        </button>
      </div>
    </Screen>
  );
}
