// People for tests: accounts made in process with a personal token, or with the command line on a city's
// data dir as an administrator would, and signing in through the real sign-in page.
import type { Browser, Page } from 'playwright-core';
import type { Actor, People } from '../../people/people.js';
import { ROLES, type Role } from '../../people/roles.js';
import { openPage } from './browser.js';
import { runCli } from './cli.js';

export interface Person {
  name: string;
  role: Role;
  password: string;
}

/** A person with a password of their own (12 characters or more, not containing the name), not yet added. */
export const person = (name: string, role: Role): Person => ({
  name,
  role,
  password: `a long and private pass phrase, number ${ROLES.indexOf(role) + 1}`,
});

/** `citygauge users add NAME --role ROLE --password-stdin --data-dir DIR`; works beside a running city. */
export async function addPerson(dataDir: string, p: Person): Promise<Person> {
  const r = await runCli(
    ['users', 'add', p.name, '--role', p.role, '--password-stdin', '--data-dir', dataDir],
    {
      input: `${p.password}\n`,
    },
  );
  if (r.code !== 0) throw new Error(`citygauge users add ${p.name} failed (${r.code}): ${r.stderr}`);
  return p;
}

/** `citygauge tokens issue NAME`: the personal bearer token, printed once. */
export async function issueToken(dataDir: string, name: string): Promise<string> {
  const r = await runCli(['tokens', 'issue', name, '--data-dir', dataDir]);
  const token = /^(cgt_\S+)\n$/.exec(r.stdout)?.[1];
  if (r.code !== 0 || !token)
    throw new Error(`citygauge tokens issue ${name} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return token;
}

/**
 * Signs in through GET/POST /signin as a person would, and waits until the browser has left the sign-in
 * page for `next`. A refused sign-in fails with the reason the page shows.
 */
export async function signIn(
  page: Page,
  base: string,
  name: string,
  password: string,
  next = '/dashboard',
): Promise<void> {
  await page.goto(`${base}/signin?next=${encodeURIComponent(next)}`);
  await page.locator('#name').fill(name);
  await page.locator('#password').fill(password);
  await Promise.all([
    page
      .waitForURL((u) => u.pathname !== '/signin', { timeout: 30_000 })
      .catch(async () => {
        const why = await page
          .locator('.error')
          .textContent()
          .catch(() => null);
        throw new Error(`${name} could not sign in: ${why ?? page.url()}`);
      }),
    page.locator('button[type=submit]').first().click(),
  ]);
}

/**
 * The first sign-in with a one-time password: the sign-in page sends the person to choose their own
 * password (/account/password), and then on to `next`.
 */
export async function signInFirstTime(
  page: Page,
  base: string,
  name: string,
  oneTime: string,
  password: string,
  next = '/dashboard',
): Promise<void> {
  await page.goto(`${base}/signin?next=${encodeURIComponent(next)}`);
  await page.locator('#name').fill(name);
  await page.locator('#password').fill(oneTime);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/account/password', { timeout: 30_000 }),
    page.locator('button[type=submit]').first().click(),
  ]);
  await page.locator('#current').fill(oneTime);
  await page.locator('#password').fill(password);
  await page.locator('#again').fill(password);
  await Promise.all([
    page
      .waitForURL((u) => u.pathname !== '/account/password', { timeout: 30_000 })
      .catch(async () => {
        const why = await page
          .locator('.error')
          .textContent()
          .catch(() => null);
        throw new Error(`${name} could not choose a password: ${why ?? page.url()}`);
      }),
    page.locator('button[type=submit]').first().click(),
  ]);
}

/** A fresh browser context (its own cookies) with `p` signed in, and the errors it logs. */
export async function openAs(
  browser: Browser,
  base: string,
  p: { name: string; password: string },
  opts: { timezoneId?: string } = {},
): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, opts);
  await signIn(opened.page, base, p.name, p.password);
  return opened;
}

/** A `cg_session` cookie for `p`, signed in with fetch: for plain HTTP requests as that person. */
export async function sessionCookie(base: string, p: { name: string; password: string }): Promise<string> {
  const res = await fetch(`${base}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: p.name, password: p.password, next: '/dashboard' }).toString(),
  });
  const cookie = /^(cg_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (res.status !== 303 || !cookie)
    throw new Error(`${p.name} could not sign in (${res.status}): ${await res.text()}`);
  return cookie;
}

/** The command line, as the audit trail records a test's own setup. */
export const TEST_ACTOR: Actor = { name: 'cli:test', role: null, via: 'cli', address: null };

/** Adds `name` with `role` and returns a personal token (`cgt_…`) that acts as them (in process). */
export async function personWithToken(people: People, name: string, role: Role): Promise<string> {
  await people.addLocal(name, role, TEST_ACTOR, 'correct horse battery staple');
  return (await people.issueToken(name, {}, TEST_ACTOR)).token;
}
