import { GraphQLError } from 'graphql';
import { ERROR_CODES } from '@partnership/service-runtime';

/** A client mistake: the message says what is allowed; `field` names the offending argument or input field. */
export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: field === undefined ? { code: ERROR_CODES.BAD_USER_INPUT } : { code: ERROR_CODES.BAD_USER_INPUT, field },
  });
}

/** A write based on a stale `version` of the record: re-read it and try again. */
export function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.CONFLICT } });
}

/** A service this write must consult did not answer: nothing was written. */
export function serviceUnavailable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.SERVICE_UNAVAILABLE } });
}
