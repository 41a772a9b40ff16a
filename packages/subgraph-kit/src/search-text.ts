/**
 * Folds text for case- and accent-insensitive substring search that behaves the same on MySQL and SQLite:
 * the folded form is stored beside the names, and search terms are folded the same way before `LIKE`.
 * "Céline" → "celine", "ТАШКЕНТ" → "ташкент", "O‘zbekiston" → "o'zbekiston".
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[‘’ʻʼ`´]/g, "'")
    .replace(/ß/g, 'ss')
    .replace(/[œŒ]/g, 'oe')
    .replace(/[æÆ]/g, 'ae')
    .toLowerCase();
}

/** What the `search_text` columns hold at most: folding can lengthen text (NFKD turns "ﷺ" into 18 letters). */
export const MAX_SEARCH_TEXT_LENGTH = 700;

/** The stored search column for a record: its names folded and joined, cut to the column's width. */
export function searchTextOf(...names: Array<string | null | undefined>): string {
  return [
    ...names
      .filter((n): n is string => typeof n === 'string' && n.length > 0)
      .map(foldForSearch)
      .join(' | '),
  ]
    .slice(0, MAX_SEARCH_TEXT_LENGTH)
    .join('');
}

// "!" rather than a backslash: MySQL reads a backslash inside a string literal as an escape of its own.
const LIKE_ESCAPE = '!';

/** A `LIKE` pattern matching the folded term anywhere; `%`, `_` and `!` in the term match themselves. */
export function likePattern(term: string): string {
  return `%${foldForSearch(term).replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`)}%`;
}

/** SQL condition: the folded search column contains the term bound as `:param` (pass `likePattern(term)`). */
export function searchCondition(column: string, param = 'search'): string {
  return `${column} LIKE :${param} ESCAPE '${LIKE_ESCAPE}'`;
}
