import type { MessageKey } from '@primaries/i18n';
import type { ComponentChildren } from 'preact';
import { Notice, Screen, useI18n } from '@primaries/ui';
import type { VoterFlow } from '../flow';
import { siteData } from '../site-data';

function Hotline() {
  const { t } = useI18n();
  return siteData.hotline ? <p class="hotline">{t('vote.hotline', { phone: siteData.hotline })}</p> : null;
}

/** A designed state: its own heading and words, and the one thing to do next. */
function StateScreen({ state, title, body, action, onAction, children }: { state: string; title: MessageKey; body?: string; action?: MessageKey; onAction?: () => void; children?: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <Screen title={t(title)} state={state}>
      {body && <p>{body}</p>}
      {children}
      {action && onAction && (
        <div class="actions">
          <button type="button" onClick={onAction}>
            {t(action)}
          </button>
        </div>
      )}
    </Screen>
  );
}

/** Every state that is not a step of voting: window shut, code spent, address taken, session over… */
export function States({ flow }: { flow: VoterFlow }) {
  const { t, dateTime } = useI18n();
  const step = flow.step;
  const restart = () => flow.signOut();
  const newCode = () => (flow.values ? void flow.requestCode(flow.values) : restart());
  switch (step.s) {
    case 'window':
      return (
        <StateScreen state={`window-${step.state}`} title={`vote.state.${step.state}.title`} body={t(`vote.state.${step.state}.body`, step.state === 'scheduled' ? { opensAt: dateTime(step.at) } : { closesAt: dateTime(step.at) })}>
          <p class="server-time">{t('common.serverTime', { time: dateTime(step.now) })}</p>
        </StateScreen>
      );
    case 'expired':
      return <StateScreen state="expired" title="vote.state.expired.title" body={t('vote.state.expired.body')} action="vote.state.expired.action" onAction={newCode} />;
    case 'locked':
      return <StateScreen state="locked" title="vote.state.locked.title" body={t('vote.state.locked.body')} action="vote.state.expired.action" onAction={newCode} />;
    case 'limit':
      return <StateScreen state="limit" title="vote.state.limit.title" body={t('vote.state.limit.body', { minutes: step.minutes })} action="vote.state.restart" onAction={restart} />;
    case 'ipInUse':
      return (
        <StateScreen state="ip-in-use" title="vote.state.ipInUse.title" body={t('vote.state.ipInUse.body')} action="vote.state.restart" onAction={restart}>
          <ol class="todo">
            <li>{t('vote.state.ipInUse.do1')}</li>
            <li>{t('vote.state.ipInUse.do2')}</li>
            <li>{t('vote.state.ipInUse.do3')}</li>
          </ol>
          <Hotline />
        </StateScreen>
      );
    case 'session':
      return <StateScreen state="session" title="vote.state.session.title" body={t('vote.state.session.body')} action="vote.state.restart" onAction={restart} />;
    case 'notEligible':
      return (
        <StateScreen state="not-eligible" title="vote.state.notEligible.title" body={t('vote.state.notEligible.body')}>
          <Hotline />
        </StateScreen>
      );
    case 'allVoted':
      return <StateScreen state="all-voted" title="vote.done.title" body={t('vote.ballot.allVoted')} />;
    case 'resubmit':
      return (
        <StateScreen state="resubmit" title="vote.state.resubmit.title">
          <Notice>{t('vote.state.resubmit.body')}</Notice>
          <div class="progress" aria-hidden="true">
            <span />
          </div>
        </StateScreen>
      );
    case 'offline':
      return <StateScreen state="offline" title="common.offline.title" body={t('common.offline.body')} action="common.retryNow" onAction={restart} />;
    case 'loading':
      return <StateScreen state="loading" title="common.loading" />;
    case 'error':
      return (
        <StateScreen state="error" title="common.error.title" body={t(step.key ?? 'common.error.body')} action="vote.state.restart" onAction={restart}>
          <Hotline />
        </StateScreen>
      );
    default:
      return null;
  }
}
