/**
 * Every error code this system puts into `extensions.code` (of a GraphQL error or of an HTTP error body), or reports
 * from composition, in one place: code, meaning, and the HTTP status it implies where it implies one. Code uses
 * `ERROR_CODES.X` rather than the string, so a code is spelled once; the strings themselves are the wire format
 * clients rely on and never change. Some codes are Apollo's own (Apollo Server, @apollo/gateway, composition): they
 * are listed so the gateway can recognise them by name, and so the table in the README is complete.
 */
export const ERROR_CODES = {
  /** The HTTP request could not be read: body not JSON, unreadable body, a subscription, an operation type the schema lacks. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** Refused as a possible cross-site request: a POST without `content-type: application/json`, a GET without `apollo-require-preflight`. */
  PREFLIGHT_HEADER_REQUIRED: 'PREFLIGHT_HEADER_REQUIRED',
  /** The operation or its arguments were refused: invalid input, or an operation limit (depth, aliases, cost, tokens...) exceeded. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** No valid credential: no token or a bad one at the gateway, or a request to a subgraph not signed by the gateway. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Signed in, but not allowed: the role or ownership the field or write needs is missing. */
  FORBIDDEN: 'FORBIDDEN',
  /** No such HTTP path (GraphQL is served at /graphql). */
  NOT_FOUND: 'NOT_FOUND',
  /** A subgraph accepts only POST requests signed by the gateway. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** A write based on a stale `version` of the record, or one that clashes with an existing record: re-read and retry. */
  CONFLICT: 'CONFLICT',
  /** The request body is larger than the service accepts. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** Too many requests from this caller: retry after `retryAfterSeconds`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** An unexpected failure; the message is masked, the details are in the service's log under the request id. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A service this write must consult did not answer: nothing was written. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** A database statement ran longer than the statement timeout and was stopped. */
  TIMEOUT: 'TIMEOUT',
  /** The work was stopped because its request was abandoned (client gone, or the request ran past its time limit). */
  REQUEST_ABANDONED: 'REQUEST_ABANDONED',
  /** @apollo/gateway: a subgraph could not be reached or answered with an HTTP error; `serviceName` names it. */
  SUBREQUEST_HTTP_ERROR: 'SUBREQUEST_HTTP_ERROR',
  /** @apollo/gateway: a subgraph's error that came without a code (masked by the gateway like an internal error). */
  DOWNSTREAM_SERVICE_ERROR: 'DOWNSTREAM_SERVICE_ERROR',
  /** Apollo Server: the query text is not valid GraphQL syntax. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** Apollo Server: the document has no operation of the requested `operationName` (or several and no name). */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /** The gateway accepts trusted documents only (TRUSTED_DOCUMENTS=only) and this operation is not in its manifests. */
  OPERATION_NOT_TRUSTED: 'OPERATION_NOT_TRUSTED',
  /** Apollo Server: automatic persisted queries: the hash is unknown; send the query with its hash once to register it. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Composition (`npm run compose`): a subgraph's SDL is not valid GraphQL syntax. */
  INVALID_GRAPHQL: 'INVALID_GRAPHQL',
  /** Composition (`npm run compose`): a composition error that came without a code of its own. */
  COMPOSITION_ERROR: 'COMPOSITION_ERROR',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** What each code means, and the HTTP status it implies where it implies one (most GraphQL errors travel in a 200). */
export const ERROR_CODE_INFO: Readonly<Record<ErrorCode, { meaning: string; httpStatus?: number }>> = {
  BAD_REQUEST: { meaning: 'The HTTP request could not be read (not JSON, unreadable, a subscription, no such operation type)', httpStatus: 400 },
  PREFLIGHT_HEADER_REQUIRED: {
    meaning: 'Refused as a possible cross-site request: send content-type: application/json (POST) or apollo-require-preflight: true (GET)',
    httpStatus: 400,
  },
  BAD_USER_INPUT: { meaning: 'The operation or its arguments were refused: invalid input, or an operation limit exceeded', httpStatus: 400 },
  UNAUTHENTICATED: { meaning: 'No valid token (gateway), or a request not signed by the gateway (subgraph)', httpStatus: 401 },
  FORBIDDEN: { meaning: 'Signed in, but without the role or ownership this needs', httpStatus: 403 },
  NOT_FOUND: { meaning: 'No such HTTP path: GraphQL is served at /graphql', httpStatus: 404 },
  METHOD_NOT_ALLOWED: { meaning: 'A subgraph accepts only POST requests signed by the gateway', httpStatus: 405 },
  CONFLICT: { meaning: 'A write based on a stale version of the record: re-read it and retry' },
  PAYLOAD_TOO_LARGE: { meaning: 'The request body is larger than the service accepts', httpStatus: 413 },
  RATE_LIMITED: { meaning: 'Too many requests from this caller: retry after retryAfterSeconds', httpStatus: 429 },
  INTERNAL_SERVER_ERROR: { meaning: 'An unexpected failure; details are in the log under the request id', httpStatus: 500 },
  SERVICE_UNAVAILABLE: { meaning: 'A service this write must consult did not answer: nothing was written' },
  TIMEOUT: { meaning: 'A database statement ran longer than the statement timeout and was stopped' },
  REQUEST_ABANDONED: { meaning: 'The work was stopped because its request was abandoned or ran past its time limit' },
  SUBREQUEST_HTTP_ERROR: { meaning: '(@apollo/gateway) a subgraph could not be reached or answered with an HTTP error' },
  DOWNSTREAM_SERVICE_ERROR: { meaning: '(@apollo/gateway) a subgraph error without a code; masked like an internal error' },
  GRAPHQL_PARSE_FAILED: { meaning: '(Apollo Server) the query is not valid GraphQL syntax', httpStatus: 400 },
  OPERATION_RESOLUTION_FAILURE: { meaning: '(Apollo Server) no operation of the requested operationName', httpStatus: 400 },
  OPERATION_NOT_TRUSTED: { meaning: 'Only trusted documents are accepted (TRUSTED_DOCUMENTS=only): this operation is not one', httpStatus: 400 },
  PERSISTED_QUERY_NOT_FOUND: { meaning: '(Apollo Server) unknown persisted query hash: send the query with the hash to register it', httpStatus: 200 },
  INVALID_GRAPHQL: { meaning: '(composition) a subgraph SDL is not valid GraphQL syntax' },
  COMPOSITION_ERROR: { meaning: '(composition) a composition error without a code of its own' },
};
