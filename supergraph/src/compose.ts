import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { subgraphSdlFingerprint } from '@partnership/gateway';
import { partnershipSdl, partnershipSdlPath } from '@partnership/domain';
import { ERROR_CODES, findSubgraphRegistry, packageRoot, readSubgraphRegistry } from '@partnership/service-runtime';
// The SDL reader alone: composition never loads the kit's TypeORM entities or server.
import { commonSdl, commonSdlPath, subgraphSdl } from '@partnership/subgraph-kit/sdl';
import { getLocation, GraphQLError, parse, Source, type ASTNode, type DefinitionNode, type DocumentNode, type GraphQLSchema } from 'graphql';

/** The folder of this workspace (works from `src/` and from compiled `dist/src/`). */
export const supergraphPackageDir = packageRoot(__dirname);
export const repositoryRoot = dirname(supergraphPackageDir);
/** The committed supergraph that the gateway serves by default. */
export const supergraphFile = join(supergraphPackageDir, 'supergraph.graphql');
/** Client operations the supergraph must keep serving. */
export const operationsDir = join(supergraphPackageDir, 'operations');

/**
 * The partnership's subgraphs, in composition order, with the routing URLs of a local run (`npm start`): the
 * registry (`subgraphs.json` at the repository root) in the order it lists them.
 */
export const partnershipSubgraphs: ReadonlyArray<{ name: string; dir: string; url: string }> = readSubgraphRegistry(
  findSubgraphRegistry(process.env, repositoryRoot),
).map((s) => ({ name: s.name, dir: s.folder, url: `http://localhost:${s.port}/graphql` }));

/** One region of a subgraph's SDL text that came from a file: `start` is its offset in the SDL. */
export interface SdlPart {
  file: string;
  start: number;
}

/** A subgraph to compose: its name, routing URL and full SDL text. */
export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
  /** Where the SDL text came from, to report errors as `file:line:column`; absent for SDL written inline. */
  parts?: SdlPart[];
}

/** Where a composition error or hint points in one subgraph. */
export interface ProblemLocation {
  subgraph: string;
  /** `file:line:column` (or `<subgraph> SDL:line:column` when the SDL has no file). */
  position: string;
  /** The source line, trimmed. */
  line: string;
}

/** A composition error or hint in a form people can read: what, where (subgraphs, schema coordinates), why. */
export interface CompositionProblem {
  code: string;
  message: string;
  subgraphs: string[];
  /** Types involved. */
  types: string[];
  /** Fields (or enum values, or arguments) involved, as schema coordinates: `Type.field`, `Type.field(argument:)`. */
  fields: string[];
  locations: ProblemLocation[];
}

export type CompositionOutcome =
  | { ok: true; supergraphSdl: string; hints: CompositionProblem[] }
  | { ok: false; errors: CompositionProblem[]; hints: CompositionProblem[] };

/** Reads the registered subgraphs' SDL files (each its own schema.graphql, the kit's common types, the partnership's). */
export function loadPartnershipSubgraphs(root = repositoryRoot): SubgraphSource[] {
  return partnershipSubgraphs.map(({ name, dir, url }) => {
    const subgraphDir = join(root, dir);
    const sdl = subgraphSdl(subgraphDir, [partnershipSdl()]);
    return { name, url, sdl, parts: sdlParts(root, subgraphDir, sdl) };
  });
}

// subgraphSdl() is the subgraph's schema.graphql, a newline, the kit's common.graphql, a newline, then the
// partnership's partnership.graphql. When the text has
// exactly that shape we can name the file and line of every problem; otherwise lines count in the whole SDL.
function sdlParts(root: string, subgraphDir: string, sdl: string): SdlPart[] | undefined {
  const schemaPath = join(subgraphDir, 'src', 'schema.graphql');
  const own = readFileSync(schemaPath, 'utf8');
  const common = commonSdl();
  const domain = partnershipSdl();
  if (sdl !== `${own}\n${common}\n${domain}`) return undefined;
  return [
    { file: relative(root, schemaPath), start: 0 },
    { file: relative(root, commonSdlPath()), start: own.length + 1 },
    { file: relative(root, partnershipSdlPath()), start: own.length + 1 + common.length + 1 },
  ];
}

/**
 * Composes subgraphs into a supergraph with Federation 2 composition. Never throws for bad SDL: syntax errors
 * and composition errors come back as problems naming the subgraph, type and field.
 */
export function composeSupergraph(subgraphs: SubgraphSource[]): CompositionOutcome {
  const documents = new Map<string, DocumentNode>();
  const bySourceName = new Map<string, SubgraphSource>();
  const syntaxErrors: CompositionProblem[] = [];
  for (const subgraph of subgraphs) {
    bySourceName.set(subgraph.name, subgraph);
    try {
      documents.set(subgraph.name, parse(new Source(subgraph.sdl, subgraph.name)));
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const offset = error.positions?.[0];
      syntaxErrors.push({
        code: ERROR_CODES.INVALID_GRAPHQL,
        message: error.message,
        subgraphs: [subgraph.name],
        types: [],
        fields: [],
        locations: offset === undefined ? [] : [locate(subgraph, offset)],
      });
    }
  }
  if (syntaxErrors.length > 0) return { ok: false, errors: syntaxErrors, hints: [] };

  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: documents.get(s.name)! })));
  const describe = (code: string, message: string, nodes: readonly ASTNode[] | undefined, coordinate?: string) =>
    describeProblem(code, message, nodes ?? [], coordinate, subgraphs, documents);
  const hints = (result.hints ?? []).map((hint) => describe(hint.definition.code, hint.message, hint.nodes, hint.coordinate));
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((error) => describe(String(error.extensions.code ?? ERROR_CODES.COMPOSITION_ERROR), error.message, error.nodes)),
      hints,
    };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl, hints };
}

function describeProblem(
  code: string,
  message: string,
  nodes: readonly ASTNode[],
  coordinate: string | undefined,
  subgraphs: SubgraphSource[],
  documents: Map<string, DocumentNode>,
): CompositionProblem {
  const names = new Set<string>();
  const coordinates = new Set<string>(coordinate ? [coordinate] : []);
  const locations: ProblemLocation[] = [];
  for (const node of nodes) {
    const sourceName = node.loc?.source.name;
    const subgraph = subgraphs.find((s) => s.name === ((node as { subgraph?: string }).subgraph ?? sourceName));
    if (!subgraph || !node.loc) continue;
    names.add(subgraph.name);
    const found = coordinateAt(documents.get(subgraph.name), node.loc.start);
    if (found) coordinates.add(found);
    // Point at the element's name rather than at the description above it.
    locations.push(locate(subgraph, (node as { name?: ASTNode }).name?.loc?.start ?? node.loc.start));
  }
  // Some errors carry no AST nodes; their messages still name the subgraphs ("in subgraph "x"", "[x]").
  for (const subgraph of subgraphs) {
    const quoted = new RegExp(`(subgraphs? [^.:]*"${escapeRegExp(subgraph.name)}"|\\[${escapeRegExp(subgraph.name)}\\])`);
    if (quoted.test(message)) names.add(subgraph.name);
  }
  if (coordinates.size === 0) {
    for (const match of message.matchAll(/"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\([A-Za-z_][A-Za-z0-9_]*:\))?)?)"/g)) {
      const candidate = match[1];
      const typeName = candidate.split('.')[0];
      if ([...documents.values()].some((doc) => doc.definitions.some((d) => 'name' in d && d.name?.value === typeName))) {
        coordinates.add(candidate);
      }
    }
  }
  const all = [...coordinates];
  const types = [...new Set(all.map((c) => c.split('.')[0]))];
  return { code, message, subgraphs: [...names].sort(), types, fields: all.filter((c) => c.includes('.')), locations };
}

/** The schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) of the definition at an offset. */
function coordinateAt(document: DocumentNode | undefined, offset: number): string | undefined {
  if (!document) return undefined;
  const within = (node: { loc?: { start: number; end: number } }) => node.loc !== undefined && node.loc.start <= offset && offset < node.loc.end;
  const definition = document.definitions.find(within) as DefinitionNode | undefined;
  if (!definition || !('name' in definition) || !definition.name) return undefined;
  const typeName = definition.name.value;
  const members = 'fields' in definition && definition.fields ? definition.fields : 'values' in definition && definition.values ? definition.values : [];
  for (const member of members) {
    if (!within(member)) continue;
    const argument = 'arguments' in member ? member.arguments?.find(within) : undefined;
    return argument ? `${typeName}.${member.name.value}(${argument.name.value}:)` : `${typeName}.${member.name.value}`;
  }
  return typeName;
}

function locate(subgraph: SubgraphSource, offset: number): ProblemLocation {
  const part = [...(subgraph.parts ?? [])].reverse().find((p) => p.start <= offset);
  const text = part ? subgraph.sdl.slice(part.start) : subgraph.sdl;
  const { line, column } = getLocation(new Source(text), offset - (part?.start ?? 0));
  const file = part?.file ?? `${subgraph.name} SDL`;
  return { subgraph: subgraph.name, position: `${file}:${line}:${column}`, line: (text.split('\n')[line - 1] ?? '').trim() };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A problem as a few lines of text: code, subgraphs and coordinates first, then the message and each location. */
export function formatProblem(problem: CompositionProblem, severity: 'error' | 'warning'): string {
  const plural = (word: string, items: string[]) => `${word}${items.length > 1 ? 's' : ''}: ${items.join(', ')}`;
  const where = [
    problem.subgraphs.length > 0 ? plural('subgraph', problem.subgraphs) : undefined,
    problem.types.length > 0 ? plural('type', problem.types) : undefined,
    problem.fields.length > 0 ? plural('field', problem.fields) : undefined,
  ].filter(Boolean);
  const lines = [`${severity} ${problem.code}${where.length > 0 ? ` (${where.join('; ')})` : ''}`, `  ${problem.message.replace(/\n/g, '\n  ')}`];
  for (const location of problem.locations) lines.push(`    at ${location.subgraph}: ${location.position}  ${location.line}`);
  return lines.join('\n');
}

/**
 * The text of the supergraph file for a composed SDL (ends with one newline). Given the subgraphs it was composed
 * from, it starts with comment lines `# subgraph-sdl: <name> sha256:<hex>`: the gateway switches to a new file only
 * once every subgraph serves that schema (safe rollout). Comments keep the file a valid supergraph for any gateway.
 */
export function supergraphFileText(supergraphSdl: string, subgraphs: ReadonlyArray<{ name: string; sdl: string }> = []): string {
  const header = subgraphs.map((s) => `# subgraph-sdl: ${s.name} ${subgraphSdlFingerprint(s.sdl)}\n`).join('');
  const intro =
    header === ''
      ? ''
      : `# Composed by \`npm run compose\`. Safe rollout: the gateway switches to this file once each subgraph below serves (\`_service { sdl }\`) the SDL it was composed from.\n${header}`;
  return `${intro}${supergraphSdl.trimEnd()}\n`;
}

/** The schema clients see (federation directives and join types removed) of a supergraph. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl, { validateSupergraph: true }).apiSchema().toGraphQLJSSchema();
}
