import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { OperationLimitError, tooManyTokens } from './operation-limits';
import { currentRequestScope } from './request-id';

export const internalErrorMessage = 'Internal server error';

/**
 * Apollo's `formatError`: what a client may see of an error.
 * - Errors without a code, or with INTERNAL_SERVER_ERROR (the gateway's own or a subgraph's), become "Internal server
 *   error" with the request id (and the subgraph's `serviceName`); the original is logged with the same id.
 * - Operation limits are BAD_USER_INPUT (Apollo files validation-rule errors under GRAPHQL_VALIDATION_FAILED).
 * - Every other error passes unchanged: BAD_USER_INPUT, FORBIDDEN, UNAUTHENTICATED... keep message, code and serviceName.
 *   Only stack traces a subgraph may have added (`stacktrace`, `exception`) are dropped.
 */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown, fallbackLogger: Logger): GraphQLFormattedError {
  if (error instanceof GraphQLError && error.originalError instanceof OperationLimitError) {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
  }
  const tokens = tooManyTokens(formatted);
  if (tokens) return tokens;

  const code = formatted.extensions?.code;
  if (code !== undefined && code !== 'INTERNAL_SERVER_ERROR') return withoutStackTraces(formatted);
  const scope = currentRequestScope();
  const serviceName = formatted.extensions?.serviceName;
  (scope?.logger ?? fallbackLogger).error(
    { err: unwrapResolverError(error), message: formatted.message, path: formatted.path, serviceName },
    'internal error (answered as "Internal server error")',
  );
  return {
    message: internalErrorMessage,
    ...(formatted.locations && { locations: formatted.locations }),
    ...(formatted.path && { path: formatted.path }),
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      ...(scope && { requestId: scope.requestId }),
      ...(typeof serviceName === 'string' && { serviceName }),
    },
  };
}

function withoutStackTraces(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions;
  if (!extensions || !('stacktrace' in extensions || 'exception' in extensions)) return formatted;
  const { stacktrace: _stacktrace, exception: _exception, ...rest } = extensions;
  return { ...formatted, extensions: rest };
}
