import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, withTraceId } from '@partnership/service-runtime';
import { OperationLimitError, tooManyTokens } from './operation-limits';
import { currentRequestScope } from './request-id';

export const internalErrorMessage = 'Internal server error';

/**
 * Answers a request refused before GraphQL runs (a body that is not JSON, a missing preflight header, an untrusted
 * operation, an unknown path...) with a GraphQL-shaped error, carrying the trace id as every error does.
 */
export function sendGatewayError(res: Response, status: number, message: string, extensions: Record<string, unknown>): void {
  res.status(status).json({ errors: [withTraceId({ message, extensions })] });
}

/**
 * Apollo's `formatError`: what a client may see of an error.
 * - Errors without a code, or with INTERNAL_SERVER_ERROR (the gateway's own or a subgraph's), or DOWNSTREAM_SERVICE_ERROR
 *   (what @apollo/gateway calls a subgraph's error that came without a code: its message may be anything, addresses
 *   included), become "Internal server error" with the request id (and the subgraph's `serviceName`); the original is
 *   logged with the same id.
 * - Operation limits are BAD_USER_INPUT (Apollo files validation-rule errors under GRAPHQL_VALIDATION_FAILED).
 * - Apollo Server's own refusals that carry a 4xx status but no code (a persisted query's unsupported version or
 *   mismatched hash) are the client's mistake: BAD_REQUEST with their message.
 * - Every other error passes unchanged: BAD_USER_INPUT, FORBIDDEN, UNAUTHENTICATED... keep message, code and serviceName.
 *   Only stack traces a subgraph may have added (`stacktrace`, `exception`) are dropped.
 * - When the request is traced, every error carries the trace id (`traceId`).
 */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown, fallbackLogger: Logger): GraphQLFormattedError {
  return withTraceId(maskGatewayError(formatted, error, fallbackLogger));
}

function maskGatewayError(formatted: GraphQLFormattedError, error: unknown, fallbackLogger: Logger): GraphQLFormattedError {
  if (error instanceof GraphQLError && error.originalError instanceof OperationLimitError) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ERROR_CODES.BAD_USER_INPUT } };
  }
  const tokens = tooManyTokens(formatted);
  if (tokens) return tokens;

  if (error instanceof GraphQLError && error.extensions.code === undefined && isClientStatus(error.extensions.http)) {
    return { message: formatted.message, extensions: { code: ERROR_CODES.BAD_REQUEST } };
  }

  const code = formatted.extensions?.code;
  if (code !== undefined && code !== ERROR_CODES.INTERNAL_SERVER_ERROR && code !== ERROR_CODES.DOWNSTREAM_SERVICE_ERROR) return withoutStackTraces(formatted);
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
      code: ERROR_CODES.INTERNAL_SERVER_ERROR,
      ...(scope && { requestId: scope.requestId }),
      ...(typeof serviceName === 'string' && { serviceName }),
    },
  };
}

function isClientStatus(http: unknown): boolean {
  const status = (http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function withoutStackTraces(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions;
  if (!extensions || !('stacktrace' in extensions || 'exception' in extensions)) return formatted;
  const { stacktrace: _stacktrace, exception: _exception, ...rest } = extensions;
  return { ...formatted, extensions: rest };
}
