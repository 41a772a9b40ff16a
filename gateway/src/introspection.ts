import type { ApolloServerPlugin } from '@apollo/server';
import type { Caller } from '@partnership/request-signing';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ERROR_CODES } from '@partnership/service-runtime';
import { authenticationError } from './authentication';
import type { IntrospectionPolicy } from './config';

/** Whether this caller may introspect the schema under the policy. */
export function mayIntrospect(policy: IntrospectionPolicy, caller: Caller | null): boolean {
  if (typeof policy === 'boolean') return policy;
  return caller?.roles.some((role) => (policy as readonly string[]).includes(role)) ?? false;
}

/** Whether the operation asks for `__schema` or `__type` (root fields only, fragments included). */
export function usesIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const visited = new Set<string>();
  const asks = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === '__schema' || selection.name.value === '__type';
      if (selection.kind === Kind.INLINE_FRAGMENT) return asks(selection.selectionSet);
      if (visited.has(selection.name.value)) return false;
      visited.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      return fragment !== undefined && asks(fragment.selectionSet);
    });
  return asks(operation.selectionSet);
}

/**
 * The INTROSPECTION policy, per request (the caller is known only then): true lets everyone introspect; false no one
 * (FORBIDDEN); a list of roles lets callers with one of them, refuses anonymous callers (UNAUTHENTICATED) and others
 * (FORBIDDEN). Callers who may not introspect also get validation messages without "Did you mean ...?" suggestions,
 * which would otherwise reveal field names bit by bit.
 */
export function introspectionPolicyPlugin(policy: IntrospectionPolicy): ApolloServerPlugin<{ caller: Caller | null }> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          if (policy === true || !operation || !usesIntrospection(document, operation)) return;
          if (policy === false) throw forbidden('Introspection is disabled on this gateway');
          if (contextValue.caller === null) {
            throw authenticationError(`Introspection needs a token with one of the roles ${policy.join(', ')}`, { tokenGiven: false });
          }
          if (!mayIntrospect(policy, contextValue.caller)) throw forbidden(`Introspection needs one of the roles ${policy.join(', ')}`);
        },
        async didEncounterErrors({ errors, contextValue }) {
          if (mayIntrospect(policy, contextValue.caller)) return;
          for (const error of errors) error.message = error.message.replace(/ ?Did you mean .+\?/g, '');
        },
      };
    },
  };
}

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.FORBIDDEN, http: { status: 403 } } });
}
