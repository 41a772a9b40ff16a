import { isPartialDate, parsePartialDate, partialDateOrNull } from '../src/partial-date';

describe('parsePartialDate', () => {
  test('a quarter spans its three months and is never its first day', () => {
    expect(parsePartialDate('2026-Q1', 'first quarter of 2026')).toEqual({
      year: 2026,
      quarter: 1,
      month: null,
      day: null,
      precision: 'QUARTER',
      label: 'first quarter of 2026',
      earliest: '2026-01-01',
      latest: '2026-03-31',
    });
    expect(parsePartialDate('2024-Q4').latest).toBe('2024-12-31');
  });

  test('a month ends on its last day, leap years included', () => {
    expect(parsePartialDate('2026-03')).toMatchObject({
      precision: 'MONTH',
      month: 3,
      quarter: 1,
      label: 'March 2026',
      earliest: '2026-03-01',
      latest: '2026-03-31',
    });
    expect(parsePartialDate('2028-02').latest).toBe('2028-02-29');
    expect(parsePartialDate('2026-02').latest).toBe('2026-02-28');
  });

  test('a year and a day', () => {
    expect(parsePartialDate('2030', 'by 2030')).toMatchObject({ precision: 'YEAR', label: 'by 2030', earliest: '2030-01-01', latest: '2030-12-31' });
    expect(parsePartialDate('2026-01-19')).toMatchObject({ precision: 'DAY', day: 19, earliest: '2026-01-19', latest: '2026-01-19' });
  });

  test.each(['2026-Q5', '2026-13', '2026-02-30', '26', '2026-1', 'Q1 2026', ''])('%p is not a partial date', (value) => {
    expect(isPartialDate(value)).toBe(false);
    expect(() => parsePartialDate(value)).toThrow(/not a partial date/);
  });

  test('absent values stay null', () => {
    expect(partialDateOrNull(null)).toBeNull();
    expect(partialDateOrNull(undefined, 'label')).toBeNull();
  });
});

describe('years', () => {
  test.each(['0000', '0099', '1899', '2200', '12026'])('%p is outside 1900–2199 and refused', (value) => {
    expect(isPartialDate(value)).toBe(false);
  });
  test('2000 is a leap year, 2100 is not', () => {
    expect(parsePartialDate('2000-02').latest).toBe('2000-02-29');
    expect(parsePartialDate('2100-02').latest).toBe('2100-02-28');
  });
});
