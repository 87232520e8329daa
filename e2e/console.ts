import type { Page } from 'playwright-core';
import { generate } from 'otplib';
import { PHONE, shot } from './browser';
import { inEveryLanguage, screen } from './flows';

/** What the console's e2e tests share: enrolment, sign-in with fresh one-time codes, the phone-width check. */
const PASSWORD = 'velvet-otter-harbour-17';

/** The authenticator app: the code of the current 30-second step. */
export const code = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) });

/** The last step whose code each secret used: the server accepts a step once, and ±1 step around now. */
const usedSteps = new Map<string, number>();
const stepNow = () => Math.floor(Date.now() / 30_000);

/** A code the server has not seen: the current step's, or the next one's (waiting for it when both are used). */
export async function freshCode(secret: string): Promise<string> {
  const step = Math.max(stepNow(), (usedSteps.get(secret) ?? -1) + 1);
  if (step > stepNow() + 1) await new Promise((r) => setTimeout(r, (step - 1) * 30_000 - Date.now() + 500));
  usedSteps.set(secret, step);
  return generate({ secret, epoch: step * 30 });
}

export async function fitsPhone(page: Page, name: string) {
  expect({ name, width: await page.evaluate('document.documentElement.scrollWidth') }).toEqual({ name, width: PHONE.width });
}

/** Opens an enrolment link, sets the password and confirms with the app's code; answers the TOTP secret and the code used. */
export async function enrol(page: Page, link: string, opts: { everyLanguage?: boolean; shotName?: string; weakFirst?: boolean } = {}): Promise<{ secret: string; used: string }> {
  await page.goto(link);
  await screen(page, 'enrol');
  const secret = (await page.getAttribute('code.secret', 'data-secret'))!;
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  if (opts.everyLanguage) await inEveryLanguage(page, 'enrol');
  await fitsPhone(page, 'enrol');
  if (opts.shotName) await shot(page, opts.shotName);
  if (opts.weakFirst ?? true) {
    // A guessable password: the server's refusal shows at the password field.
    await page.fill('#password', 'password1234');
    await page.fill('#repeat', 'password1234');
    await page.fill('#totp', await code(secret));
    await page.click('form button[type=submit]');
    await page.waitForSelector('#password-error');
    await screen(page, 'enrol');
  }
  await page.fill('#password', PASSWORD);
  await page.fill('#repeat', PASSWORD);
  const used = await freshCode(secret);
  await page.fill('#totp', used);
  await page.click('form button[type=submit]');
  await screen(page, 'enrolled');
  // The used token leaves the address bar.
  expect(new URL(page.url()).hash).toBe('');
  return { secret, used };
}

export async function signIn(page: Page, login: string, totp: string) {
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await page.fill('#totp', totp);
  await page.click('form button[type=submit]');
}
