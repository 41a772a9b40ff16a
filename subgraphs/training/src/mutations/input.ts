import { badUserInput, isPartialDate, optionalText, parsePartialDate, type PartialDate } from '@partnership/subgraph-kit';

export { optionalId, optionalText, requiredText } from '@partnership/subgraph-kit';

/**
 * Limits of the mutation inputs, shared by the validation and the messages that state them. `hosts` and `cohorts`
 * bound the lists a programme returns (the SDL states them): the mutations refuse the write that would pass them.
 */
export const LIMITS = {
  title: 300,
  name: 300,
  summary: 4000,
  label: 200,
  hosts: 50,
  cohorts: 50,
  targetTrainees: 100_000,
  plannedSize: 500,
} as const;

/** A whole number from `min` to `max`. */
export function integerInRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw badUserInput(`${field} must be a whole number from ${min} to ${max} (got ${value})`, field);
  return value;
}

export interface DatedInput {
  /** The canonical partial date as stored. */
  value: string | null;
  label: string | null;
  /** Parsed, for range checks. */
  parsed: PartialDate | null;
}

/** An optional canonical partial date with its optional label; a label alone is refused. */
export function optionalPartialDate(value: string | null | undefined, label: string | null | undefined, field: string, labelField: string): DatedInput {
  const text = value === null || value === undefined ? null : value.trim();
  const cleanLabel = optionalText(label, labelField, LIMITS.label);
  if (text === null || text.length === 0) {
    if (cleanLabel !== null) throw badUserInput(`${labelField} needs ${field}: a label words a date, it does not replace it`, labelField);
    return { value: null, label: null, parsed: null };
  }
  if (!isPartialDate(text)) {
    throw badUserInput(`${field} must be a canonical partial date: a year "2030", a quarter "2026-Q1", a month "2026-03" or a day "2026-03-15"`, field);
  }
  return { value: text, label: cleanLabel, parsed: parsePartialDate(text, cleanLabel) };
}
