/** Kazakh mobile operator codes; configuration may replace the list. */
export const KZ_MOBILE_CODES: readonly string[] = [
  '700', '701', '702', '703', '704', '705', '706', '707', '708',
  '747', '760', '761', '762', '763', '764', '771', '775', '776', '777', '778', '785',
];

/**
 * Normalises a Kazakh mobile number written as `8 7xx…`, `+7 7xx…`, `7 7xx…` or `7xx…`
 * (spaces, dashes, dots and brackets allowed) to E.164 `+77xxxxxxxxx`; null if it is not one.
 */
export function normalizePhone(input: string, codes: readonly string[] = KZ_MOBILE_CODES): string | null {
  const trimmed = input.trim();
  if (!/^\+?[\d\s\-().]+$/.test(trimmed)) return null;
  const plus = trimmed.startsWith('+');
  const digits = trimmed.replace(/\D/g, '');
  let national: string;
  if (digits.length === 10 && !plus) national = digits;
  else if (digits.length === 11 && (digits[0] === '7' || (digits[0] === '8' && !plus))) national = digits.slice(1);
  else return null;
  if (!codes.includes(national.slice(0, 3))) return null;
  return `+7${national}`;
}
