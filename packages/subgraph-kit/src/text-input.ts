import { badUserInput } from './errors';
import { validateId } from './validation';

// Lengths are counted in characters (code points), as MySQL counts them for varchar columns, not UTF-16 units.
const lengthOf = (text: string) => [...text].length;
// A lone surrogate is not text: MySQL and SQLite would each store a different replacement character.
const LONE_SURROGATE = /\p{Cs}/u;

function checked(text: string, field: string, max: number): string {
  if (LONE_SURROGATE.test(text)) throw badUserInput(`${field} must be valid Unicode text (it holds a lone surrogate)`, field);
  if (lengthOf(text) > max) throw badUserInput(`${field} must be at most ${max} characters (got ${lengthOf(text)})`, field);
  return text;
}

/** A required text input: trimmed, 1 to `max` characters. */
export function requiredText(value: string | null | undefined, field: string, max: number): string {
  const text = value?.trim() ?? '';
  if (text.length === 0) throw badUserInput(`${field} must not be blank: give 1–${max} characters`, field);
  return checked(text, field, max);
}

/** An optional text input: trimmed, at most `max` characters; omitted, null or blank gives null. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const text = value?.trim() ?? '';
  return text.length === 0 ? null : checked(text, field, max);
}

/** An optional id of an existing record; null when omitted. */
export function optionalId(value: string | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : validateId(value, field);
}

/** A list without repeats; the first repeat is named by its index (`input.specialties[2]`). */
export function distinct<T>(values: readonly T[], field: string): T[] {
  const seen = new Set<T>();
  values.forEach((value, index) => {
    if (seen.has(value)) throw badUserInput(`${field} must list each value at most once: ${String(value)} is repeated`, `${field}[${index}]`);
    seen.add(value);
  });
  return [...values];
}
