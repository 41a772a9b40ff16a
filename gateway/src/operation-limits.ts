import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  isUnionType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Logger } from 'pino';
import { ERROR_CODES } from '@partnership/service-runtime';
import type { OperationLimits } from './config';
import { noListSizes, type ListSize, type ListSizes } from './list-sizes';

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'tokens' | 'cost' | 'requestBytes';

/** An operation beyond a limit: BAD_USER_INPUT, HTTP 400, refused before any subgraph is called. */
export class OperationLimitError extends GraphQLError {
  constructor(message: string, limit: LimitName, maximum: number, actual?: number) {
    super(message, { extensions: { code: ERROR_CODES.BAD_USER_INPUT, limit, maximum, ...(actual !== undefined && { actual }), http: { status: 400 } } });
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
      onReject: [
        reportArmorRejection(
          'depth',
          limits.maxDepth,
          (found, max) => `The operation is nested ${found} levels deep; at most ${max} are allowed (fields in fragments count where the fragment is spread)`,
        ),
      ],
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
    context?.reportError(
      new OperationLimitError(actual !== undefined ? message(actual, maximum) : error.message.replace(/^Syntax Error: /, ''), limit, maximum, actual),
    );
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
          new OperationLimitError(
            `The operation selects ${keys.size} root fields; at most ${maximum} are allowed in one operation`,
            'rootFields',
            maximum,
            keys.size,
          ),
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
  if (formatted.extensions?.code !== ERROR_CODES.GRAPHQL_PARSE_FAILED) return undefined;
  const match = /Document contains more tha[nt] (\d+) tokens/.exec(formatted.message);
  if (!match) return undefined;
  const maximum = Number(match[1]);
  return {
    message: `The operation has more than ${maximum} tokens (names, punctuation and values); at most ${maximum} are allowed`,
    extensions: { code: ERROR_CODES.BAD_USER_INPUT, limit: 'tokens', maximum },
  };
}

/** Lists of unknown size (no `@listSize`, or one that gives no size) count as this many items: connections (fields with a `first` argument) and other lists. */
export const assumedConnectionPage = 20;
export const assumedListLength = 10;

/** The variables sent do not fit the operation's variable definitions (coercion failed). */
export class VariablesDoNotFit extends Error {
  constructor(readonly coercionError: GraphQLError) {
    super(coercionError.message);
  }
}

/**
 * The estimated cost of the operation `operation` of `document` with these variables: each field costs 1 plus its
 * children's cost, times the number of items it may return. That number comes from the field's `@listSize` in the
 * supergraph (`listSizes`), as in Apollo Router's demand control: the largest value of its slicing arguments (a value
 * not given counts with the argument's default), else its `assumedSize`; with `sizedFields` it applies to those
 * children (a connection's `nodes`, `edges`) instead of the field. A list without `@listSize` counts `first` when it
 * has that argument, else 20 for a connection and 10 for a list; the list inside a connection (`nodes`, `edges`) is the
 * connection's page, already counted. Values above the subgraphs' maximum count as given. Of an interface or union,
 * the most expensive type counts; a fragment counts where it is spread. Introspection costs nothing (the introspection
 * policy governs it). Throws VariablesDoNotFit for variables that do not fit the operation.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  listSizes: ListSizes = noListSizes,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) throw new VariablesDoNotFit(coerced.errors[0]);
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  return selectionSetCost({ schema, variables: coerced.coerced, fragments, listSizes, fragmentCosts: new Map() }, operation.selectionSet, root, undefined);
}

interface CostContext {
  schema: GraphQLSchema;
  variables: Record<string, unknown>;
  fragments: Map<string, FragmentDefinitionNode>;
  listSizes: ListSizes;
  /** Each fragment is costed once per kind of place it is spread in: a fragment bomb costs linear time. */
  fragmentCosts: Map<string, number>;
}

/** The children of a connection that its size applies to. */
interface SizedChildren {
  fields: string[];
  size: number;
}

function selectionSetCost(context: CostContext, selectionSet: SelectionSetNode, type: GraphQLCompositeType, sized: SizedChildren | undefined): number {
  const possibleTypes = (on: GraphQLCompositeType) => (isAbstractType(on) ? context.schema.getPossibleTypes(on) : [on]);
  const totals = new Map(possibleTypes(type).map((t) => [t.name, 0]));
  const add = (cost: number, on: GraphQLCompositeType) => {
    for (const t of possibleTypes(on)) {
      const total = totals.get(t.name);
      if (total !== undefined) totals.set(t.name, total + cost);
    }
  };
  for (const selection of selectionSet.selections) {
    if (!isIncluded(selection, context.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      add(fieldCost(context, selection, type, sized), type);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? context.schema.getType(selection.typeCondition.name.value) : type;
      if (isCompositeType(on)) add(selectionSetCost(context, selection.selectionSet, on, sized), on);
    } else {
      const fragment = context.fragments.get(selection.name.value);
      const on = fragment && context.schema.getType(fragment.typeCondition.name.value);
      if (!fragment || !isCompositeType(on)) continue;
      const key = `${fragment.name.value} ${sized ? `${sized.size} ${sized.fields.join(',')}` : ''}`;
      let cost = context.fragmentCosts.get(key);
      if (cost === undefined) {
        // A cycle (refused by validation before any cost is estimated) would count 0 rather than loop.
        context.fragmentCosts.set(key, 0);
        cost = selectionSetCost(context, fragment.selectionSet, on, sized);
        context.fragmentCosts.set(key, cost);
      }
      add(cost, on);
    }
  }
  return Math.max(0, ...totals.values());
}

function fieldCost(context: CostContext, node: FieldNode, parent: GraphQLCompositeType, sized: SizedChildren | undefined): number {
  const name = node.name.value;
  if (name.startsWith('__') || parent.name.startsWith('__') || isUnionType(parent)) return 0;
  const field = parent.getFields()[name];
  if (!field) return 0;
  // With the schema's default values for arguments not given.
  const args = getArgumentValues(field, node, context.variables);
  const declared = context.listSizes.get(`${parent.name}.${name}`);
  const size = declared && (declaredSize(declared, args) ?? (field.args.some((arg) => arg.name === 'first') ? assumedConnectionPage : assumedListLength));
  const sizesChildren = declared !== undefined && declared.sizedFields.length > 0;
  const type = getNamedType(field.type);
  const children =
    node.selectionSet && isCompositeType(type)
      ? selectionSetCost(context, node.selectionSet, type, sizesChildren ? { fields: declared.sizedFields, size: size! } : undefined)
      : 0;
  let items: number;
  if (sized?.fields.includes(name)) items = sized.size;
  else if (declared) items = sizesChildren ? 1 : size!;
  else items = undeclaredSize(field, parent, args);
  return 1 + children * items;
}

/** The largest slicing argument's value, else the assumed size; undefined when the declaration gives neither. */
function declaredSize(declared: ListSize, args: Record<string, unknown>): number | undefined {
  const values = declared.slicingArguments
    .map((path) =>
      path
        .split('.')
        .reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), args),
    )
    .filter((value): value is number => typeof value === 'number');
  return values.length > 0 ? Math.max(0, ...values) : declared.assumedSize;
}

function undeclaredSize(field: GraphQLField<unknown, unknown>, parent: GraphQLCompositeType, args: Record<string, unknown>): number {
  if (field.args.some((arg) => arg.name === 'first')) return typeof args.first === 'number' ? Math.max(args.first, 1) : assumedConnectionPage;
  if (isListType(getNullableType(field.type)) && !isConnectionType(parent)) return assumedListLength;
  return 1;
}

function isConnectionType(type: GraphQLCompositeType): boolean {
  return isObjectType(type) && 'pageInfo' in type.getFields();
}

function isIncluded(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  return (
    getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if !== false
  );
}

/**
 * Refuses operations whose estimated cost is above `maxCost`, once Apollo has parsed and validated them and before the
 * gateway plans or fetches anything. Operations whose variables do not fit are left to the gateway's own variable errors.
 * Every limit refusal is logged (at info, with the request id).
 */
export function operationLimitsPlugin(maxCost: number, listSizes: () => ListSizes): ApolloServerPlugin<{ logger: Logger }> {
  const explanation = `each field costs 1; a list multiplies its fields by its size: its slicing argument such as \`first\` or its declared @listSize, else ${assumedConnectionPage} for a connection and ${assumedListLength} for a list`;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          let cost: number;
          try {
            cost = operationCost(schema, document, operation, request.variables ?? {}, listSizes());
          } catch (error) {
            // Only variables that do not fit are left to the gateway's own (clearer) errors; anything else fails closed.
            if (error instanceof VariablesDoNotFit) return;
            throw error;
          }
          if (cost > maxCost)
            throw new OperationLimitError(`The operation's estimated cost is ${cost}; at most ${maxCost} is allowed (${explanation})`, 'cost', maxCost, cost);
        },
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const limitError =
              error instanceof OperationLimitError ? error : error.originalError instanceof OperationLimitError ? error.originalError : undefined;
            if (limitError) contextValue.logger.info({ operationName, limit: limitError.extensions.limit, reason: limitError.message }, 'operation refused');
          }
        },
      };
    },
  };
}
