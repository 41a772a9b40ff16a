import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Logger } from 'pino';
import type { OperationLimits } from './config';

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'tokens' | 'cost' | 'requestBytes';

/** An operation beyond a limit: BAD_USER_INPUT, HTTP 400, refused before any subgraph is called. */
export class OperationLimitError extends GraphQLError {
  constructor(message: string, limit: LimitName, maximum: number, actual?: number) {
    super(message, { extensions: { code: 'BAD_USER_INPUT', limit, maximum, ...(actual !== undefined && { actual }), http: { status: 400 } } });
  }
}

/**
 * Validation rules for depth and aliases (graphql-armor, through fragments, cycles safe) and root fields. Apollo runs
 * them with graphql's own rules (NoFragmentCycles refuses fragment cycles), before anything is planned or fetched.
 */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  const armor = new ApolloArmor({
    maxDepth: {
      n: limits.maxDepth,
      // Fragments are transparent: a field counts at the depth where its fragment is spread, as if written out there.
      flattenFragments: true,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [reportArmorRejection('depth', limits.maxDepth, (found, max) => `The operation is nested ${found} levels deep; at most ${max} are allowed (fields in fragments count where the fragment is spread)`)],
    },
    maxAliases: {
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [reportArmorRejection('aliases', limits.maxAliases, (found, max) => `The operation uses ${found} aliases; at most ${max} are allowed`)],
    },
    // Tokens are limited by the parser (parseOptions), cost by `costLimitPlugin`; suggestions by the introspection policy.
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    maxDirectives: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  return [...armor.protect().validationRules, maxRootFieldsRule(limits.maxRootFields)];
}

// graphql-armor says "Syntax Error: Query depth limit of 15 exceeded, found 50."; clients get plain words and the numbers.
function reportArmorRejection(limit: LimitName, maximum: number, message: (found: number, max: number) => string) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const found = /exceeded, found (\d+)/.exec(error.message);
    const actual = found ? Number(found[1]) : undefined;
    context?.reportError(new OperationLimitError(actual !== undefined ? message(actual, maximum) : error.message.replace(/^Syntax Error: /, ''), limit, maximum, actual));
  };
}

/** At most `maximum` distinct root fields per operation (through fragments; `__typename` and repeated keys count once). */
export function maxRootFieldsRule(maximum: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const keys = new Set<string>();
      const visited = new Set<string>();
      const collect = (selectionSet: SelectionSetNode) => {
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.FIELD) {
            if (selection.name.value !== '__typename') keys.add(selection.alias?.value ?? selection.name.value);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            collect(selection.selectionSet);
          } else if (!visited.has(selection.name.value)) {
            visited.add(selection.name.value);
            const fragment = context.getFragment(selection.name.value);
            if (fragment) collect(fragment.selectionSet);
          }
        }
      };
      collect(operation.selectionSet);
      if (keys.size > maximum) {
        context.reportError(
          new OperationLimitError(`The operation selects ${keys.size} root fields; at most ${maximum} are allowed in one operation`, 'rootFields', maximum, keys.size),
        );
      }
    },
  });
}

/** Apollo's parse options: graphql's parser stops after `maxTokens` tokens. */
export function parseOptionsFor(limits: OperationLimits): { maxTokens: number } {
  return { maxTokens: limits.maxTokens };
}

/** The parser's "Document contains more than N tokens" syntax error, as the BAD_USER_INPUT limit error clients get. */
export function tooManyTokens(formatted: GraphQLFormattedError): GraphQLFormattedError | undefined {
  if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED') return undefined;
  const match = /Document contains more tha[nt] (\d+) tokens/.exec(formatted.message);
  if (!match) return undefined;
  const maximum = Number(match[1]);
  return {
    message: `The operation has more than ${maximum} tokens (names, punctuation and values); at most ${maximum} are allowed`,
    extensions: { code: 'BAD_USER_INPUT', limit: 'tokens', maximum },
  };
}

/** Lists without `first` are counted as this many items: connections (fields with a `first` argument) and other lists. */
export const assumedConnectionPage = 20;
export const assumedListLength = 10;

/**
 * The cost of one field: 1 plus its children's cost, times the number of items it may return when it is a list or a
 * connection (`first` when given, else 20 for a connection and 10 for a list). The list inside a connection (`nodes`,
 * `edges`) is the connection's page, already counted. Introspection costs nothing (the introspection policy governs it).
 */
export const fieldCostEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (type.name.startsWith('__') || field.name.startsWith('__')) return 0;
  const isConnection = field.args.some((arg) => arg.name === 'first');
  const isList = isListType(getNullableType(field.type));
  let items = 1;
  if (isConnection) items = typeof args.first === 'number' ? Math.max(args.first, 1) : assumedConnectionPage;
  else if (isList && !isConnectionType(type)) items = assumedListLength;
  return 1 + childComplexity * items;
};

function isConnectionType(type: { name: string }): boolean {
  return isObjectType(type) && 'pageInfo' in type.getFields();
}

/** The estimated cost of the operation `operation` of `document` with these variables. Throws for invalid variables. */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  return getComplexity({ schema, query: { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }, variables, estimators: [fieldCostEstimator] });
}

const tooManyNodes = /maximum allowed number of nodes/;

/**
 * Refuses operations whose estimated cost is above `maxCost`, once Apollo has parsed and validated them and before the
 * gateway plans or fetches anything. Operations whose variables do not fit are left to the gateway's own variable errors.
 * Every limit refusal is logged (at info, with the request id).
 */
export function operationLimitsPlugin(maxCost: number): ApolloServerPlugin<{ logger: Logger }> {
  const explanation = `each field costs 1; a list multiplies its fields by \`first\`, else by ${assumedConnectionPage} for a connection and ${assumedListLength} for a list`;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          let cost: number;
          try {
            cost = operationCost(schema, document, operation, request.variables ?? {});
          } catch (error) {
            if (error instanceof GraphQLError && tooManyNodes.test(error.message)) {
              throw new OperationLimitError(`The operation expands to too many fields to estimate its cost (fragments count each time they are spread); at most ${maxCost} is allowed`, 'cost', maxCost);
            }
            if (error instanceof GraphQLError) return;
            throw error;
          }
          if (cost > maxCost) throw new OperationLimitError(`The operation's estimated cost is ${cost}; at most ${maxCost} is allowed (${explanation})`, 'cost', maxCost, cost);
        },
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const limitError = error instanceof OperationLimitError ? error : error.originalError instanceof OperationLimitError ? error.originalError : undefined;
            if (limitError) contextValue.logger.info({ operationName, limit: limitError.extensions.limit, reason: limitError.message }, 'operation refused');
          }
        },
      };
    },
  };
}
