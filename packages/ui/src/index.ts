export { type ApiError, type ApiResult, NetworkError, type RequestOptions, WAITING_ROOM_MAX_SECONDS, apiRequest, isBusy, parseRetryAfter, withWaitingRoom } from './api';
export { Downloads, Field, Notice, Screen, WaitingRoom } from './components';
export { type Column, toCsv } from './csv';
export { downloadText } from './download';
export { readSiteData, useCountdown } from './hooks';
export { type I18n, I18nProvider, LANG_STORAGE_KEY, LangSwitch, initialLanguage, useI18n } from './i18n';
export { iinInput, maskedPhone, phoneDigits, phoneE164, phoneInput } from './masks';
export { POLL_MAX_SECONDS, POLL_MIN_SECONDS, type PollResult, conditionalGet, maxAgeOf } from './poll';
export { type AuditEvent, type AuditHead, AuditTable, HASH_PREFIX } from './audit';
