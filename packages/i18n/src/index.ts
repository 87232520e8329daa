export { LANGUAGES, LOCALES, type Lang, isLang, pickLanguage } from './languages';
export { CATALOGUES, type Catalogue, type MessageKey, isMessageKey } from './catalogues';
export { type MessageValues, type Translator, createTranslator, errorMessage, translator } from './translator';
export { ELECTION_TIME_ZONE, NUMBER_LOCALES, formatDateTime, formatNumber, formatPercent, formatTime } from './format';
