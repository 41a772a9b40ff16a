import { badUserInput, isPartialDate } from '@partnership/subgraph-kit';

export { distinct as distinctValues, optionalId, optionalText, requiredText } from '@partnership/subgraph-kit';

/**
 * Limits of the mutation inputs (and of their columns), shared by the validation and the messages that state them.
 * `parties` and `milestones` bound the lists an agreement returns (the SDL states them): the mutations refuse the
 * write that would pass them.
 */
export const LIMITS = {
  title: 300,
  summary: 4000,
  role: 200,
  label: 200,
  parties: 50,
  milestones: 50,
} as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

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
