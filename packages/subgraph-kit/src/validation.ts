import { badUserInput } from './errors';

export const MAX_ID_LENGTH = 64;
export const MAX_SEARCH_LENGTH = 100;

// Reference ids are readable slugs ("gustave-roussy"); records created later may use UUIDs. Both fit this pattern.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Checks an id argument before it reaches the database. */
export function validateId(id: string, field = 'id'): string {
  if (id.length === 0 || id.length > MAX_ID_LENGTH || !ID_PATTERN.test(id)) {
    throw badUserInput(`${field} must be 1–${MAX_ID_LENGTH} characters of letters, digits, "-" or "_" (a slug such as "gustave-roussy" or a UUID)`, field);
  }
  return id;
}

/** Checks an optional search string; returns undefined when there is nothing to search for. */
export function validateSearch(search: string | null | undefined, field = 'filter.search'): string | undefined {
  if (search === null || search === undefined) return undefined;
  const trimmed = search.trim();
  if (trimmed.length > MAX_SEARCH_LENGTH) {
    throw badUserInput(`${field} must be at most ${MAX_SEARCH_LENGTH} characters`, field);
  }
  return trimmed.length === 0 ? undefined : trimmed;
}

// Ids chosen for new records are lowercase: MySQL compares ids case-insensitively and SQLite does not, so
// "Gustave-Roussy" beside "gustave-roussy" would be a duplicate on one backend and not on the other.
const NEW_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The id a client chose for a new record: a lowercase slug such as "uz-fr-nursing-exchange". */
export function validateNewId(id: string, field = 'input.id'): string {
  if (id.length > MAX_ID_LENGTH || !NEW_SLUG.test(id)) {
    throw badUserInput(
      `${field} must be a lowercase slug of letters, digits and single hyphens, at most ${MAX_ID_LENGTH} characters ("uz-fr-nursing-exchange"), or omitted for a UUID`,
      field,
    );
  }
  return id;
}
