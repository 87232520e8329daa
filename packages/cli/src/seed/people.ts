/**
 * Seeded random people for the demo register: names, birth dates, occupations.
 * The PRNG is mulberry32: tiny, fast (millions of draws per second) and, unlike
 * Math.random, reproducible from a seed — which is all the demo needs (no crypto here).
 */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Index into cumulative weights (ascending, last = total). */
export function pickWeighted(rng: Rng, cumulative: readonly number[]): number {
  const x = rng() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const MALE = [
  'Серик', 'Нурлан', 'Ерлан', 'Бауыржан', 'Асхат', 'Арман', 'Данияр', 'Марат', 'Канат', 'Талгат', 'Ержан', 'Азамат',
  'Болат', 'Дархан', 'Жандос', 'Ермек', 'Руслан', 'Тимур', 'Максат', 'Санжар', 'Мурат', 'Айдос', 'Алибек', 'Даулет',
  'Ерболат', 'Жанибек', 'Кайрат', 'Нуржан', 'Олжас', 'Рустем', 'Самат', 'Бахыт', 'Габит', 'Ерик', 'Аслан', 'Бекзат',
  'Нурсултан', 'Ильяс', 'Мирас', 'Арсен', 'Виктор', 'Олег', 'Денис', 'Роман', 'Игорь', 'Антон',
];
const FEMALE = [
  'Айгуль', 'Гульнара', 'Динара', 'Жанар', 'Сауле', 'Асель', 'Алия', 'Айжан', 'Гульмира', 'Мадина', 'Назгуль', 'Аида',
  'Жулдыз', 'Камила', 'Ляззат', 'Меруерт', 'Салтанат', 'Томирис', 'Айман', 'Баян', 'Дана', 'Жанна', 'Карлыгаш',
  'Раушан', 'Айнур', 'Гаухар', 'Индира', 'Лаура', 'Акмарал', 'Малика', 'Елена', 'Ольга', 'Наталья', 'Ирина',
  'Татьяна', 'Светлана', 'Анна', 'Марина',
];
// Surnames in the masculine -ов/-ев/-ин form; the feminine adds -а.
const SURNAMES = [
  'Ахметов', 'Сулейменов', 'Нурмагамбетов', 'Жумабаев', 'Касымов', 'Абдрахманов', 'Искаков', 'Омаров', 'Тулегенов',
  'Мусин', 'Садыков', 'Байжанов', 'Кенжебаев', 'Ермеков', 'Бекмуханов', 'Есенов', 'Жаксылыков', 'Калиев', 'Мухамеджанов',
  'Оспанов', 'Рахимов', 'Сагинтаев', 'Темиргалиев', 'Утепов', 'Шарипов', 'Абенов', 'Байтурсынов', 'Даулетов', 'Ешмуханбетов',
  'Жунусов', 'Исмаилов', 'Кожахметов', 'Кусаинов', 'Мамин', 'Нуралиев', 'Оразбаев', 'Сарсенбаев', 'Токаев', 'Уразалин',
  'Хасенов', 'Шайхин', 'Ыскаков', 'Алиев', 'Бекетов', 'Габдуллин', 'Дюсембаев', 'Жакупов', 'Иманбаев', 'Кабдолов',
  'Иванов', 'Петров', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Соколов', 'Морозов', 'Волков', 'Лебедев',
];

const OCCUPATIONS = [
  'учитель', 'врач', 'инженер', 'предприниматель', 'юрист', 'экономист', 'аким сельского округа', 'директор школы',
  'фермер', 'главный врач больницы', 'руководитель ТОО', 'преподаватель вуза', 'журналист', 'агроном', 'энергетик',
  'пенсионер', 'студент', 'социальный работник', 'спортсмен', 'депутат маслихата', 'госслужащий', 'банковский служащий',
];

export interface Person {
  full_name: string;
  gender: 'F' | 'M';
  birth_date: string;
}

/** YYYY-MM-DD of a day `days` after `from` (negative for before). */
export function addDays(from: string, days: number): string {
  const t = Date.parse(`${from}T00:00:00Z`) + days * 86400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** A person of the given sex aged between `minAge` and `maxAge` on `onDate`. */
export function person(rng: Rng, gender: 'F' | 'M', onDate: string, minAge: number, maxAge: number): Person {
  const surname = pick(rng, SURNAMES);
  const father = pick(rng, MALE.slice(0, 36));
  const first = pick(rng, gender === 'M' ? MALE : FEMALE);
  const full_name = gender === 'M' ? `${surname} ${first} ${father}ович` : `${surname}а ${first} ${father}овна`;
  // Age in days, so every birthday of the year is possible.
  const ageDays = Math.floor((minAge + rng() * (maxAge - minAge)) * 365.25);
  return { full_name, gender, birth_date: addDays(onDate, -ageDays - 1) };
}

/** Party members' ages: few under 25, most 30–60, some pensioners. */
export function memberAgeRange(rng: Rng): [number, number] {
  const x = rng();
  if (x < 0.12) return [18, 25];
  if (x < 0.35) return [25, 35];
  if (x < 0.85) return [35, 60];
  return [60, 85];
}

export function occupation(rng: Rng): string {
  return pick(rng, OCCUPATIONS);
}
