/**
 * Input masks for the numbers people type: digits only, grouped as they are read aloud.
 * The server checks again; these only spare a round trip and show mistakes early.
 */

/** The IIN as typed: digits only, at most 12. */
export function iinInput(value: string): string {
  return value.replace(/\D/g, '').slice(0, 12);
}

/** The 10 national digits of a Kazakh mobile typed as `8 7xx…`, `+7 7xx…`, `7 7xx…` or `7xx…`. */
export function phoneDigits(value: string): string {
  // Once the field shows "+7 ", and whenever a number starts with 8 or runs past 10 digits,
  // the first digit is the country code; national numbers themselves start with 7.
  let d = value.replace(/\D/g, '');
  if (value.trim().startsWith('+') || d.startsWith('8') || d.length > 10) d = d.slice(1);
  return d.slice(0, 10);
}

/** `+7 701 234 56 78` from whatever was typed so far. */
export function phoneInput(value: string): string {
  const d = phoneDigits(value);
  if (!d) return value.trim().startsWith('+') ? '+7 ' : '';
  const groups = [d.slice(0, 3), d.slice(3, 6), d.slice(6, 8), d.slice(8, 10)].filter(Boolean);
  return `+7 ${groups.join(' ')}`;
}

/** E.164 (`+77012345678`) once 10 digits are there, else null. */
export function phoneE164(value: string): string | null {
  const d = phoneDigits(value);
  return /^7\d{9}$/.test(d) ? `+7${d}` : null;
}

/** The number shown back to its owner with the middle hidden: `+7 701 ••• •• 78`. */
export function maskedPhone(e164: string): string {
  const d = e164.replace(/\D/g, '').slice(-10);
  return `+7 ${d.slice(0, 3)} ••• •• ${d.slice(8, 10)}`;
}
