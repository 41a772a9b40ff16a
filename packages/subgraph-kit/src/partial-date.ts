/**
 * Fuzzy dates from the article ("Q1 2026", "March 2026", "by 2030") are stored as a canonical string of their
 * real precision — "2026-Q1", "2026-03", "2030", "2026-03-15" — so "Q1 2026" is never stored as 2026-01-01.
 */
export type DatePrecision = 'YEAR' | 'QUARTER' | 'MONTH' | 'DAY';

export interface PartialDate {
  year: number;
  quarter: number | null;
  month: number | null;
  day: number | null;
  precision: DatePrecision;
  label: string;
  /** The last calendar day the value can mean, as YYYY-MM-DD. */
  latest: string;
  /** The first calendar day the value can mean, as YYYY-MM-DD. */
  earliest: string;
}

// Years 1900–2199: the partnership's dates, and no year that JavaScript's Date would misread (0–99 → 1900s).
const CANONICAL = /^((?:19|20|21)\d\d)(?:-(?:Q([1-4])|(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?))?$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number) => String(n).padStart(2, '0');
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

export function isPartialDate(value: string): boolean {
  const m = CANONICAL.exec(value);
  if (!m) return false;
  if (m[4] === undefined) return true;
  return Number(m[4]) <= daysIn(Number(m[1]), Number(m[3]));
}

/** Parses a canonical partial date; `label` is the wording of the source ("by 2030"), defaulting to a plain one. */
export function parsePartialDate(value: string, label?: string | null): PartialDate {
  const m = CANONICAL.exec(value);
  if (!m || !isPartialDate(value)) throw new Error(`not a partial date: ${JSON.stringify(value)}`);
  const year = Number(m[1]);
  if (m[2] !== undefined) {
    const quarter = Number(m[2]);
    const first = quarter * 3 - 2;
    const last = quarter * 3;
    return {
      year,
      quarter,
      month: null,
      day: null,
      precision: 'QUARTER',
      label: label ?? `Q${quarter} ${year}`,
      earliest: `${year}-${pad(first)}-01`,
      latest: `${year}-${pad(last)}-${pad(daysIn(year, last))}`,
    };
  }
  if (m[3] !== undefined) {
    const month = Number(m[3]);
    if (m[4] !== undefined) {
      const day = Number(m[4]);
      const iso = `${year}-${pad(month)}-${pad(day)}`;
      return { year, quarter: Math.ceil(month / 3), month, day, precision: 'DAY', label: label ?? iso, earliest: iso, latest: iso };
    }
    return {
      year,
      quarter: Math.ceil(month / 3),
      month,
      day: null,
      precision: 'MONTH',
      label: label ?? `${MONTHS[month - 1]} ${year}`,
      earliest: `${year}-${pad(month)}-01`,
      latest: `${year}-${pad(month)}-${pad(daysIn(year, month))}`,
    };
  }
  return { year, quarter: null, month: null, day: null, precision: 'YEAR', label: label ?? String(year), earliest: `${year}-01-01`, latest: `${year}-12-31` };
}

/** Resolver helper: a stored (value, label) pair, or null when no value is stored. */
export function partialDateOrNull(value: string | null | undefined, label?: string | null): PartialDate | null {
  return value ? parsePartialDate(value, label) : null;
}
