import { foldForSearch, likePattern, searchTextOf } from '../src/search-text';

describe('foldForSearch', () => {
  test.each([
    ['Céline Poulet', 'celine poulet'],
    ['ТАШКЕНТ', 'ташкент'],
    ['Académie nationale de chirurgie', 'academie nationale de chirurgie'],
    ['O‘zbekiston', "o'zbekiston"],
    ['Œuvre', 'oeuvre'],
  ])('%p folds to %p', (input, folded) => {
    expect(foldForSearch(input)).toBe(folded);
  });

  test('the stored text joins every name; absent names are skipped', () => {
    expect(searchTextOf('Paul Strauss Center', null, 'Centre Paul Strauss')).toBe('paul strauss center | centre paul strauss');
  });

  test('LIKE wildcards in a term match themselves', () => {
    expect(likePattern('100%_Ré!')).toBe('%100!%!_re!!%');
  });
});

test('folding that lengthens text is cut to the column width', () => {
  expect(foldForSearch('ﷺ').length).toBeGreaterThan(10);
  expect(searchTextOf('ﷺ'.repeat(100))).toHaveLength(700);
});
