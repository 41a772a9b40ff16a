import { buildSchema } from 'graphql';
import { enforceAuthorization } from '../src/authorization';

const schema = (roles: string) =>
  buildSchema(`
  directive @requiresRole(anyOf: [String!]!) on FIELD_DEFINITION | OBJECT
  type Query { secret: String @requiresRole(anyOf: [${roles}]) }
`);

describe('@requiresRole names', () => {
  test('must be among the roles the subgraph declares, when it declares them', () => {
    expect(() => enforceAuthorization(schema('"reader"'), ['reader', 'admin'])).not.toThrow();
    expect(() => enforceAuthorization(schema('"root"'), ['reader', 'admin'])).toThrow('@requiresRole on Query.secret: unknown role(s) ["root"]');
  });

  test('may be any non-empty name without a declared list', () => {
    expect(() => enforceAuthorization(schema('"root"'))).not.toThrow();
    expect(() => enforceAuthorization(schema('""'))).toThrow('@requiresRole on Query.secret: unknown role(s) [""]');
  });
});
