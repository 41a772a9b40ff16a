import { costIdentity, FieldDefinition, type Supergraph } from '@apollo/federation-internals';

/** The bound a subgraph declares on a list field with the demand-control directive `@listSize`. */
export interface ListSize {
  /** The size when no slicing argument has a value. */
  assumedSize?: number;
  /** Arguments (or `input.field` paths) whose value bounds the list, e.g. `first`; the largest given counts. */
  slicingArguments: string[];
  /** Child fields the size applies to instead of the field itself (a connection's `nodes` and `edges`). */
  sizedFields: string[];
}

/** `@listSize` bounds by field coordinate (`Type.field`). */
export type ListSizes = ReadonlyMap<string, ListSize>;

export const noListSizes: ListSizes = new Map();

/**
 * The `@listSize` bounds of a supergraph. Composition keeps them under the name its cost link gives
 * (`@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])` → `@listSize`, without the import
 * `@cost__listSize`); the API schema has no directives, so the gateway's cost model reads them here. A supergraph
 * without the cost link has none.
 */
export function listSizesOf(supergraph: Supergraph): ListSizes {
  const feature = supergraph.schema.coreFeatures?.getByIdentity(costIdentity);
  const directive = feature && supergraph.schema.directive(feature.directiveNameInSchema('listSize'));
  const sizes = new Map<string, ListSize>();
  for (const application of directive?.applications() ?? []) {
    const field = application.parent;
    if (!(field instanceof FieldDefinition)) continue;
    const { assumedSize, slicingArguments, sizedFields } = application.arguments() as {
      assumedSize?: number;
      slicingArguments?: string[];
      sizedFields?: string[];
    };
    sizes.set(field.coordinate, { assumedSize: assumedSize ?? undefined, slicingArguments: slicingArguments ?? [], sizedFields: sizedFields ?? [] });
  }
  return sizes;
}
