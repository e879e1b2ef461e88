/**
 * First contact with the playground when the gateway has API keys configured (as deployed, not
 * `npm start`'s demo key), in a real headless Chromium: the headers editor opens with a template
 * in the header the gateway accepts, one line above the IDE says where the key goes, nothing is
 * sent with the placeholder, and once the key is in, the ready example operations run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from '../helpers/browser';
import { startGateway, type GatewayFixture } from '../helpers/fixture';

interface Sent {
  method: string;
  path: string;
  apiKey?: string;
}

describe('playground first contact with API keys configured', () => {
  const browser = useBrowser();
  let gw: GatewayFixture;

  beforeAll(async () => {
    gw = await startGateway();
  });

  afterAll(async () => {
    // The browser first: its keep-alive connections would hold the server's close open.
    try {
      await browser().close();
    } catch {
      // it never started: each test already failed saying why
    }
    await gw?.close();
  });

  async function open(): Promise<{ page: Page; sent: Sent[]; problems: string[] }> {
    const page = await browser().context.newPage();
    const sent: Sent[] = [];
    const problems: string[] = [];
    page.on('request', (r) => sent.push({ method: r.method(), path: new URL(r.url()).pathname, apiKey: r.headers()['x-api-key'] }));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${gw.url}/graphql`);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: 20_000 });
    return { page, sent, problems };
  }

  const codeMirror = (page: Page, selector: string) => page.locator(selector).evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
  const HEADERS = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror';
  const RESULT = '.graphiql-response .CodeMirror';

  it('opens with a headers template, a line saying where the key goes, and no request sent with the placeholder', async () => {
    const { page, sent, problems } = await open();
    expect(JSON.parse(await codeMirror(page, HEADERS))).toEqual({ 'x-api-key': '<your key>' });
    const hint = (await page.locator('#credential-hint').textContent()) ?? '';
    expect(hint).toContain('replace <your key> in the Headers tab');
    expect(hint).toContain('x-api-key');
    // GraphiQL's schema fetch is answered by the page itself with that line, not by a 401.
    await expect.poll(async () => (await page.locator(RESULT).textContent()) ?? '', { timeout: 10_000 }).toContain('CREDENTIAL_PLACEHOLDER');
    expect(sent.filter((r) => r.method === 'POST')).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('offers the example operations as tabs and runs the dashboard once the key is in', async () => {
    const { page, sent, problems } = await open();
    await expect.poll(() => page.locator('.graphiql-tab').allInnerTexts()).toEqual(['CertificateDashboard', 'DeployCertificate', 'BindResourceTask', 'DeleteCertificate']);
    // Put the key where the line says, re-fetch the schema (the sidebar button the line's
    // Shift-Ctrl-R stands for), then run the open tab.
    await page.locator(HEADERS).evaluate((el, key) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(JSON.stringify({ 'x-api-key': key })), gw.keys.read);
    // GraphiQL takes in an edited headers pane after a short debounce: until then a re-fetch still
    // holds the placeholder and is answered by the page. Re-fetch until the request goes out.
    const posts = () => sent.filter((r) => r.method === 'POST');
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Re-fetch GraphQL schema' }).click();
          return posts().length;
        },
        { timeout: 10_000, interval: 300 },
      )
      .toBeGreaterThan(0);
    // The schema is in once the Docs panel can list the root types.
    await page.getByRole('button', { name: /Documentation Explorer/ }).click();
    await page.waitForSelector('.graphiql-doc-explorer-root-type', { timeout: 10_000 });
    await page.click('.graphiql-execute-button');
    await expect.poll(async () => (await page.locator(RESULT).textContent()) ?? '', { timeout: 15_000 }).toContain('certEndTime');
    const text = (await page.locator(RESULT).textContent()) ?? '';
    expect(text).toContain('totalCount');
    expect(text).not.toContain('"errors"');
    for (const p of posts()) expect(p.apiKey).toBe(gw.keys.read);
    expect(problems).toEqual([]);
    await page.close();
  });
});
