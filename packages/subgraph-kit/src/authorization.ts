import type { Caller } from '@partnership/request-signing';
import { ERROR_CODES } from '@partnership/service-runtime';
import { markAnswerPrivate } from './cache-hints';
import type { EntityLookup } from './entity-lookup';
import { defaultFieldResolver, GraphQLError, isObjectType, Kind, type ConstDirectiveNode, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';

/** What every request context carries, set by the kit from the gateway's verified signature. */
export interface RequestContext {
  /** Whom the request acts for; null for anonymous callers. */
  caller: Caller | null;
  /** The id the gateway gave the client request, for logs. */
  requestId: string;
  /** Asks other subgraphs whether referenced records exist, acting for the same caller. */
  peers: EntityLookup;
}

/** A rule always needs a signed-in caller; `anyOf` also needs one of those roles (null: any role). */
interface Rule {
  anyOf: string[] | null;
}

/**
 * Enforces the authorization directives a subgraph declares in its SDL (defined in common.graphql):
 * `@authenticated` (any signed-in partner) and `@requiresRole(anyOf: [...])` (one of those roles; admin always
 * passes), on a field or on a whole type. A refused field resolves to an error at its own path — null for a
 * nullable field — with code UNAUTHENTICATED (anonymous) or FORBIDDEN (signed in, wrong role).
 * `roles`, when given, are the only role names the directives may use (others fail at start).
 * A protected field makes the whole answer private (cache scope PRIVATE): a cache in front may keep it for this caller only.
 * The JavaScript gateway refuses Federation's own @authenticated/@requiresScopes, so the subgraph enforces them.
 */
export function enforceAuthorization(schema: GraphQLSchema, roles?: readonly string[]): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRule = ruleOf(
      [type.astNode, ...type.extensionASTNodes].flatMap((node) => node?.directives ?? []),
      type.name,
      roles,
    );
    for (const field of Object.values(type.getFields())) {
      const rule = merge(typeRule, ruleOf(field.astNode?.directives ?? [], `${type.name}.${field.name}`, roles));
      if (rule === null) continue;
      const resolve: GraphQLFieldResolver<unknown, RequestContext> = field.resolve ?? defaultFieldResolver;
      const coordinate = `${type.name}.${field.name}`;
      field.resolve = (source, args, context, info) => {
        markAnswerPrivate(context);
        refuseUnlessAllowed(rule, context.caller, coordinate);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

function refuseUnlessAllowed(rule: Rule, caller: Caller | null, coordinate: string): void {
  if (caller === null) {
    throw new GraphQLError(`${coordinate} is available to signed-in partners only: send a token`, { extensions: { code: ERROR_CODES.UNAUTHENTICATED } });
  }
  if (rule.anyOf !== null && !caller.roles.some((role) => role === 'admin' || rule.anyOf!.includes(role))) {
    throw new GraphQLError(`${coordinate} needs one of the roles ${rule.anyOf.join(', ')}`, { extensions: { code: ERROR_CODES.FORBIDDEN } });
  }
}

function ruleOf(directives: readonly ConstDirectiveNode[], where: string, known: readonly string[] | undefined): Rule | null {
  let rule: Rule | null = null;
  for (const directive of directives) {
    if (directive.name.value === 'authenticated' && rule === null) rule = { anyOf: null };
    if (directive.name.value === 'requiresRole') {
      const arg = directive.arguments?.find((a) => a.name.value === 'anyOf')?.value;
      const values = arg?.kind === Kind.LIST ? arg.values : arg ? [arg] : [];
      const roles = values.map((v) => (v.kind === Kind.STRING ? v.value : ''));
      const unknown = roles.filter((r) => r === '' || (known !== undefined && !known.includes(r)));
      if (roles.length === 0 || unknown.length > 0) throw new Error(`@requiresRole on ${where}: unknown role(s) ${JSON.stringify(unknown)}`);
      rule = { anyOf: roles };
    }
  }
  return rule;
}

// A field rule narrows its type's rule: both must pass.
function merge(typeRule: Rule | null, fieldRule: Rule | null): Rule | null {
  if (typeRule === null) return fieldRule;
  if (fieldRule === null) return typeRule;
  const anyOf = typeRule.anyOf && fieldRule.anyOf ? typeRule.anyOf.filter((r) => fieldRule.anyOf!.includes(r)) : (typeRule.anyOf ?? fieldRule.anyOf);
  return { anyOf };
}
