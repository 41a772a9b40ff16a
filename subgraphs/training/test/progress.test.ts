import { parsePartialDate } from '@partnership/subgraph-kit';
import { daysBetween, isoDay, programProgress, type ProgressInput } from '../src/progress';

// The surgeons programme: 100 by 2030, started January 2026, five places planned.
const surgeons = (overrides: Partial<ProgressInput> = {}): ProgressInput => ({
  target: 100,
  targetDate: parsePartialDate('2030', 'by 2030'),
  startsOn: parsePartialDate('2026-01'),
  counts: { planned: 5, enrolled: 0, completed: 0 },
  today: '2026-03-15',
  ...overrides,
});

describe('programProgress', () => {
  test('days are counted between calendar dates, leap years included', () => {
    expect(daysBetween('2026-01-01', '2030-12-31')).toBe(1825);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-03-01', '2026-01-01')).toBe(-59);
    expect(isoDay(new Date('2026-04-02T23:59:59Z'))).toBe('2026-04-02');
  });

  test('remaining is the target less those completed, never below 0', () => {
    expect(programProgress(surgeons()).remaining).toBe(100);
    expect(programProgress(surgeons({ counts: { planned: 5, enrolled: 9, completed: 7 } })).remaining).toBe(93);
    expect(programProgress(surgeons({ counts: { planned: 5, enrolled: 120, completed: 120 } })).remaining).toBe(0);
  });

  test('without a target there is neither remaining nor onTrack', () => {
    expect(programProgress(surgeons({ target: null }))).toEqual({ target: null, planned: 5, enrolled: 0, completed: 0, remaining: null, onTrack: null });
  });

  test('without a target date or a start there is no line to be on', () => {
    expect(programProgress(surgeons({ targetDate: null })).onTrack).toBeNull();
    expect(programProgress(surgeons({ startsOn: null })).onTrack).toBeNull();
  });

  test('5 planned places cover the share due up to 91 days after the start, not 92', () => {
    // 1825 days from 2026-01-01 to 2030-12-31: 100 × 91 / 1825 = 4.99 → 5 due; 100 × 92 / 1825 = 5.04 → 6 due.
    expect(programProgress(surgeons({ today: '2026-04-02' })).onTrack).toBe(true);
    expect(programProgress(surgeons({ today: '2026-04-03' })).onTrack).toBe(false);
    expect(programProgress(surgeons({ today: '2026-04-03', counts: { planned: 6, enrolled: 0, completed: 0 } })).onTrack).toBe(true);
  });

  test('before the start nothing is due yet', () => {
    expect(programProgress(surgeons({ today: '2025-06-01', counts: { planned: 0, enrolled: 0, completed: 0 } })).onTrack).toBe(true);
  });

  test('on the target date the whole target is due; after it, only completion counts', () => {
    expect(programProgress(surgeons({ today: '2030-12-31', counts: { planned: 99, enrolled: 0, completed: 0 } })).onTrack).toBe(false);
    expect(programProgress(surgeons({ today: '2030-12-31', counts: { planned: 100, enrolled: 0, completed: 0 } })).onTrack).toBe(true);
    expect(programProgress(surgeons({ today: '2031-01-01', counts: { planned: 100, enrolled: 100, completed: 99 } })).onTrack).toBe(false);
    expect(programProgress(surgeons({ today: '2031-01-01', counts: { planned: 100, enrolled: 100, completed: 100 } })).onTrack).toBe(true);
  });

  test('a target date on or before the start makes the whole target due at once', () => {
    const input = surgeons({ targetDate: parsePartialDate('2025'), today: '2025-06-01' });
    expect(programProgress({ ...input, counts: { planned: 99, enrolled: 0, completed: 0 } }).onTrack).toBe(false);
    expect(programProgress({ ...input, counts: { planned: 100, enrolled: 0, completed: 0 } }).onTrack).toBe(true);
  });
});
