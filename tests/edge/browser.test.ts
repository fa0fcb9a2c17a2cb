// The upload page in a real headless browser (Debian chromium driven by playwright-core) against the real
// worker in workerd: pick a file, see the predictions rendered — the same ones POST /v1/classify gives for
// those bytes. A screenshot is kept in test-output/browser/. CI installs chromium (scripts/system-deps/chromium.sh).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { publish } from './publish.ts';
import { tinyModel } from './tiny-model.ts';
import { fixture, REPO, startWorker, type TestWorker } from './worker.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(REPO, 'test-output', 'browser');

let worker: TestWorker;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: run scripts/system-deps/chromium.sh (or set CHROMIUM_PATH)`);
  worker = await startWorker({}, { listen: true });
  await publish(worker, 'fashion-mnist', '1.0.0', tinyModel(1));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

it('uploading an image shows its top-k labels with score bars, as the API computes them', async () => {
  const file = join(REPO, 'tests', 'fixtures', 'images', 'color-640x427.jpg');
  const api = (await (await worker.fetch('/v1/classify', { method: 'POST', body: await fixture('tests', 'fixtures', 'images', 'color-640x427.jpg') })).json()) as {
    predictions: { label: string; score: number }[];
  };
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // No request may leave the worker: the page needs no CDN or other external asset.
  const external: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith(worker.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url()); });

  await page.goto(`${worker.url}/`);
  await page.setInputFiles('#file', file);
  await page.locator('.prediction').first().waitFor({ timeout: 30_000 });

  const rows = await page.locator('.prediction').evaluateAll((els) =>
    els.map((el) => ({
      label: el.querySelector('.label')!.textContent,
      score: el.querySelector('.score')!.textContent,
      // The root tsconfig has no DOM lib: the element is typed by what this line reads.
      bar: (el.querySelector('.bar > span') as unknown as { style: { width: string } }).style.width,
    })),
  );
  expect(rows.map((r) => r.label)).toEqual(api.predictions.map((p) => p.label));
  rows.forEach((r, i) => {
    const pct = (api.predictions[i]!.score * 100).toFixed(1);
    expect(r.score).toBe(`${pct}%`);
    // The browser normalises the style (13.0% → 13%): compare the number.
    expect(parseFloat(r.bar)).toBeCloseTo(Number(pct), 5);
  });
  await expect.poll(() => page.locator('#status').textContent()).toContain('Top 5 for color-640x427.jpg');
  expect(await page.locator('#meta').textContent()).toBe('model fashion-mnist@1.0.0');
  expect(errors).toEqual([]);
  expect(external).toEqual([]);
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'upload.png'), fullPage: true });
  expect(existsSync(join(OUT, 'upload.png'))).toBe(true);
}, 120_000);

it('a file that is not an image shows the API error on the page, not a crash', async () => {
  const page = await browser.newPage();
  await page.goto(`${worker.url}/`);
  await page.setInputFiles('#file', join(REPO, 'tests', 'fixtures', 'images', 'not-an-image.jpg'));
  await expect.poll(() => page.locator('#status.error').textContent(), { timeout: 30_000 }).toContain('unsupported_format');
  expect(await page.locator('.prediction').count()).toBe(0);
}, 60_000);
