import { badUserInput, isPartialDate, validateId } from '@partnership/subgraph-kit';

// Limits of the input fields (and of their columns).
export const MAX_TITLE_LENGTH = 300;
export const MAX_SUMMARY_LENGTH = 4000;
export const MAX_ROLE_LENGTH = 200;
export const MAX_LABEL_LENGTH = 200;
export const MAX_PARTIES = 50;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Lengths in characters (code points), as VARCHAR counts them, not UTF-16 units.
const lengthOf = (text: string) => Array.from(text).length;

/** A text that must be there: trimmed, 1 to `max` characters. */
export function requiredText(value: string | null | undefined, field: string, max: number): string {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length === 0) throw badUserInput(`${field} must not be blank: 1 to ${max} characters`, field);
  if (lengthOf(trimmed) > max) throw badUserInput(`${field} must be at most ${max} characters (got ${lengthOf(trimmed)})`, field);
  return trimmed;
}

/** An optional text: trimmed, at most `max` characters; omitted, null or blank gives null. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length === 0) return null;
  if (lengthOf(trimmed) > max) throw badUserInput(`${field} must be at most ${max} characters (got ${lengthOf(trimmed)})`, field);
  return trimmed;
}

/** An optional id of an existing record (the kit's id rules); null when omitted. */
export function optionalId(value: string | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : validateId(value, field);
}

/** A canonical partial date ("2030", "2026-Q1", "2026-03", "2026-03-15"). */
export function partialDateInput(value: string, field: string): string {
  if (!isPartialDate(value)) {
    throw badUserInput(`${field} must be a date as precise as known: "2030", "2026-Q1", "2026-03" or "2026-03-15" (got ${JSON.stringify(value)})`, field);
  }
  return value;
}

/**
 * A real calendar day `YYYY-MM-DD` that is not in the future. "Today" is the latest date anywhere on Earth (UTC+14),
 * so a signature dated today in Tashkent or Paris is never refused because the server's clock is in UTC.
 */
export function pastDateInput(value: string, field: string, now = new Date()): string {
  const m = ISO_DATE.exec(value);
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (m === null || day === null || day.toISOString().slice(0, 10) !== value) {
    throw badUserInput(`${field} must be a calendar date YYYY-MM-DD (got ${JSON.stringify(value)})`, field);
  }
  const latestToday = new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
  if (value > latestToday) throw badUserInput(`${field} must not be in the future (got ${value})`, field);
  return value;
}

/** A list of enum values, each at most once. */
export function distinctValues<T extends string>(values: readonly T[], field: string): T[] {
  values.forEach((value, i) => {
    if (values.indexOf(value) !== i) throw badUserInput(`${field}[${i}]: ${value} is already listed; give each value once`, `${field}[${i}]`);
  });
  return [...values];
}
