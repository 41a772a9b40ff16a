import { GraphQLError } from 'graphql';

/** A client mistake: the message says what is allowed; `field` names the offending argument or input field. */
export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: field === undefined ? { code: 'BAD_USER_INPUT' } : { code: 'BAD_USER_INPUT', field },
  });
}
