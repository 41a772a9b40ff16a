import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { ERROR_CODES } from '@partnership/service-runtime';
import { sendGatewayError } from './error-masking';
import { requestScopeOf } from './request-id';

/**
 * Trusted documents (persisted operations): the operations known front-ends send, listed in manifests of Apollo's
 * persisted query manifest format. `supergraph/trusted-documents.json` is built by `npm run compose` from
 * supergraph/operations; front-ends add their own manifests (TRUSTED_DOCUMENTS_MANIFESTS).
 */

/** `off`: any operation; `allow`: any operation, and a trusted document may be sent by id alone; `only`: trusted documents alone. */
export type TrustedDocumentsMode = 'off' | 'allow' | 'only';
export const trustedDocumentsModes: readonly TrustedDocumentsMode[] = ['off', 'allow', 'only'];

export interface TrustedDocumentsSettings {
  mode: TrustedDocumentsMode;
  /** The manifest files, merged; read at start (only when the mode is not `off`). */
  manifests: string[];
}

export type OperationType = 'query' | 'mutation' | 'subscription';

/** One operation of a manifest: `id` is the sha256 (lowercase hex) of `body`, the exact text clients send. */
export interface TrustedDocument {
  id: string;
  name: string;
  type: OperationType;
  body: string;
}

/** Apollo's persisted query manifest (what `@apollo/generate-persisted-query-manifest` writes). */
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: TrustedDocument[];
}

/** The trusted documents of every manifest, by id (which is also the sha256 of the body). */
export interface TrustedDocuments {
  mode: Exclude<TrustedDocumentsMode, 'off'>;
  byId: ReadonlyMap<string, TrustedDocument>;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A manifest of these operations, sorted by name then id so that rebuilding it gives the same file. */
export function persistedQueryManifest(operations: Array<Omit<TrustedDocument, 'id'>>): PersistedQueryManifest {
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: operations
      .map(({ name, type, body }) => ({ id: sha256Hex(body), name, type, body }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
  };
}

/**
 * Reads and checks the manifests of the settings; undefined when the mode is `off`. Throws a message naming the file and
 * the entry when one cannot be used: unreadable, not JSON, not the format, an entry whose id is not the sha256 of its
 * body. (Once every id is its body's hash, two entries with one id have one body: duplicates across files are harmless.)
 */
export function loadTrustedDocuments(settings: TrustedDocumentsSettings | undefined): TrustedDocuments | undefined {
  if (!settings || settings.mode === 'off') return undefined;
  const byId = new Map<string, TrustedDocument>();
  for (const file of settings.manifests) {
    for (const document of readManifest(file)) byId.set(document.id, document);
  }
  return { mode: settings.mode, byId };
}

function readManifest(file: string): TrustedDocument[] {
  const fail = (reason: string): never => {
    throw new Error(`trusted documents manifest ${file}: ${reason}`);
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cannot be read (${(error as Error).message})`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    fail(`is not valid JSON (${(error as Error).message})`);
  }
  const { format, version, operations } = (manifest ?? {}) as Partial<Record<keyof PersistedQueryManifest, unknown>>;
  if (format !== 'apollo-persisted-query-manifest' || version !== 1 || !Array.isArray(operations)) {
    fail('is not a persisted query manifest: expected {"format":"apollo-persisted-query-manifest","version":1,"operations":[...]}');
  }
  return (operations as unknown[]).map((entry, index) => {
    const { id, name, type, body } = (entry ?? {}) as Partial<Record<keyof TrustedDocument, unknown>>;
    const which = `operation ${index}${typeof name === 'string' ? ` ("${name}")` : ''}`;
    if (typeof body !== 'string' || body === '') fail(`${which} has no body`);
    if (typeof id !== 'string') fail(`${which} has no id`);
    const expected = sha256Hex(body as string);
    if (id !== expected) fail(`${which}: id ${id} is not the sha256 of its body (${expected})`);
    if (typeof name !== 'string') fail(`${which} has no name`);
    if (type !== 'query' && type !== 'mutation' && type !== 'subscription') fail(`${which}: type must be query, mutation or subscription`);
    return { id, name, type, body } as TrustedDocument;
  });
}

export const untrustedOperationMessage = 'Only trusted operations are accepted here: this operation is not in the trusted documents manifest';

/**
 * Under `only`, refuses (HTTP 400, OPERATION_NOT_TRUSTED) every request that is not a trusted document: sent by id
 * (`extensions.persistedQuery.sha256Hash` without `query`) or as a `query` whose sha256 is a manifest's id. Runs
 * before Apollo Server parses anything, with at most one sha256 of the query. Requests Apollo refuses anyway (no
 * query and no id, a query that is not a string) are left to it. Other modes: passes everything on.
 */
export function refuseUntrustedOperations(trusted: TrustedDocuments | undefined): RequestHandler {
  if (trusted?.mode !== 'only') return (_req, _res, next) => next();
  return (req, res, next) => {
    const { query, sha256Hash } = req.method === 'GET' ? fromSearch(req.url) : fromBody(req.body);
    const id = typeof query === 'string' ? sha256Hex(query) : query == null && typeof sha256Hash === 'string' ? sha256Hash : undefined;
    if (id === undefined || trusted.byId.has(id)) return next();
    requestScopeOf(res).logger.info({ id }, 'untrusted operation refused');
    sendGatewayError(res, 400, untrustedOperationMessage, { code: ERROR_CODES.OPERATION_NOT_TRUSTED });
  };
}

interface SentOperation {
  query: unknown;
  sha256Hash: unknown;
}

function fromBody(body: unknown): SentOperation {
  const { query, extensions } = (body !== null && typeof body === 'object' ? body : {}) as { query?: unknown; extensions?: unknown };
  return { query, sha256Hash: persistedQueryHash(extensions) };
}

// As Apollo Server reads a GET request: the `query` parameter, and `extensions` as JSON.
function fromSearch(url: string): SentOperation {
  const search = new URLSearchParams(url.slice(url.indexOf('?') + 1 || url.length));
  let extensions: unknown;
  try {
    extensions = JSON.parse(search.get('extensions') ?? 'null');
  } catch {
    // Apollo Server refuses it: "The extensions search parameter contains invalid JSON."
  }
  return { query: search.get('query'), sha256Hash: persistedQueryHash(extensions) };
}

function persistedQueryHash(extensions: unknown): unknown {
  return (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery?.sha256Hash;
}

/**
 * Under `allow` and `only`, a request that sends a trusted document's id without its `query` is given the manifest's
 * body, before Apollo Server looks for the id in its persisted query cache (`requestDidStart` runs first); the
 * `persistedQuery` extension is then dropped, so the cache is neither read nor written for it. Other ids go on to
 * Apollo's automatic persisted queries (refused before under `only`).
 */
export function trustedDocumentsPlugin(trusted: TrustedDocuments | undefined): ApolloServerPlugin {
  if (!trusted) return {};
  return {
    async requestDidStart({ request }) {
      const persistedQuery = request.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
      if (request.query !== undefined || persistedQuery?.version !== 1 || typeof persistedQuery.sha256Hash !== 'string') return;
      const document = trusted.byId.get(persistedQuery.sha256Hash);
      if (!document) return;
      request.query = document.body;
      const { persistedQuery: _served, ...extensions } = request.extensions ?? {};
      request.extensions = extensions;
    },
  };
}
