import type { PartialDate } from '@partnership/subgraph-kit';

/** What the database counts for one programme. */
export interface ProgressCounts {
  /** Places planned in all its cohorts. */
  planned: number;
  /** Placements not withdrawn (completed ones included). */
  enrolled: number;
  /** Placements completed. */
  completed: number;
}

export interface ProgramProgress extends ProgressCounts {
  target: number | null;
  remaining: number | null;
  onTrack: boolean | null;
}

export interface ProgressInput {
  target: number | null;
  targetDate: PartialDate | null;
  /** The programme's start; the straight line to the target begins on its earliest day. */
  startsOn: PartialDate | null;
  counts: ProgressCounts;
  /** Today as YYYY-MM-DD. */
  today: string;
}

const MS_PER_DAY = 86_400_000;

/** Today's calendar date (UTC) as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whole days from one YYYY-MM-DD date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);
}

/**
 * Progress toward a programme's target. A programme is on track when the places planned cover the share of the
 * target due by today on a straight line from its start (earliest day) to its target date (latest day); it is
 * on track once enough trainees completed, and off track once the target date has passed without that.
 * Without a target, a target date or a start, there is no line to measure against: onTrack is null.
 */
export function programProgress({ target, targetDate, startsOn, counts, today }: ProgressInput): ProgramProgress {
  const remaining = target === null ? null : Math.max(target - counts.completed, 0);
  return { target, ...counts, remaining, onTrack: onTrack({ target, targetDate, startsOn, counts, today }) };
}

function onTrack({ target, targetDate, startsOn, counts, today }: ProgressInput): boolean | null {
  if (target === null || targetDate === null || startsOn === null) return null;
  if (counts.completed >= target) return true;
  if (today > targetDate.latest) return false;
  const total = daysBetween(startsOn.earliest, targetDate.latest);
  // A target date on or before the start leaves no time to spread the target over: all of it is due.
  const elapsed = Math.min(Math.max(daysBetween(startsOn.earliest, today), 0), Math.max(total, 0));
  const due = total > 0 ? Math.ceil((target * elapsed) / total) : target;
  return counts.planned >= due;
}
