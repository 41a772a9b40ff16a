import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { browserTestMs, describeInChromium, launchChromium, requestsLeavingLocalhost } from './browser';
import { createGateway, gatewayConfigFromEnv } from '@partnership/gateway';
import { bootFederation, type Federation } from './federation';

// The progress page as a reader sees it: Debian's Chromium over the real federation, the charts drawn by the
// Chart.js the gateway serves, and the tables under them read as the figures. SCREENSHOTS_DIR=docs also saves
// docs/progress.png for the README.
const sqlite = scratchTargets.find((t) => t.label === 'SQLite')!;

describeInChromium('the progress page in Chromium', () => {
  let federation: Federation;
  let profileDir: string;
  let context: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    federation = await bootFederation(sqlite);
    profileDir = mkdtempSync(join(tmpdir(), 'progress-profile-'));
    context = await launchChromium(profileDir);
    context.on('request', (request) => requested.push(request.url()));
    context.on('weberror', (error) => pageErrors.push(error.error().message));
    page = context.pages()[0] ?? (await context.newPage());
  });
  afterAll(async () => {
    await context?.close();
    await federation?.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  /** The datasets Chart.js drew on a canvas, each point as [day, value]. */
  const chartDatasets = (canvas: unknown) =>
    (globalThis as any).Chart.getChart(canvas).data.datasets.map((d: any) => ({
      label: d.label as string,
      points: d.data.map((p: { x: number; y: number }) => [new Date(p.x).toISOString().slice(0, 10), p.y]),
    }));

  /** A table's body rows as their cells' text (the row heading first). */
  const tableRows = (section: ReturnType<Page['locator']>, table: string) =>
    section.locator(`${table} tbody tr`).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));

  test(
    "the explorer's header links to the progress page",
    async () => {
      await page.goto(new URL('/', federation.gatewayUrl).href);
      await page.getByRole('link', { name: 'Progress toward targets' }).click();
      await page.waitForURL((url) => url.pathname === '/progress');
      expect(await page.locator('h1').textContent()).toBe('Training programmes: progress toward their targets');
    },
    browserTestMs,
  );

  test(
    "the surgeons' programme: 100 by 2030, the first 5 at the Paul Strauss Center in March 2026, charted and tabled",
    async () => {
      await page.locator('#progress[data-ready="true"]').waitFor();
      const surgeons = page.locator('[data-programme="surgeons-100-by-2030"]');
      expect(await surgeons.locator('h2').textContent()).toBe('Training of 100 Uzbek surgeons in leading French medical centres');

      expect(Object.fromEntries(await tableRows(surgeons, '.progress-figures'))).toEqual({
        Target: '100 trainees',
        'Target date': 'by 2030 (until 2030-12-31)',
        'Straight line from': 'Protocol on Surgical Cooperation, concluded 19–21 January 2026, French Healthcare & Business Forum (2026-01-01)',
        'Places planned in cohorts': '5',
        'Trainees enrolled today': '0',
        'Trainees completed today': '0',
        'Still to train': '100',
        'On pace for the target': expect.stringMatching(/^(Yes|No)$/),
      });
      expect(await tableRows(surgeons, '.progress-cohorts')).toEqual([['March 2026', 'Paul Strauss Center', '5', '5']]);

      // The chart Chart.js drew on the canvas: the same figures, as points in time.
      const datasets = await surgeons.locator('canvas').evaluate(chartDatasets);
      const today = new Date().toISOString().slice(0, 10);
      expect(datasets).toEqual([
        {
          label: 'Target: 100 by 2030',
          points: [
            ['2026-01-01', 0],
            ['2030-12-31', 100],
          ],
        },
        {
          label: 'Places planned (cohorts, added up)',
          points: expect.arrayContaining([
            ['2026-01-01', 0],
            ['2026-03-01', 5],
          ]),
        },
        { label: 'Enrolled (today)', points: [[today, 0]] },
        { label: 'Completed (today)', points: [[today, 0]] },
      ]);
      const box = await surgeons.locator('canvas').boundingBox();
      expect(box!.width).toBeGreaterThan(300);

      // A programme the sources give no target or dated cohort: its figures, and no empty chart.
      const oncology = page.locator('[data-programme="oncology-specialists-france"]');
      expect(await oncology.locator('canvas').count()).toBe(0);
      expect(await oncology.locator('.progress-no-chart').textContent()).toMatch(/^Nothing to chart yet/);
      expect(Object.fromEntries(await tableRows(oncology, '.progress-figures'))).toMatchObject({
        Target: 'No number given in the sources',
        'Straight line from': 'No line: there is no target to draw it to',
      });

      if (process.env.SCREENSHOTS_DIR) {
        const file = join(process.env.SCREENSHOTS_DIR, 'progress.png');
        await page.screenshot({ path: file });
        expect(statSync(file).size).toBeLessThan(300 * 1024);
      }
    },
    browserTestMs,
  );

  test(
    'under TRUSTED_DOCUMENTS=only the page draws the same charts: its query is a trusted document',
    async () => {
      const strict = await createGateway({
        ...gatewayConfigFromEnv({ DATA_DIR: federation.dataDir, LOG_LEVEL: process.env.LOG_LEVEL, TRUSTED_DOCUMENTS: 'only' }),
        subgraphUrlOverride: (name) => federation.urls[name as keyof Federation['urls']],
      });
      const strictPage = await context.newPage();
      try {
        await strictPage.goto(new URL('/progress', await strict.listen(0)).href);
        await strictPage.locator('#progress[data-ready="true"]').waitFor();
        const surgeons = strictPage.locator('[data-programme="surgeons-100-by-2030"]');
        expect(await tableRows(surgeons, '.progress-cohorts')).toEqual([['March 2026', 'Paul Strauss Center', '5', '5']]);
        // A query that is not in the manifest is still refused there.
        const refused = await strictPage.evaluate(async () => {
          const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
          return response.status;
        });
        expect(refused).toBe(400);
      } finally {
        await strictPage.close();
        await strict.stop();
      }
    },
    browserTestMs,
  );

  test(
    'Chart.js came from the gateway, nothing left localhost, and the page threw no error',
    () => {
      expect(requested).toContain(new URL('/explorer/chart.umd.min.js', federation.gatewayUrl).href);
      expect(requestsLeavingLocalhost(requested)).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    browserTestMs,
  );
});
