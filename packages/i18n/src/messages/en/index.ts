import { admin } from './admin';
import { common } from './common';
import { control } from './control';
import { adminConsole } from './console';
import { errors } from './errors';
import { lifecycle } from './lifecycle';
import { paper } from './paper';
import { portal } from './portal';
import { setup } from './setup';
import { sms } from './sms';
import { vote } from './vote';
import { verify } from './verify';

/** Every en message, flat: one key per message, the area first (`vote.signin.title`). */
export const en = { ...admin, ...adminConsole, ...common, ...control, ...errors, ...lifecycle, ...paper, ...portal, ...setup, ...sms, ...verify, ...vote };
