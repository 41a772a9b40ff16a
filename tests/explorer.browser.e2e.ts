import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { browserTestMs, describeInChromium, editorText, launchChromium, openTab, requestsLeavingLocalhost, run, tabTakenIn } from './browser';
import { bootFederation, type Federation } from './federation';

// The explorer as an analyst uses it: Debian's Chromium (never a downloaded build) over the real federation, one
// browser profile across visits. SCREENSHOTS_DIR=docs also saves docs/explorer.png for the README.
const sqlite = scratchTargets.find((t) => t.label === 'SQLite')!;
const savedOperations = ['AgreementWithParties', 'InstitutionsWithAgreements', 'ProgrammeWithCohorts'];

describeInChromium('the explorer in Chromium', () => {
  let federation: Federation;
  let root: string;
  let profileDir: string;
  const requested: string[] = [];
  const pageErrors: string[] = [];
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    federation = await bootFederation(sqlite);
    root = new URL('/', federation.gatewayUrl).href;
    profileDir = mkdtempSync(join(tmpdir(), 'explorer-profile-'));
  });
  afterAll(async () => {
    await context?.close();
    await federation?.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  /** A visit: Chromium started on the shared profile, the explorer opened and its tabs shown. */
  async function visit(): Promise<Page> {
    await context?.close();
    context = await launchChromium(profileDir);
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(root);
    await page.locator('.graphiql-tab').first().waitFor();
    return page;
  }

  const tabTitles = (page: Page) => page.locator('.graphiql-tab .graphiql-tab-button').allTextContents();
  const activeTitle = (page: Page) => page.locator('.graphiql-tab-active .graphiql-tab-button').textContent();
  test(
    'the page says where you are: the project, what the graph holds, links to the saved operations and the docs',
    async () => {
      const page = await visit();
      expect(await page.title()).toBe('Uzbekistan–France healthcare partnership graph · explorer');
      expect(await page.locator('h1').textContent()).toBe('Uzbekistan–France healthcare partnership graph');
      expect(await page.locator('.explorer-header p').textContent()).toMatch(/institutions.*agreements.*training programmes/s);
      expect(await page.locator('[data-operation]').allTextContents()).toEqual(savedOperations);
      await page.getByText('Schema docs').click();
      await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
    },
    browserTestMs,
  );

  test(
    'first visit: one tab per saved operation, the first active with its variables; a reload changes nothing',
    async () => {
      const page = context!.pages()[0];
      const expectSavedOperationTabs = async () => {
        expect(await tabTitles(page)).toEqual(savedOperations);
        expect(await activeTitle(page)).toBe('AgreementWithParties');
        expect(JSON.parse(await editorText(page, 'variables'))).toEqual({ id: 'protocol-surgical-cooperation' });
      };
      await expectSavedOperationTabs();
      // The reported bug: a fresh profile's second load added a stray "AgreementWithParties" tab with empty variables.
      await page.waitForFunction(() => (globalThis as any).localStorage.getItem('graphiql:tabState') !== null);
      await page.reload();
      await page.locator('.graphiql-tab').first().waitFor();
      await expectSavedOperationTabs();
    },
    browserTestMs,
  );

  test(
    'every saved tab runs as it opens: public ones without errors; the one that needs sign-in says so',
    async () => {
      const page = context!.pages()[0];
      for (const name of savedOperations) {
        await openTab(page, name);
        expect(await activeTitle(page)).toBe(name);
        const answer = await run(page, name);
        expect(Object.values(answer.data ?? {})[0]).toEqual(expect.any(Object));
        if (name !== 'ProgrammeWithCohorts') {
          expect([name, answer.errors]).toEqual([name, undefined]);
          continue;
        }
        // Placements are for signed-in partners: the tab's opening comment says so, and they are all that is missing.
        expect((await editorText(page, 'query')).split('\n')[0]).toMatch(/Signing in shows more.*signed-in partner.*viewer, editor or admin role/);
        expect(answer.errors?.length).toBeGreaterThan(0);
        for (const error of answer.errors ?? []) expect([error.extensions?.code, error.path?.at(-1)]).toEqual(['UNAUTHENTICATED', 'placements']);
        expect(answer.data?.trainingProgram).toMatchObject({ id: 'surgeons-100-by-2030', targetTrainees: 100 });
      }
    },
    browserTestMs,
  );

  test(
    "CSV and JSON downloads of the current tab's result: the connection's nodes as rows, nested fields as dotted columns",
    async () => {
      const page = context!.pages()[0];
      await openTab(page, 'InstitutionsWithAgreements');
      const answer = await run(page, 'InstitutionsWithAgreements');
      const nodes = answer.data!.institutions.nodes as Array<Record<string, any>>;
      expect(nodes.length).toBeGreaterThan(1);

      const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('.explorer-downloads button', { hasText: 'CSV' }).click()]);
      expect(csvDownload.suggestedFilename()).toBe('InstitutionsWithAgreements.csv');
      const csv = readFileSync((await csvDownload.path())!, 'utf8');
      // A byte order mark first, for spreadsheet programs.
      expect(csv.startsWith('\uFEFF')).toBe(true);
      const lines = csv.slice(1).split('\r\n');
      expect(lines.at(-1)).toBe('');
      const header = lines[0].split(',');
      expect(header.slice(0, 2)).toEqual(['id', 'name']);
      expect(header).toContain('agreements.id');
      expect(lines.length - 2).toBe(nodes.length);
      expect(lines[1].startsWith(`${nodes[0].id},`)).toBe(true);
      // The agreements of the first institution in one cell, joined (ids hold no comma, so the cell is not quoted).
      const agreementIds = (nodes[0].agreements as Array<{ id: string }>).map((a) => a.id).join('; ');
      expect(lines[1].split(',')).toContain(agreementIds);

      const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.locator('.explorer-downloads button', { hasText: 'JSON' }).click()]);
      expect(jsonDownload.suggestedFilename()).toBe('InstitutionsWithAgreements.json');
      expect(JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8'))).toEqual(answer);

      if (process.env.SCREENSHOTS_DIR) {
        const file = join(process.env.SCREENSHOTS_DIR, 'explorer.png');
        await page.screenshot({ path: file });
        expect(statSync(file).size).toBeLessThan(300 * 1024);
      }
    },
    browserTestMs,
  );

  test(
    "reload and second visit: the same tabs, none added, the analyst's edit kept",
    async () => {
      let page = context!.pages()[0];
      await openTab(page, 'AgreementWithParties');
      await page.locator('.graphiql-query-editor .CodeMirror').click();
      await page.keyboard.press('Control+Home');
      await page.keyboard.type('# my note\n');
      // GraphiQL saves the tabs half a second after an edit.
      await page.waitForFunction(() => (globalThis as any).localStorage.getItem('graphiql:tabState')?.includes('# my note'));

      const expectKept = async () => {
        expect(await tabTitles(page)).toEqual(savedOperations);
        expect(await activeTitle(page)).toBe('AgreementWithParties');
        expect((await editorText(page, 'query')).startsWith('# my note\n# One agreement')).toBe(true);
        expect(JSON.parse(await editorText(page, 'variables'))).toEqual({ id: 'protocol-surgical-cooperation' });
      };
      await page.reload();
      await page.locator('.graphiql-tab').first().waitFor();
      await expectKept();

      page = await visit();
      await expectKept();
      const answer = await run(page, 'AgreementWithParties');
      expect([answer.errors, answer.data?.agreement?.id]).toEqual([undefined, 'protocol-surgical-cooperation']);
      await openTab(page, 'InstitutionsWithAgreements');
      expect(JSON.parse(await editorText(page, 'variables'))).toEqual({ country: 'FR', first: 10 });
    },
    browserTestMs,
  );

  test(
    'a closed saved tab opens again from its link, with its variables',
    async () => {
      const page = context!.pages()[0];
      const tab = page.locator('.graphiql-tab', { hasText: 'ProgrammeWithCohorts' });
      // The close button shows on hover.
      await tab.hover();
      await tab.locator('.graphiql-tab-close').click();
      expect(await tabTitles(page)).toEqual(savedOperations.slice(0, 2));
      // GraphiQL shows the tab before the closed one.
      await tabTakenIn(page, 'AgreementWithParties');
      await page.locator('[data-operation="ProgrammeWithCohorts"]').click();
      await tabTakenIn(page, 'ProgrammeWithCohorts');
      expect(await tabTitles(page)).toEqual(savedOperations);
      expect(JSON.parse(await editorText(page, 'variables'))).toEqual({ id: 'surgeons-100-by-2030' });
      expect((await run(page, 'ProgrammeWithCohorts')).data?.trainingProgram?.id).toBe('surgeons-100-by-2030');
    },
    browserTestMs,
  );

  test(
    'nothing left localhost, and the page threw no error',
    () => {
      expect(requested.length).toBeGreaterThan(10);
      expect(requestsLeavingLocalhost(requested)).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    browserTestMs,
  );
});
