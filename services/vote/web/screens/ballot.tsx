import { Notice, Screen, useI18n } from '@primaries/ui';
import { useState } from 'preact/hooks';
import type { Candidate, Contest } from '../api';
import type { VoterFlow } from '../flow';

function CandidateCard({ c, marked, onToggle }: { c: Candidate; marked: boolean; onToggle: (on: boolean, box: HTMLInputElement) => void }) {
  const { t } = useI18n();
  const meta = [c.region ? t('vote.candidate.region', { region: c.region }) : null, c.ageGroup ? t('vote.candidate.age', { group: c.ageGroup }) : null, c.occupation].filter(Boolean).join(' · ');
  return (
    <li>
      <label class={`card${marked ? ' marked' : ''}`} data-candidate={c.id}>
        <input type="checkbox" checked={marked} onChange={(e) => onToggle(e.currentTarget.checked, e.currentTarget)} />
        <span class="card-body">
          <span class="cname">{c.name}</span>
          {meta && <span class="meta">{meta}</span>}
          {(c.gender === 'F' || c.youth) && (
            <span class="badges">
              {c.gender === 'F' && <span class="badge woman">{t('vote.candidate.woman')}</span>}
              {c.youth && <span class="badge youth">{t('vote.candidate.youth')}</span>}
            </span>
          )}
        </span>
      </label>
    </li>
  );
}

/** One contest: its rule ("up to N"), a live count of marks left, and a card per candidate. */
function ContestSection({ contest, marked, onChange }: { contest: Contest; marked: readonly number[]; onChange: (ids: number[]) => void }) {
  const { t } = useI18n();
  const [full, setFull] = useState(false);
  const left = contest.maxChoices - marked.length;
  const toggle = (id: number) => (on: boolean, box: HTMLInputElement) => {
    if (on && left <= 0) {
      box.checked = false;
      return setFull(true);
    }
    setFull(false);
    onChange(on ? [...marked, id] : marked.filter((x) => x !== id));
  };
  return (
    <fieldset class="contest" data-contest={contest.id} aria-describedby={contest.voted ? undefined : `rule-${contest.id} left-${contest.id}`}>
      <legend>
        <h2>{contest.name}</h2>
        <span class="level">{t(`vote.level.${contest.level}`)}</span>
      </legend>
      {contest.voted ? (
        <Notice kind="ok">{t('vote.ballot.voted')}</Notice>
      ) : (
        <>
          <p class="rule" id={`rule-${contest.id}`}>
            {t('vote.ballot.upTo', { max: contest.maxChoices })}
          </p>
          <p class="counter" id={`left-${contest.id}`} role="status">
            {t('vote.ballot.left', { left })}
          </p>
          {full && (
            <p class="error" role="alert">
              {t('vote.ballot.full')}
            </p>
          )}
          <ul class="cards">
            {contest.candidates.map((c) => (
              <CandidateCard key={c.id} c={c} marked={marked.includes(c.id)} onToggle={toggle(c.id)} />
            ))}
          </ul>
        </>
      )}
    </fieldset>
  );
}

/** The ballot: a section per contest; review once something is marked. */
export function BallotScreen({ flow }: { flow: VoterFlow }) {
  const { t } = useI18n();
  const [nothing, setNothing] = useState(false);
  const ballot = flow.ballot;
  if (!ballot) return null;
  const notice = flow.step.s === 'ballot' ? flow.step.notice : undefined;
  const review = () => {
    const any = ballot.contests.some((c) => !c.voted && (flow.marks[c.id]?.length ?? 0) > 0);
    setNothing(!any);
    if (any) flow.setStep({ s: 'review' });
  };
  return (
    <Screen title={t('vote.ballot.title')} state="ballot">
      <p class="election">{ballot.election.name}</p>
      {notice && <Notice kind="info">{t(notice)}</Notice>}
      <p>{t('vote.ballot.lead')}</p>
      {ballot.contests.map((c) => (
        <ContestSection key={c.id} contest={c} marked={flow.marks[c.id] ?? []} onChange={(ids) => flow.setMarks({ ...flow.marks, [c.id]: ids })} />
      ))}
      {nothing && (
        <Notice kind="error" live="alert">
          {t('vote.ballot.nothing')}
        </Notice>
      )}
      <div class="actions sticky">
        <button type="button" onClick={review}>
          {t('vote.ballot.review')}
        </button>
      </div>
    </Screen>
  );
}
