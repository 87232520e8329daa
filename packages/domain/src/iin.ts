const W1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

function weighted(digits: number[], weights: number[]): number {
  let s = 0;
  for (let i = 0; i < 11; i++) s += digits[i]! * weights[i]!;
  return s % 11;
}

/** The IIN check digit of the first 11 digits, or null when no valid IIN has them. */
export function iinCheckDigit(first11: string): number | null {
  if (!/^\d{11}$/.test(first11)) return null;
  const d = [...first11].map(Number);
  let c = weighted(d, W1);
  if (c === 10) c = weighted(d, W2);
  return c === 10 ? null : c;
}

/** True when the string is 12 digits with a correct check digit (the hard rule). */
export function isValidIin(iin: string): boolean {
  if (!/^\d{12}$/.test(iin)) return false;
  return iinCheckDigit(iin.slice(0, 11)) === Number(iin[11]);
}

export interface IinInfo {
  /** YYYY-MM-DD, or null when the date digits are not a real date (soft rule). */
  birthDate: string | null;
  gender: 'F' | 'M' | null;
}

/** Reads the soft parts: birth date from digits 1–6 and century/sex from digit 7. */
export function parseIin(iin: string): IinInfo {
  const centuryDigit = Number(iin[6]);
  const century = centuryDigit >= 1 && centuryDigit <= 6 ? 1800 + Math.floor((centuryDigit - 1) / 2) * 100 : null;
  const gender = centuryDigit >= 1 && centuryDigit <= 6 ? (centuryDigit % 2 === 1 ? 'M' : 'F') : null;
  const yy = Number(iin.slice(0, 2));
  const mm = Number(iin.slice(2, 4));
  const dd = Number(iin.slice(4, 6));
  let birthDate: string | null = null;
  if (century !== null) {
    const y = century + yy;
    const dt = new Date(Date.UTC(y, mm - 1, dd));
    if (dt.getUTCFullYear() === y && dt.getUTCMonth() === mm - 1 && dt.getUTCDate() === dd) {
      birthDate = dt.toISOString().slice(0, 10);
    }
  }
  return { birthDate, gender };
}

/** Builds a valid IIN from a birth date, gender and serial (for seeding and tests); null if the serial gives no valid check digit. */
export function makeIin(birthDate: string, gender: 'F' | 'M', serial: number): string | null {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const centuryBase = Math.floor((y - 1800) / 100); // 0: 1800s, 1: 1900s, 2: 2000s
  const c = centuryBase * 2 + (gender === 'M' ? 1 : 2);
  const first11 = `${String(y % 100).padStart(2, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${c}${String(serial % 10000).padStart(4, '0')}`;
  const check = iinCheckDigit(first11);
  return check === null ? null : `${first11}${check}`;
}
