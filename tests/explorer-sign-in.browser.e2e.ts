import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gatewayConfigFromEnv } from '@partnership/gateway';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { browserTestMs, describeInChromium, launchChromium, openTab, requestsLeavingLocalhost, run, type GraphQLAnswer } from './browser';
import { bootFederation, type Federation } from './federation';
import { freePort, repoRoot } from './processes';

// Signing in to the explorer in Chromium over the real federation: the development sign-in of a local gateway, and
// OpenID Connect against a real provider (oidc-provider, tests/oidc-provider.mjs) with its own login and consent pages.
const sqlite = scratchTargets.find((t) => t.label === 'SQLite')!;
const sessionKey = 'partnership-explorer:sign-in';

/** Chromium on a fresh profile, recording every URL its pages request and every error they throw. */
async function openBrowser(): Promise<{ context: BrowserContext; page: Page; requested: string[]; pageErrors: string[]; close(): Promise<void> }> {
  const profileDir = mkdtempSync(join(tmpdir(), 'explorer-sign-in-profile-'));
  const context = await launchChromium(profileDir);
  const requested: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  context.on('weberror', (error) => pageErrors.push(error.error().message));
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    requested,
    pageErrors,
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

const identity = (page: Page) => page.locator('.explorer-identity').textContent();
const storage = (page: Page, area: 'localStorage' | 'sessionStorage') =>
  page.evaluate((name) => JSON.stringify({ ...(globalThis as any)[name] }) as string, area);

/** Runs ProgrammeWithCohorts: the programme's cohorts, with their placements when signed in. */
async function runProgramme(page: Page): Promise<GraphQLAnswer> {
  await openTab(page, 'ProgrammeWithCohorts');
  return run(page, 'ProgrammeWithCohorts');
}

function expectPlacementsShown(answer: GraphQLAnswer): void {
  expect(answer.errors).toBeUndefined();
  const cohorts = answer.data?.trainingProgram?.cohorts as Array<{ placements: unknown[] | null }>;
  expect(cohorts.length).toBeGreaterThan(0);
  // Lists where an anonymous caller gets null (the seed enrolls no one: they may be empty).
  expect(cohorts.every((cohort) => Array.isArray(cohort.placements))).toBe(true);
}

function expectPlacementsRefused(answer: GraphQLAnswer): void {
  expect(answer.errors?.length).toBeGreaterThan(0);
  for (const error of answer.errors ?? []) expect([error.extensions?.code, error.path?.at(-1)]).toEqual(['UNAUTHENTICATED', 'placements']);
}

describeInChromium('signing in to the explorer in Chromium: the development sign-in of a local gateway', () => {
  let federation: Federation;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  beforeAll(async () => {
    federation = await bootFederation(sqlite);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await federation?.stop();
  });

  test(
    'sign in as a French viewer, see the placements, reload still signed in, sign out',
    async () => {
      const { page } = browser;
      const root = new URL('/', federation.gatewayUrl).href;
      await page.goto(root);
      await page.locator('.graphiql-tab').first().waitFor();
      expectPlacementsRefused(await runProgramme(page));

      await page.locator('.explorer-dev-sign-in select[name="partner"]').selectOption('FR');
      await page.locator('.explorer-dev-sign-in select[name="role"]').selectOption('viewer');
      await page.locator('.explorer-dev-sign-in button', { hasText: 'Sign in' }).click();
      expect(await identity(page)).toMatch(/^Signed in as dev-FR-viewer · partner FR · role viewer · until \d\d:\d\d/);
      expectPlacementsShown(await runProgramme(page));

      // The token is kept for this tab only (sessionStorage), never in localStorage or the URL.
      const token = JSON.parse(JSON.parse(await storage(page, 'sessionStorage'))[sessionKey]).token as string;
      expect(token.split('.')).toHaveLength(3);
      expect(await storage(page, 'localStorage')).not.toContain(token);
      expect(page.url()).toBe(root);

      await page.reload();
      await page.locator('.graphiql-tab').first().waitFor();
      expect(await identity(page)).toMatch(/^Signed in as dev-FR-viewer/);
      expectPlacementsShown(await runProgramme(page));

      await page.locator('.explorer-sign-in button', { hasText: 'Sign out' }).click();
      expect(await page.locator('.explorer-identity').count()).toBe(0);
      expect(await storage(page, 'sessionStorage')).not.toContain(token);
      expectPlacementsRefused(await runProgramme(page));
      expect(requestsLeavingLocalhost(browser.requested)).toEqual([]);
      expect(browser.pageErrors).toEqual([]);
    },
    browserTestMs,
  );
});

describeInChromium('signing in to the explorer in Chromium: OpenID Connect against a real provider', () => {
  const clientId = 'partnership-explorer';
  let federation: Federation;
  let provider: ChildProcess;
  let issuer: string;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  beforeAll(async () => {
    // The provider must know the gateway's page (its redirect URI) and the gateway the provider (its issuer): the
    // provider's port is chosen first.
    const providerPort = await freePort();
    issuer = `http://127.0.0.1:${providerPort}`;
    const oidcSettings = gatewayConfigFromEnv({ AUTH_ISSUER: issuer, AUTH_JWKS_URL: `${issuer}/jwks`, EXPLORER_OIDC_CLIENT_ID: clientId });
    federation = await bootFederation(sqlite, { gateway: { authentication: oidcSettings.authentication, explorerSignIn: oidcSettings.explorerSignIn } });
    provider = spawn(process.execPath, [join(repoRoot, 'tests', 'oidc-provider.mjs')], {
      env: {
        PATH: process.env.PATH,
        OIDC_PORT: String(providerPort),
        OIDC_CLIENT_ID: clientId,
        OIDC_REDIRECT_URI: new URL('/', federation.gatewayUrl).href,
        OIDC_AUDIENCE: oidcSettings.authentication.audience,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Its stderr (warnings about its development-only defaults) is shown only if it fails to start.
    let stderr = '';
    provider.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [line] = (await Promise.race([
      once(createInterface({ input: provider.stdout! }), 'line'),
      once(provider, 'exit').then(([code]) => {
        throw new Error(`the OpenID provider exited with ${code}: ${stderr}`);
      }),
    ])) as [string];
    expect(JSON.parse(line)).toEqual({ issuer });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    if (provider?.exitCode === null) {
      provider.kill();
      await once(provider, 'exit');
    }
    await federation?.stop();
  });

  test(
    "sign in at the issuer's own pages with code and PKCE: the identity shown, placements readable, no code or token left in the URL or localStorage",
    async () => {
      const { page } = browser;
      const root = new URL('/', federation.gatewayUrl).href;
      await page.goto(root);
      await page.locator('.graphiql-tab').first().waitFor();
      // Only the sign-in this gateway offers: no development form where tokens come from an issuer.
      expect(await page.locator('.explorer-dev-sign-in').count()).toBe(0);

      await page.locator('.explorer-sign-in button', { hasText: `Sign in with ${new URL(issuer).host}` }).click();
      // The provider's login page (any password), then its consent page.
      await page.waitForURL((url) => url.origin === issuer);
      await page.locator('input[name="login"]').fill('FR-viewer');
      await page.locator('input[name="password"]').fill('any password');
      await page.locator('button', { hasText: 'Sign-in' }).click();
      await page.locator('button', { hasText: 'Continue' }).click();
      await page.waitForURL((url) => url.origin === new URL(root).origin);
      await page.locator('.explorer-identity').waitFor();
      expect(await identity(page)).toMatch(/^Signed in as FR-viewer · partner FR · role viewer · until \d\d:\d\d/);
      expect(page.url()).toBe(root);

      // The provider's authorization request carried PKCE; the code came back in the URL, which no longer holds it.
      const authorization = new URL(browser.requested.find((url) => url.startsWith(`${issuer}/auth?`))!);
      expect([authorization.searchParams.get('code_challenge_method'), authorization.searchParams.get('client_id')]).toEqual(['S256', clientId]);
      const callback = browser.requested.find((url) => url.startsWith(`${root}?`))!;
      expect(new URL(callback).searchParams.get('code')).toEqual(expect.any(String));

      expectPlacementsShown(await runProgramme(page));
      const token = JSON.parse(JSON.parse(await storage(page, 'sessionStorage'))[sessionKey]).token as string;
      expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).toMatchObject({ iss: issuer, aud: 'uz-fr-health-graph', partner: 'FR' });
      expect(await storage(page, 'localStorage')).not.toContain(token);
      for (const url of browser.requested) expect(url).not.toContain(token);

      await page.locator('.explorer-sign-in button', { hasText: 'Sign out' }).click();
      expectPlacementsRefused(await runProgramme(page));
      expect(requestsLeavingLocalhost(browser.requested)).toEqual([]);
      expect(browser.pageErrors).toEqual([]);
    },
    browserTestMs,
  );
});
