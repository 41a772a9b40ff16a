import type { Caller, Partner } from '@partnership/request-signing';
import { GraphQLError } from 'graphql';

/**
 * Who may write a record: an editor of a partner that owns it, or an admin. Returns the caller when allowed;
 * otherwise throws UNAUTHENTICATED (anonymous) or FORBIDDEN, naming the owners.
 */
export function requireWriter(caller: Caller | null, owners: readonly Partner[], what: string): Caller {
  if (caller === null) {
    throw new GraphQLError(`Sign in to change ${what}: send a token of an editor of ${describeOwners(owners)}`, { extensions: { code: 'UNAUTHENTICATED' } });
  }
  if (caller.roles.includes('admin')) return caller;
  if (caller.roles.includes('editor') && owners.includes(caller.partner)) return caller;
  throw new GraphQLError(`${what} belongs to ${describeOwners(owners)}: only its editors or an admin may change it`, { extensions: { code: 'FORBIDDEN' } });
}

function describeOwners(owners: readonly Partner[]): string {
  return owners.length === 0 ? 'no partner (admins only)' : [...new Set(owners)].join(', ');
}
