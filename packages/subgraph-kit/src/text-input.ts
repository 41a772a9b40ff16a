import { badUserInput } from './errors';
import { validateId } from './validation';

// Lengths are counted in characters (code points), as MySQL counts them for varchar columns, not UTF-16 units.
const lengthOf = (text: string) => [...text].length;
// A lone surrogate is not text: MySQL and SQLite would each store a different replacement character.
const LONE_SURROGATE = /\p{Cs}/u;
// Control characters (but newline and tab) corrupt logs, CSV exports and terminals; bidirectional overrides and
// isolates (U+202A–U+202E, U+2066–U+2069) make a name display as something else than it is ("Trojan Source").
const HIDDEN_CONTROL = /(?![\n\t])\p{Cc}|[\u202A-\u202E\u2066-\u2069]/u;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

function checked(text: string, field: string, max: number): string {
  if (LONE_SURROGATE.test(text)) throw badUserInput(`${field} must be valid Unicode text (it holds a lone surrogate)`, field);
  const hidden = HIDDEN_CONTROL.exec(text);
  if (hidden) {
    throw badUserInput(
      `${field} must not contain control characters (other than newline and tab) or bidirectional overrides: it holds ${codePoint(hidden[0])}`,
      field,
    );
  }
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
