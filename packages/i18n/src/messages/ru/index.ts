import { admin } from './admin';
import { common } from './common';
import { control } from './control';
import { adminConsole } from './console';
import { errors } from './errors';
import { portal } from './portal';
import { sms } from './sms';
import { vote } from './vote';

/** Every ru message, flat: one key per message, the area first (`vote.signin.title`). */
export const ru = { ...admin, ...adminConsole, ...common, ...control, ...errors, ...portal, ...sms, ...vote };
