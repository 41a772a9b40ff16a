import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { type Request, type Router } from 'express';
import { parse, print, validate, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { PARTNERS, ROLES } from '@partnership/domain';
import { defaultExamplesDir, gatewayPackageDir, type ExplorerOidcConfig } from './config';
import { developmentTokenPath } from './dev-sign-in';

/**
 * The browser explorer: GraphiQL's browser bundle with the React and ReactDOM UMD builds, all served by the
 * gateway from its own npm packages, so it works with no internet access. Nothing on the page comes from
 * another origin, and the Content-Security-Policy tells the browser to refuse anything that would.
 */
export const explorerAssetsPath = '/explorer';

const assets: Record<string, { file: string; type: string }> = {
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript; charset=utf-8' },
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'flatten.js': { file: join(gatewayPackageDir, 'explorer', 'flatten.js'), type: 'text/javascript; charset=utf-8' },
  'explorer.js': { file: join(gatewayPackageDir, 'explorer', 'explorer.js'), type: 'text/javascript; charset=utf-8' },
  'explorer.css': { file: join(gatewayPackageDir, 'explorer', 'explorer.css'), type: 'text/css; charset=utf-8' },
  'sign-in.js': { file: join(gatewayPackageDir, 'explorer', 'sign-in.js'), type: 'text/javascript; charset=utf-8' },
  // The OpenID Connect client of sign-in.js: its ESM build, imported as ./oauth4webapi.js.
  'oauth4webapi.js': { file: join(dirname(require.resolve('oauth4webapi')), 'index.js'), type: 'text/javascript; charset=utf-8' },
  // The progress page's charts: Chart.js's UMD build (its "exports" hide package.json, so resolve from its main file).
  'chart.umd.min.js': { file: join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
  'progress.js': { file: join(gatewayPackageDir, 'explorer', 'progress.js'), type: 'text/javascript; charset=utf-8' },
  'progress.css': { file: join(gatewayPackageDir, 'explorer', 'progress.css'), type: 'text/css; charset=utf-8' },
};

/** The page charting each training programme against its target (progress.js), linked from the explorer's header. */
export const progressPagePath = '/progress';

/** The progress page's query: a front-end's saved operation, like those of supergraph/operations/<front-end>/. */
export const progressQueryFile = join(defaultExamplesDir, 'progress-page', 'programmes-progress.graphql');

/**
 * The text the progress page sends: the saved operation printed, exactly the body of its trusted documents manifest
 * entry (supergraph/trusted-documents.json), so that TRUSTED_DOCUMENTS=only accepts it.
 */
export function progressQuery(): string {
  return print(parse(readFileSync(progressQueryFile, 'utf8')));
}

/** The sign-in the explorer offers (see dev-sign-in.ts and `explorerSignInFromEnv`). */
export interface ExplorerSignInOptions {
  development: boolean;
  oidc?: ExplorerOidcConfig;
}

// The page talks to the gateway only, and to the OpenID issuer when there is one (discovery and the token request).
function contentSecurityPolicy(signIn: ExplorerSignInOptions): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${signIn.oidc ? ` ${new URL(signIn.oidc.issuer).origin}` : ''}`,
    "frame-ancestors 'self'",
  ].join('; ');
}

/** A saved operation offered in the explorer. */
export interface ExplorerExample {
  name: string;
  description: string;
  /** The operation text as saved, without its `# variables:` line. */
  query: string;
  variables: Record<string, unknown>;
}

/**
 * Reads `.graphql` files from `dir`: each holds one operation opened by comment lines, a description and
 * `# variables: { ...json }`. A missing folder means no examples; an unreadable file is logged and skipped.
 */
export function loadExamples(dir: string, logger: Logger): ExplorerExample[] {
  if (!existsSync(dir)) return [];
  const examples: ExplorerExample[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    try {
      const text = readFileSync(join(dir, file), 'utf8');
      const document = parse(text);
      const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
      const comments = text
        .split('\n')
        .filter((line) => line.startsWith('#'))
        .map((line) => line.slice(1).trim());
      const variablesLine = comments.find((line) => line.startsWith('variables:'));
      examples.push({
        name: operation && 'name' in operation && operation.name ? operation.name.value : file.replace(/\.graphql$/, ''),
        description: comments.filter((line) => !line.startsWith('variables:')).join(' '),
        query: `${text
          .split('\n')
          .filter((line) => !/^#\s*variables:/.test(line))
          .join('\n')
          .trim()}\n`,
        variables: variablesLine ? (JSON.parse(variablesLine.slice(variablesLine.indexOf(':') + 1)) as Record<string, unknown>) : {},
      });
    } catch (error) {
      logger.warn({ file: join(dir, file), reason: (error as Error).message }, 'explorer example skipped');
    }
  }
  return examples;
}

/** The examples that the schema being served can run (another supergraph may not have our fields). */
export function examplesFor(schema: GraphQLSchema | undefined, examples: ExplorerExample[]): ExplorerExample[] {
  if (!schema) return [];
  return examples.filter((example) => validate(schema, parse(example.query)).length === 0);
}

/** The project's name, as the page and its title show it. */
const explorerTitle = 'Uzbekistan–France healthcare partnership graph';

/**
 * The HTML page: a header saying what this graph is, with links to the saved operations (tabs) and the schema docs
 * (explorer.js makes them open the tab or the docs pane), then GraphiQL; assets by path from the gateway's root,
 * examples embedded as JSON.
 */
export function explorerPage(examples: ExplorerExample[], signIn: ExplorerSignInOptions, endpoint = '/graphql'): string {
  const json = scriptJson(examples);
  // What sign-in.js offers: the development form's choices and its path, and the issuer to sign in with.
  const signInJson = scriptJson({
    development: signIn.development ? { path: developmentTokenPath, partners: PARTNERS, roles: ROLES } : null,
    oidc: signIn.oidc ?? null,
  });
  const operationLinks = examples.map((e) => `<a href="#${escapeHtml(e.name)}" data-operation="${escapeHtml(e.name)}">${escapeHtml(e.name)}</a>`).join(', ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${explorerTitle} · explorer</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${explorerAssetsPath}/graphiql.min.css" />
    <link rel="stylesheet" href="${explorerAssetsPath}/explorer.css" />
  </head>
  <body>
    <header class="explorer-header">
      <h1>${explorerTitle}</h1>
      <p>
        One GraphQL endpoint over the Uzbekistan–France (and Monaco) healthcare partnership: the partner institutions
        (hospitals, universities, ministries and agencies), the agreements between them with their parties, milestones and
        signing events, and the training programmes those agreements provide for, with their cohorts, placements and
        progress toward each target. Public records need no sign-in; placements and personal data need a partner's token.
      </p>
      <nav>
        ${operationLinks ? `Saved operations (tabs): ${operationLinks} · ` : ''}<a href="#docs" data-show-docs>Schema docs</a> ·
        <a href="${progressPagePath}">Progress toward targets</a> · endpoint <code>${escapeHtml(endpoint)}</code>
      </nav>
      <div id="explorer-sign-in" class="explorer-sign-in" aria-live="polite"></div>
    </header>
    <div id="explorer" data-endpoint="${escapeHtml(endpoint)}"><p class="explorer-loading">Loading the GraphQL explorer…</p></div>
    <noscript>The explorer needs JavaScript. Without it, send GraphQL requests to ${escapeHtml(endpoint)} with POST.</noscript>
    <script id="explorer-examples" type="application/json">${json}</script>
    <script id="explorer-sign-in-options" type="application/json">${signInJson}</script>
    <script src="${explorerAssetsPath}/react.production.min.js"></script>
    <script src="${explorerAssetsPath}/react-dom.production.min.js"></script>
    <script src="${explorerAssetsPath}/graphiql.min.js"></script>
    <script src="${explorerAssetsPath}/flatten.js"></script>
    <script src="${explorerAssetsPath}/explorer.js"></script>
    <script type="module" src="${explorerAssetsPath}/sign-in.js"></script>
  </body>
</html>
`;
}

/**
 * The progress page: what it shows in plain words, then one section per programme that progress.js fills from the
 * GraphQL endpoint (a chart, and a table of the same figures under it).
 */
export function progressPage(query: string, endpoint = '/graphql'): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${explorerTitle} · progress toward targets</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${explorerAssetsPath}/progress.css" />
  </head>
  <body>
    <header class="progress-header">
      <h1>Training programmes: progress toward their targets</h1>
      <p>
        Each training programme of the partnership against its target. The dashed line runs
        from the start of the agreement behind the programme (or the programme's own start) to its target: the pace at
        which places would have to be planned to reach it on time. The solid line adds up the places planned in the
        programme's cohorts, on the dates the cohorts start. Trainees enrolled and completed are shown as they stand
        today: the records keep no history of them. Under each chart, a table gives the same figures.
      </p>
      <nav><a href="/">Back to the explorer</a> · figures from <code>${escapeHtml(endpoint)}</code>, public records only</nav>
    </header>
    <main id="progress" data-endpoint="${escapeHtml(endpoint)}" data-query="${escapeHtml(query)}" aria-live="polite"><p class="progress-status">Loading the programmes…</p></main>
    <noscript>This page draws its charts with JavaScript. The same figures are in the explorer: <a href="/">open it</a>.</noscript>
    <script src="${explorerAssetsPath}/chart.umd.min.js"></script>
    <script src="${explorerAssetsPath}/progress.js"></script>
  </body>
</html>
`;
}

// JSON inside <script> must not close the element early.
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Whether a GET asks for a page rather than a GraphQL result (a browser's navigation, no `query` parameter). */
export function wantsExplorerPage(req: Request): boolean {
  if (req.query.query !== undefined || req.query.extensions !== undefined) return false;
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

/**
 * Routes: `/explorer/<asset>` for the files and the progress page; `sendExplorerPage` sends the explorer (mounted by the
 * caller on `/` and `/graphql`).
 */
export function explorerAssets(): Router {
  const router = express.Router();
  // Read once: a missing or broken file stops the gateway's start, as a broken install should.
  const page = progressPage(progressQuery());
  router.get(progressPagePath, (_req, res) => {
    res.setHeader('content-security-policy', contentSecurityPolicy({ development: false }));
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(page);
  });
  router.get(`${explorerAssetsPath}/:asset`, (req, res, next) => {
    const asset = Object.hasOwn(assets, req.params.asset) ? assets[req.params.asset] : undefined;
    if (!asset) return next();
    res.type(asset.type);
    res.setHeader('cache-control', 'public, max-age=3600');
    res.sendFile(asset.file, (error) => {
      if (error && !res.headersSent) next(error);
    });
  });
  return router;
}

export function sendExplorerPage(res: express.Response, examples: ExplorerExample[], signIn: ExplorerSignInOptions): void {
  res.setHeader('content-security-policy', contentSecurityPolicy(signIn));
  res.setHeader('cache-control', 'no-cache');
  // The page is also the sign-in's redirect URI: the authorization code in its URL must not travel on as a Referer.
  res.setHeader('referrer-policy', 'no-referrer');
  res.type('html').send(explorerPage(examples, signIn));
}

// Files inside installed packages; their package.json "exports" do not list them, so resolve the package folder.
function packageFile(packageName: string, file: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), file);
}
