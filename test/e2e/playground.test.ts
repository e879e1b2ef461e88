/**
 * The GraphQL playground in a real headless Chromium, with no internet: the local server (and its
 * embedded simulator) serves the page and every file it loads; a query typed into GraphiQL's
 * editor runs and its data shows in the result pane; no request leaves 127.0.0.1.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`); the suite is
 * skipped with a notice when it is missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../src/dev/server';
import { loadConfig } from '../../src/config';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`playground e2e skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

const QUERY = '{ certificates(limit: 3) { totalCount certificates { certificateId domain } } }';

describe.skipIf(!hasChromium)('GraphQL playground in headless Chromium', () => {
  let server: LocalServer;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    server = await startLocalServer({ config: loadConfig({ NODE_ENV: 'test' }), port: 0 });
    profile = mkdtempSync(join(tmpdir(), 'ssl-gateway-chromium-'));
    // A fresh profile directory: no stored tabs, history or headers from an earlier run.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens a page that records every request and any console error or CSP violation. */
  async function openPlayground(path = '/graphql'): Promise<{ page: Page; requests: string[]; problems: string[] }> {
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: 20_000 });
    return { page, requests, problems };
  }

  function expectLoopbackOnly(requests: string[]): void {
    expect(requests.length).toBeGreaterThan(0);
    const outside = requests.filter((url) => {
      if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return false;
      return new URL(url).hostname !== '127.0.0.1';
    });
    expect(outside).toEqual([]);
  }

  it('runs a query typed into the editor and shows the data', async () => {
    const { page, requests, problems } = await openPlayground();

    // Type the query over the default one, as a person would.
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(QUERY);
    await page.keyboard.press('Escape'); // close an open autocompletion list
    const typed = await page
      .locator('.graphiql-query-editor .CodeMirror')
      .evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
    expect(typed.replace(/\s+/g, ' ').trim()).toBe(QUERY);
    // GraphiQL re-parses the operation (and its name) after a pause in typing; run after it.
    await page.waitForTimeout(700);
    await page.click('.graphiql-execute-button');

    const result = page.locator('.graphiql-response .CodeMirror');
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 15_000 }).toContain('certificateId');
    const text = (await result.textContent()) ?? '';
    expect(text).toContain('totalCount');
    expect(text).not.toContain('"errors"');

    expectLoopbackOnly(requests);
    // The vendored files came from the gateway itself, under /graphql/assets/.
    expect(requests.some((u) => u.endsWith('/graphql/assets/graphiql.min.js'))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens a shared link (?query=) and runs it with the keyboard', async () => {
    const { page, requests, problems } = await openPlayground(`/graphql?query=${encodeURIComponent(QUERY)}`);
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+Enter');
    const result = page.locator('.graphiql-response .CodeMirror');
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 15_000 }).toContain('domain');
    expectLoopbackOnly(requests);
    expect(problems).toEqual([]);
    await page.close();
  });
});
