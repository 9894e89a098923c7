// The review pages in a real browser (Debian's chromium, driven by playwright-core), as an
// officer and an auditor would use them. tests/web/web_test.py starts the servers, holds the
// messages and passes their ids in AUP_BROWSER_TEST (JSON); it then checks the sink and the
// trail itself. Screenshots go to the directory it names.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const input = JSON.parse(process.env.AUP_BROWSER_TEST);
const base = input.base_url;
const dialogs = [];

async function signIn(browser, name, { keyboard = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', async (dialog) => { dialogs.push(dialog.message()); await dialog.dismiss(); });
  await page.goto(`${base}/login`);
  if (keyboard) {
    // The account field has focus on arrival; Tab reaches the password, Enter submits.
    await page.waitForFunction(() => document.activeElement?.id === 'name');
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(input.password);
    await page.keyboard.press('Enter');
  } else {
    await page.getByLabel('Account').fill(name);
    await page.getByLabel('Password').fill(input.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.waitForURL(`${base}/`);
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: `${input.screenshots}/${name}.png`, fullPage: false });
}

async function decide(page, id, button, confirmLabel, note) {
  await page.goto(`${base}/item/${id}`);
  await page.getByRole('link', { name: button }).click();
  if (note) await page.getByLabel(/Note/).fill(note);
  if (confirmLabel === 'Release') await shot(page, 'confirm-release');
  await page.getByRole('button', { name: confirmLabel, exact: true }).click();
  await page.waitForLoadState();
  return page.locator('main').innerText();
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const { context, page } = await signIn(browser, 'olivia');
  await shot(page, 'queue');

  // Filter the queue down to one message, then open it.
  await page.getByLabel('Search').fill(input.release_subject);
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/q=/);
  assert.match(await page.locator('.count').innerText(), /^1 message\(s\) match/);
  await page.getByRole('link', { name: input.release_subject }).click();
  await page.waitForURL(`${base}/item/${input.release_id}`);
  assert.ok(await page.locator('main mark').count() > 0, 'the matched excerpt is highlighted');
  await shot(page, 'message');

  const released = await decide(page, input.release_id, 'Release to its recipients', 'Release', 'checked with the sender');
  assert.match(released, /Status\s+released/, released);
  const deleted = await decide(page, input.delete_id, 'Delete', 'Delete', '');
  assert.match(deleted, /Status\s+deleted/, deleted);

  await page.goto(`${base}/audit`);
  const trail = await page.locator('main').innerText();
  for (const [id, action] of [[input.release_id, 'released'], [input.delete_id, 'deleted']]) {
    assert.ok(trail.split('\n').some((line) => line.includes(id) && line.includes('olivia') && line.includes(action)),
      `${action} ${id} by olivia in the audit trail`);
  }
  await shot(page, 'audit');
  await page.goto(`${base}/summary`);
  await shot(page, 'summary');

  // A hostile message: its markup is text, nothing runs.
  await page.goto(`${base}/item/${input.hostile_id}`);
  assert.ok((await page.locator('main').innerText()).includes('<script>window.pwned=1</script>'));
  assert.equal(await page.evaluate(() => window.pwned), undefined, 'script from the message ran');
  assert.equal(await page.locator('main script, main img').count(), 0);

  // A form posted without its CSRF token is refused, even with the session cookie.
  const forged = await context.request.post(`${base}/item/${input.hostile_id}/delete`, { form: { note: 'forged' } });
  assert.equal(forged.status(), 403);

  // An auditor (signed in with the keyboard alone) reads but cannot release.
  const auditor = await signIn(browser, 'audrey', { keyboard: true });
  await auditor.page.goto(`${base}/item/${input.hostile_id}`);
  assert.equal(await auditor.page.getByRole('link', { name: 'Release to its recipients' }).count(), 0);
  const csrf = await auditor.page.locator('input[name=csrf]').first().getAttribute('value');
  const refused = await auditor.context.request.post(`${base}/item/${input.hostile_id}/release`, { form: { csrf, note: 'x' } });
  assert.equal(refused.status(), 403);

  assert.deepEqual(dialogs, [], 'a script from a message opened a dialog');
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
