import type { Lang } from './languages';
import { en } from './messages/en';
import { kk } from './messages/kk';
import { ru } from './messages/ru';

/** A message key: English is the reference catalogue, and kk/ru must have every key (typed). */
export type MessageKey = keyof typeof en;
export type Catalogue = Readonly<Record<MessageKey, string>>;

/** The catalogues, one per language. A test checks keys and arguments agree across them. */
export const CATALOGUES: Readonly<Record<Lang, Catalogue>> = { kk, ru, en };

/** True when the string is a message key (for keys built at run time, such as error codes). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
