/**
 * Helpers for the browser tests: Debian's Chromium (never a downloaded build) driven by playwright-core, and the
 * explorer's GraphiQL as an analyst uses it (tabs, editors, the Run button).
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const describeInChromium = existsSync(chromiumPath)
  ? describe
  : (name: string, fn: () => void) => describe.skip(`${name} (skipped: ${chromiumPath} not found: apt-get install -y chromium)`, fn);
// Starting Chromium and loading the page take seconds: each test gets this long.
export const browserTestMs = 30_000;

export interface GraphQLAnswer {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string } }>;
}

/** Chromium on the profile in `profileDir` (kept across launches), downloads accepted. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
  });
  // Shorter than the test's timeout, so a step that waits in vain names itself.
  context.setDefaultTimeout(10_000);
  return context;
}

/** The URLs, among those requested, that leave this machine (data: URLs stay in the page; a blob: URL names the page's origin). */
export function requestsLeavingLocalhost(requested: string[]): string[] {
  return requested.filter((url) => {
    if (url.startsWith('data:')) return false;
    const { hostname } = new URL(url.startsWith('blob:') ? url.slice('blob:'.length) : url);
    return hostname !== '127.0.0.1' && hostname !== 'localhost';
  });
}

export const editorText = (page: Page, editor: 'query' | 'variables' | 'response') =>
  page.evaluate(
    (selector) => ((globalThis as any).document.querySelector(selector) as any).CodeMirror.getValue() as string,
    {
      query: '.graphiql-query-editor .CodeMirror',
      variables: '.graphiql-editor-tool .CodeMirror',
      response: '.result-window .CodeMirror',
    }[editor],
  );

/** Switches to a tab and waits until GraphiQL has taken it in (it updates the operation to run a moment later). */
export async function openTab(page: Page, name: string): Promise<void> {
  await page.locator('.graphiql-tab-button', { hasText: name }).click();
  await tabTakenIn(page, name);
}

export const tabTakenIn = (page: Page, name: string) =>
  page.waitForFunction(
    (operationName) => ((globalThis as any).document.querySelector('.graphiql-query-editor .CodeMirror') as any).CodeMirror.operationName === operationName,
    name,
  );

/** Runs the active tab with the Run button; the answer as the gateway sent it. */
export async function run(page: Page, operationName: string): Promise<GraphQLAnswer> {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && r.request().method() === 'POST' && String(r.request().postDataJSON()?.query).includes(`query ${operationName}(`),
    ),
    page.locator('.graphiql-execute-button').click(),
  ]);
  const answer = (await response.json()) as GraphQLAnswer;
  // The response pane shows it too (what the download buttons read).
  await page.waitForFunction(() => (((globalThis as any).document.querySelector('.result-window .CodeMirror') as any)?.CodeMirror.getValue() ?? '') !== '');
  return answer;
}
