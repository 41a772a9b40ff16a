import type { ApolloServerPlugin } from '@apollo/server';

// The requests that read a field behind @authenticated or @requiresRole, by their context object.
const privateAnswers = new WeakSet<object>();

/** Marks the request of this context: its answer depends on who asked (called by the authorization checks). */
export function markAnswerPrivate(context: object): void {
  privateAnswers.add(context);
}

/**
 * The subgraph's freshness hint for the gateway's response cache, as a Cache-Control header on every answer: a query
 * answered without errors may be kept `maxAgeSeconds` (`private` when it read a protected field, else `public`);
 * mutations, answers with errors and `maxAgeSeconds` 0 say `no-store`. The gateway keeps a whole answer for the
 * shortest age among the subgraphs it asked.
 * Apollo's cache-control plugin would give per-field hints, but by wrapping every resolver of every request: 5% of the
 * subgraph's CPU under load, for one age per answer that every field here shares.
 */
export function cacheHintsPlugin(maxAgeSeconds: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, operation, contextValue }) {
          const body = response.body;
          const answered = body.kind === 'single' && body.singleResult.errors === undefined;
          const keepable = maxAgeSeconds > 0 && operation?.operation === 'query' && answered;
          response.http.headers.set(
            'cache-control',
            keepable ? `max-age=${maxAgeSeconds}, ${privateAnswers.has(contextValue) ? 'private' : 'public'}` : 'no-store',
          );
        },
      };
    },
  };
}
