/**
 * The API reference (`GET /v1/docs`) in a real headless Chromium, with no internet, as a person
 * without a key meets it: the gateway has API keys configured, the browser sends none, and the
 * page (Redoc, served by the gateway) renders the operations of `/v1/openapi.json`; no request
 * leaves the gateway's origin and nothing is logged as an error (a CSP violation is one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from '../helpers/browser';
import { startGateway, type GatewayFixture } from '../helpers/fixture';

interface Operation {
  method: string;
  path: string;
  summary: string;
}

describe('/v1/docs in headless Chromium', () => {
  const browser = useBrowser();
  let gw: GatewayFixture;
  let operations: Operation[];

  beforeAll(async () => {
    gw = await startGateway();
    const res = await gw.fetch('/v1/openapi.json', { key: null });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { summary: string }>> };
    operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, summary: op.summary })));
  });

  afterAll(async () => {
    // The browser first: its keep-alive connections would hold the server's close open.
    await browserIfStarted()?.close();
    await gw?.close();
  });

  function browserIfStarted() {
    try {
      return browser();
    } catch {
      return undefined; // it never started: each test already failed saying why
    }
  }

  async function openDocs(path: string): Promise<{ page: Page; requests: string[]; problems: string[] }> {
    const page = await browser().context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    const res = await page.goto(`${gw.url}${path}`);
    expect(res?.status()).toBe(200);
    return { page, requests, problems };
  }

  /** Redoc parses the document and renders one side-menu entry per operation (plus one per tag). */
  async function waitForOperations(page: Page): Promise<void> {
    await expect.poll(async () => page.locator('.menu-content li[data-item-id*="/operation/"]').count(), { timeout: 60_000 }).toBe(operations.length);
  }

  function expectGatewayOriginOnly(requests: string[]): void {
    expect(requests.length).toBeGreaterThan(0);
    const origin = new URL(gw.url).origin;
    const outside = requests.filter((url) => !(url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin));
    expect(outside).toEqual([]);
  }

  it('renders every operation of /v1/openapi.json without a key, loading nothing from elsewhere', async () => {
    const { page, requests, problems } = await openDocs('/v1/docs');
    await waitForOperations(page);
    // Redoc lists every operation in its side menu (under collapsed tags), labelled with its summary.
    const menu = (await page.locator('.menu-content').textContent()) ?? '';
    for (const op of operations) expect(menu, `${op.method.toUpperCase()} ${op.path}`).toContain(op.summary);
    // The middle panel renders each operation with its method and path.
    const body = (await page.locator('.api-content').textContent()) ?? '';
    for (const op of operations) expect(body, `${op.method.toUpperCase()} ${op.path}`).toContain(op.path);

    const paths = requests.map((u) => (u.startsWith('http') ? new URL(u).pathname : u.slice(0, 5)));
    expect(paths).toEqual(expect.arrayContaining(['/v1/docs', '/v1/docs/assets/redoc.standalone.js', '/v1/docs/assets/docs.js', '/v1/openapi.json']));
    expectGatewayOriginOnly(requests);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('works from /v1/docs/ (trailing slash) too', async () => {
    const { page, requests, problems } = await openDocs('/v1/docs/');
    await waitForOperations(page);
    expectGatewayOriginOnly(requests);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
