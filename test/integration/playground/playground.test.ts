/**
 * The GraphQL playground in a real headless Chromium, with no internet: the local server (and its
 * embedded simulator) serves the page and every file it loads; a query typed into GraphiQL's
 * editor runs and its data shows in the result pane; no request leaves 127.0.0.1.
 *
 * Authentication as `npm start` sets it up: in development with no keys configured the server
 * makes a demo API key and pre-fills it in the playground's headers editor; the page and its files
 * load without a key, and the queries the page sends carry it.
 *
 * The browser comes from test/helpers/browser.ts: the system Chromium when present, else the one
 * the @sparticuz/chromium devDependency ships. It is never skipped.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../../helpers/browser';
import { startLocalServer, type LocalServer } from '../../../src/dev/server';
import { loadConfig } from '../../../src/config';

const QUERY = '{ certificates(limit: 3) { totalCount certificates { certificateId domain } } }';

describe('GraphQL playground in headless Chromium', () => {
  let server: LocalServer;
  const browser = useBrowser();

  beforeAll(async () => {
    // Development with no keys configured, as `npm start`: the server makes a demo key.
    server = await startLocalServer({ config: loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent' }), port: 0 });
  });

  afterAll(async () => {
    // The browser first: a request still open from a page would hold the server's close.
    try {
      await browser().close();
    } catch {
      // it never started: each test already failed saying why
    }
    await server?.close();
  });

  interface SentRequest {
    url: string;
    method: string;
    /** The `x-api-key` header the browser sent, if any. */
    apiKey?: string;
  }

  /** Opens a page that records every request and any console error or CSP violation. */
  async function openPlayground(path = '/graphql'): Promise<{ page: Page; requests: string[]; sent: SentRequest[]; problems: string[] }> {
    const page = await browser().context.newPage();
    const requests: string[] = [];
    const sent: SentRequest[] = [];
    const problems: string[] = [];
    page.on('request', (req) => {
      requests.push(req.url());
      sent.push({ url: req.url(), method: req.method(), apiKey: req.headers()['x-api-key'] });
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: 20_000 });
    return { page, requests, sent, problems };
  }

  /**
   * The page and its files were fetched without a key; every GraphQL operation the page sent
   * carried the demo key from the pre-filled headers, and there was at least one.
   */
  function expectDemoKeyOnOperationsOnly(sent: SentRequest[]): void {
    expect(server.demoApiKey, 'startLocalServer made no demo API key in development with no keys configured').toMatch(/^sslgw_/);
    const isOperation = (r: SentRequest) => r.method === 'POST' && new URL(r.url).pathname === '/graphql';
    const operations = sent.filter(isOperation);
    expect(operations.length).toBeGreaterThan(0);
    for (const op of operations) expect(op.apiKey, op.url).toBe(server.demoApiKey);
    const pageAndFiles = sent.filter((r) => !isOperation(r) && r.url.startsWith(server.url));
    expect(pageAndFiles.some((r) => new URL(r.url).pathname === '/graphql')).toBe(true);
    expect(pageAndFiles.some((r) => new URL(r.url).pathname.startsWith('/graphql/assets/'))).toBe(true);
    for (const r of pageAndFiles) expect(r.apiKey, r.url).toBeUndefined();
  }

  /** The text of the headers editor, which must be the open editor tool. */
  async function headersEditorText(page: Page): Promise<string> {
    return page
      .locator('section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror')
      .evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
  }

  function expectLoopbackOnly(requests: string[]): void {
    expect(requests.length).toBeGreaterThan(0);
    const outside = requests.filter((url) => {
      if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return false;
      return new URL(url).hostname !== '127.0.0.1';
    });
    expect(outside).toEqual([]);
  }

  it('pre-fills the demo key in the headers editor, with no key needed for the page', async () => {
    const { page, sent, problems } = await openPlayground();
    expect(server.demoApiKey, 'startLocalServer made no demo API key in development with no keys configured').toMatch(/^sslgw_/);
    const headers = JSON.parse(await headersEditorText(page)) as Record<string, string>;
    expect(headers).toEqual({ 'x-api-key': server.demoApiKey });
    // GraphiQL fetches the schema (introspection) on load, with the pre-filled headers.
    await expect.poll(() => sent.filter((r) => r.method === 'POST').length, { timeout: 10_000 }).toBeGreaterThan(0);
    expectDemoKeyOnOperationsOnly(sent);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs a query typed into the editor and shows the data', async () => {
    const { page, requests, sent, problems } = await openPlayground();

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
    expectDemoKeyOnOperationsOnly(sent);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens a shared link (?query=) and runs it with the keyboard', async () => {
    const { page, requests, sent, problems } = await openPlayground(`/graphql?query=${encodeURIComponent(QUERY)}`);
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+Enter');
    const result = page.locator('.graphiql-response .CodeMirror');
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 15_000 }).toContain('domain');
    expect((await result.textContent()) ?? '').not.toContain('UNAUTHENTICATED');
    expectLoopbackOnly(requests);
    expectDemoKeyOnOperationsOnly(sent);
    expect(problems).toEqual([]);
    await page.close();
  });
});
