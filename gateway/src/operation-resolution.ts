import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { ERROR_CODES } from '@partnership/service-runtime';

/**
 * Refuses with HTTP 400 the requests whose operation cannot run: an `operationName` the document does not define,
 * several operations and no `operationName`, a subscription, an operation type the schema has no root for. Apollo
 * Server leaves these to the gateway, whose INVALID_GRAPHQL errors carry no HTTP status, so they were answered 500.
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) throw badRequest(unresolved(document, request.operationName), ERROR_CODES.OPERATION_RESOLUTION_FAILURE);
          if (operation.operation === 'subscription')
            throw badRequest('Subscriptions are not supported: this gateway answers queries and mutations over HTTP', ERROR_CODES.BAD_REQUEST);
          if (!schema.getRootType(operation.operation))
            throw badRequest(`The schema has no ${operation.operation} type: this gateway runs no ${operation.operation} operations`, ERROR_CODES.BAD_REQUEST);
        },
      };
    },
  };
}

function unresolved(document: DocumentNode, operationName: string | undefined): string {
  const names = document.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((d) => d.name?.value)
    .filter((name): name is string => name !== undefined);
  const defined = names.length > 0 ? `the document defines ${names.map((name) => `"${name}"`).join(', ')}` : 'the document names no operation';
  if (operationName) return `Unknown operation named "${operationName}": ${defined}`;
  return `The document defines several operations: say which to run with "operationName" (${defined})`;
}

function badRequest(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}
