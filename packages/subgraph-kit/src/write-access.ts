import type { Caller } from '@partnership/request-signing';
import { GraphQLError } from 'graphql';
import { ERROR_CODES } from '@partnership/service-runtime';

export type { Caller, CallerVocabulary } from '@partnership/request-signing';

/**
 * Refuses, before any lookup, callers who could never write: anonymous (UNAUTHENTICATED) and signed-in callers
 * with neither the editor nor the admin role (FORBIDDEN). Which partner's editor may write is `requireWriter`'s.
 */
export function requireEditorRole(caller: Caller | null, what: string): Caller {
  if (caller === null) {
    throw new GraphQLError(`Sign in to change ${what}: send a token of an editor or an admin`, { extensions: { code: ERROR_CODES.UNAUTHENTICATED } });
  }
  if (!caller.roles.includes('editor') && !caller.roles.includes('admin')) {
    throw new GraphQLError(`Changing ${what} needs the editor role of the owning partner, or admin (you have ${caller.roles.join(', ')})`, {
      extensions: { code: ERROR_CODES.FORBIDDEN },
    });
  }
  return caller;
}

/**
 * Who may write a record: an editor of a partner that owns it (`owners`: partner codes, as the domain derives
 * them from the record), or an admin. Returns the caller when allowed;
 * otherwise throws UNAUTHENTICATED (anonymous) or FORBIDDEN, naming the owners.
 */
export function requireWriter(caller: Caller | null, owners: readonly string[], what: string): Caller {
  if (caller === null) {
    throw new GraphQLError(`Sign in to change ${what}: send a token of an editor of ${describeOwners(owners)}`, {
      extensions: { code: ERROR_CODES.UNAUTHENTICATED },
    });
  }
  if (caller.roles.includes('admin')) return caller;
  if (caller.roles.includes('editor') && owners.includes(caller.partner)) return caller;
  throw new GraphQLError(`${what} belongs to ${describeOwners(owners)}: only its editors or an admin may change it`, {
    extensions: { code: ERROR_CODES.FORBIDDEN },
  });
}

/** Whether a database error is a duplicate primary or unique key (MySQL ER_DUP_ENTRY, SQLite UNIQUE/PRIMARY KEY). */
export function isUniqueViolation(err: unknown): boolean {
  const driverError = (err as { driverError?: { errno?: number; code?: string } } | null)?.driverError;
  return driverError?.errno === 1062 || driverError?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function describeOwners(owners: readonly string[]): string {
  return owners.length === 0 ? 'no partner (admins only)' : [...new Set(owners)].join(', ');
}
