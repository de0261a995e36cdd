/**
 * The dashboard in real Chromium, against the real Node server and the mock provider: a first
 * run from an empty gateway to a routed call seen in Logs and Usage, then a revoked token; a
 * viewer who sees nothing they may not use; no console errors on any page. Screenshots of each
 * page go to test-results/screenshots (not committed).
 */
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot, type PageProblems } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';

const ADMIN = { email: 'admin@example.com', password: 'a long admin password' };
const VIEWER = { email: 'viewer@example.com', password: 'a long viewer password' };
const NAV = ['Overview', 'Models', 'Projects', 'Usage', 'Logs', 'Playground', 'Users', 'Settings'];

let browser: Browser;
let stack: Stack;

beforeAll(async () => {
  [browser, stack] = await Promise.all([launchChromium(), startStack()]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** 401s before sign-in and the 4xx a test provokes on purpose are expected; nothing else is. */
function unexpected(problems: PageProblems): string[] {
  return problems.errors.filter((error) => !/status of (401|409)/.test(error));
}

async function go(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
}

async function addModel(page: Page, id: string): Promise<void> {
  await go(page, 'Models');
  await page.getByRole('button', { name: 'Add model' }).click();
  await page.getByLabel('ID', { exact: true }).fill(id);
  await page.getByLabel('Provider', { exact: true }).selectOption('openai');
  await page.getByLabel('Base URL').fill(stack.provider.openaiBaseUrl);
  await page.getByLabel('API key').fill('sk-test-key');
  await page.getByLabel('Upstream model').fill('gpt-4o-mini');
  await page.getByLabel('Input price (USD per 1M tokens)').fill('0.15');
  await page.getByLabel('Output price (USD per 1M tokens)').fill('0.6');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Model added.').waitFor();
}

describe('the dashboard in Chromium', () => {
  let token = '';
  let projectUrl = '';

  it('takes a first run from no users to a routed call, its trace, usage and a revoked token', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(stack.gateway.url + '/');
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    await screenshot(page, '01-first-run');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Repeat the password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin' }).click();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual(NAV);
    // The session is an HttpOnly cookie: no script in the page can read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('routerly_session');
    const cookie = (await context.cookies()).find((c) => c.name === 'routerly_session');
    expect([cookie?.httpOnly, cookie?.sameSite]).toEqual([true, 'Strict']);

    // A model from the catalog, tested with a real call to the mock provider, then saved.
    await go(page, 'Models');
    await page.getByRole('button', { name: 'Add model' }).click();
    await page.getByLabel('Provider', { exact: true }).selectOption('openai');
    await page.getByRole('button', { name: 'Find in catalog' }).click();
    await page.getByLabel('Search the catalog').fill('gpt-4o-mini');
    await page.getByRole('button', { name: /^Use .*\(gpt-4o-mini\)$/ }).first().click();
    expect(await page.getByLabel('Upstream model').inputValue()).toBe('gpt-4o-mini');
    expect(Number(await page.getByLabel('Input price (USD per 1M tokens)').inputValue())).toBeGreaterThan(0);
    await page.getByLabel('ID', { exact: true }).fill('mini');
    await page.getByLabel('Base URL').fill(stack.provider.openaiBaseUrl);
    await page.getByLabel('API key').fill('sk-test-key');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByText('Test passed').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Model added.').waitFor();
    await screenshot(page, '02-model');
    await addModel(page, 'backup');

    // A project with both models and a routing policy.
    await go(page, 'Projects');
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Name', { exact: true }).fill('team-a');
    await page.getByRole('checkbox', { name: 'mini', exact: true }).check();
    await page.getByRole('checkbox', { name: 'backup', exact: true }).check();
    await page.getByRole('button', { name: 'Create project' }).click();
    const created = page.getByRole('dialog');
    await created.getByText('you will not see it again', { exact: false }).waitFor();
    await created.getByRole('button', { name: 'Open project' }).click();
    await page.getByRole('tab', { name: 'Routing' }).click();
    const cheapest = page.getByRole('group', { name: 'cheapest' });
    await cheapest.getByRole('checkbox').first().check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').first().waitFor();
    await screenshot(page, '03-project-routing');

    // A token, copied from the dialog that shows it once.
    await page.getByRole('tab', { name: 'Tokens' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByRole('dialog');
    await secret.getByRole('button', { name: 'Copy' }).click();
    token = await page.evaluate(() => navigator.clipboard.readText());
    expect(token).toMatch(/^sk-rt-/);
    await secret.getByRole('button', { name: 'Done' }).click();
    projectUrl = page.url();

    // The app calls the proxy with the official client and that token.
    const openai = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: token, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hello from the dashboard test' }] });
    expect(completion.choices[0]?.message.content).toBeTruthy();

    // Logs: the call, and its routing trace.
    await go(page, 'Logs');
    await page.getByRole('link').filter({ hasText: /\d/ }).first().click();
    await page.getByRole('heading', { name: 'Candidates' }).waitFor();
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    await screenshot(page, '04-call-trace');

    // Usage and Overview count it.
    await go(page, 'Usage');
    await page.getByRole('cell', { name: 'team-a' }).first().waitFor();
    await screenshot(page, '05-usage');
    await go(page, 'Overview');
    await page.getByText('Busiest projects').waitFor();
    await screenshot(page, '06-overview');

    // Revoked in the dashboard, the token is refused at once.
    await page.goto(projectUrl);
    await page.getByRole('tab', { name: 'Tokens' }).click();
    await page.getByRole('button', { name: 'Revoke token ci' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('button', { name: 'Revoke token ci' }).waitFor({ state: 'detached' });
    await expect(openai.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'again' }] })).rejects.toMatchObject({ status: 401 });

    for (const [label, name] of [['Playground', '07-playground'], ['Users', '08-users'], ['Settings', '09-settings']] as const) {
      await go(page, label);
      await screenshot(page, name);
    }
    expect(unexpected(problems)).toEqual([]);
    await context.close();
  });

  it('shows a viewer only what they may see, with no button they cannot use', async () => {
    // The viewer, made through the API by the admin, is a member of team-a with the viewer role.
    const admin = await fetch(`${stack.gateway.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const { token: session } = (await admin.json()) as { token: string };
    const auth = { authorization: `Bearer ${session}`, 'content-type': 'application/json' };
    const user = (await (await fetch(`${stack.gateway.url}/api/users`, { method: 'POST', headers: auth, body: JSON.stringify({ ...VIEWER, role: 'viewer' }) })).json()) as { id: string };
    const projects = (await (await fetch(`${stack.gateway.url}/api/projects`, { headers: auth })).json()) as { projects?: { id: string }[] } | { id: string }[];
    const project = (Array.isArray(projects) ? projects : projects.projects!)[0]!;
    const put = await fetch(`${stack.gateway.url}/api/projects/${project.id}`, { method: 'PUT', headers: auth, body: JSON.stringify({ members: [{ userId: user.id, role: 'viewer' }] }) });
    expect(put.status).toBe(200);

    const { context, page, problems } = await openPage(browser, { phone: true, colorScheme: 'dark' });
    await page.goto(stack.dashboard);
    await page.getByLabel('Email').fill(VIEWER.email);
    await page.getByLabel('Password', { exact: true }).fill(VIEWER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Menu' }).click();
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links).not.toContain('Users');
    expect(links).toContain('Models');
    await go(page, 'Models');
    await page.getByRole('link', { name: 'mini', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Add model' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Menu' }).click();
    await go(page, 'Projects');
    expect(await page.getByRole('button', { name: 'New project' }).count()).toBe(0);
    await page.getByRole('link', { name: 'team-a' }).click();
    await page.getByRole('tab', { name: 'Tokens' }).click();
    await page.getByRole('tabpanel').waitFor();
    expect(await page.getByRole('button', { name: /^(Revoke|Create token|Delete project|Save)/ }).count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Members' }).count()).toBe(0);
    await screenshot(page, '10-viewer-phone');
    expect(unexpected(problems)).toEqual([]);
    await context.close();
  });
});
