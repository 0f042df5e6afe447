// The main path through Switchboard in a real Chromium: first-run setup,
// sign-in, users, roles, settings, profile, and what an agent may see.
// Needs a fresh server with an empty database at SWITCHBOARD_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from '../support/common.mjs';
import { BASE, OUT, OWNER, invitationLink, launch } from '../support/common.mjs';

const AGENT = { name: 'Sam Agent', email: 'sam@acme.example', password: 'agents need long passwords too' };
const AGENT_MODULES = ['dashboard', 'contacts', 'conversations', 'quick_replies', 'media', 'templates', 'notifications'];
const NOT_AGENT_MODULES = ['users', 'roles', 'settings', 'channels', 'broadcasts', 'flows', 'api'];

let browser;
let page;
let pageErrors;

before(async () => {
  assert.ok(BASE, 'Set SWITCHBOARD_URL to the base URL of a freshly started server (empty database).');
  ({ browser, page, pageErrors } = await launch());
});

after(async () => {
  await browser?.close();
});

// The shared helpers on this file's page. Every sign-in here is into one
// tenant, Acme Support (Globex is created after the last of them).
const shot = (name) => e2e.shot(page, name);
const signIn = (user) => e2e.signIn(page, user);
const signOut = () => e2e.signOut(page);
const toast = (text) => e2e.toast(page, text);

async function sidebarModules() {
  return page.locator('[data-testid=sidebar] [data-module]').evaluateAll((els) => els.map((e) => e.dataset.module));
}

test('main path: setup, users, roles, settings, profile, agent access', async (t) => {
  await t.test('a fresh instance opens first-run setup', async () => {
    await page.goto('/');
    await page.waitForURL(/\/setup$/);
    await page.locator('[data-testid=setup-form]').waitFor();
    // The browser's own zone is preselected.
    assert.notEqual(await page.inputValue('#time_zone'), '');
    await shot('01-setup');
  });

  await t.test('setup signs the owner in', async () => {
    await page.fill('#tenant_name', 'Acme Support');
    await page.fill('#company_name', 'Acme Ltd');
    await page.selectOption('#time_zone', 'Europe/London');
    await page.selectOption('#default_country', 'GB');
    await page.fill('#owner_name', OWNER.name);
    await page.fill('#owner_email', OWNER.email);
    await page.fill('#owner_password', OWNER.password);
    await page.fill('#confirm_password', OWNER.password);
    await page.click('[data-testid=setup-submit]');
    await page.locator('[data-testid=sidebar]').waitFor();
    assert.equal((await page.textContent('[data-testid=tenant-name]')).trim(), 'Acme Support');
    assert.equal((await page.textContent('[data-testid=user-name]')).trim(), OWNER.name);
    const modules = await sidebarModules();
    for (const m of ['users', 'roles', 'settings']) assert.ok(modules.includes(m), `owner sidebar lacks ${m}: ${modules}`);
    await shot('02-owner-home');
  });

  await t.test('sign out, then sign in again', async () => {
    await signOut();
    await shot('03-login');
    // A wrong password shows the API's problem as a banner.
    await page.fill('#email', OWNER.email);
    await page.fill('#password', 'not the password at all');
    await page.click('[data-testid=login-submit]');
    await page.locator('[data-testid=error-banner]').waitFor();
    await shot('03b-login-error');
    // "Forgot password?" always answers the same way.
    await page.click('[data-testid=forgot-link]');
    await page.waitForURL(/\/forgot-password$/);
    await page.fill('#email', OWNER.email);
    await page.locator('button[type=submit]').click();
    await page.locator('[data-testid=forgot-sent]').waitFor();
    await shot('03c-forgot-password');
    await signIn(OWNER);
  });

  await t.test('the owner invites an agent, who chooses a password and joins', async () => {
    await page.click('[data-testid=nav-users]');
    await page.locator('[data-testid=users-table]').waitFor();
    await page.locator('[data-testid=user-row]', { hasText: OWNER.email }).waitFor();
    await shot('04-users');
    await page.click('[data-testid=add-user]');
    await page.locator('[data-testid=add-user-form]').waitFor();
    await page.fill('#user_name', AGENT.name);
    await page.fill('#user_email', AGENT.email);
    await page.locator('#user_role option', { hasText: 'Agent' }).first().waitFor({ state: 'attached' });
    await page.selectOption('#user_role', { label: 'Agent' });
    // Nobody chooses another person's password: there is no such field.
    assert.equal(await page.locator('#user_password').count(), 0);
    await shot('05-add-user');
    await page.click('[data-testid=add-user-submit]');
    await toast('invited by email');
    const row = page.locator(`[data-testid=user-row][data-email="${AGENT.email}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /Invited/);
    await page.locator('[data-testid=add-user-dialog]').waitFor({ state: 'detached' });
    await shot('06-users-with-invited-agent');

    // Sam opens the emailed link in his own browser.
    const link = new URL(await invitationLink(AGENT.email));
    assert.equal(link.pathname, '/accept-invite');
    const samContext = await browser.newContext({ viewport: { width: 1360, height: 860 }, baseURL: BASE });
    const sam = await samContext.newPage();
    sam.on('pageerror', (err) => pageErrors.push(String(err)));
    await sam.goto(link.pathname + link.search);
    await sam.locator('[data-testid=accept-invite-form][data-mode=new]').waitFor();
    assert.equal((await sam.textContent('h1')).trim(), 'Join Acme Support');
    assert.equal((await sam.textContent('[data-testid=invite-email]')).trim(), AGENT.email);
    assert.equal(await sam.inputValue('#name'), AGENT.name);
    await sam.fill('#password', AGENT.password);
    await sam.fill('#confirm_password', AGENT.password);
    await sam.evaluate(() => window.scrollTo(0, 0));
    await sam.screenshot({ path: `${OUT}06a-accept-invite-new-account.png`, fullPage: true });
    await sam.click('[data-testid=accept-invite-submit]');
    await sam.locator('[data-testid=sidebar]').waitFor();
    assert.equal((await sam.textContent('[data-testid=tenant-name]')).trim(), 'Acme Support');
    await samContext.close();

    await page.reload();
    await row.waitFor();
    await page.locator(`[data-testid=user-row][data-email="${AGENT.email}"]`, { hasText: 'Active' }).waitFor();
    await shot('06b-users-with-agent');
  });

  await t.test('login history of a user', async () => {
    await page.locator(`[data-testid=user-row][data-email="${OWNER.email}"] [data-testid=user-history]`).click();
    await page.locator('[data-testid=history-dialog]').waitFor();
    await page.locator('[data-testid=history-table] tbody tr').first().waitFor();
    await shot('07-login-history');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=history-dialog] [aria-label=Close]').click().catch(() => {});
    await page.locator('[data-testid=history-dialog]').waitFor({ state: 'detached' });
  });

  await t.test('roles: a custom role from the permission matrix', async () => {
    await page.click('[data-testid=nav-roles]');
    await page.locator('[data-testid=roles-table]').waitFor();
    await shot('08-roles');

    // Built-in roles are read-only.
    await page.locator('[data-testid=role-row][data-role=Agent] [data-testid=role-open]').click();
    await page.locator('[data-testid=permission-matrix]').waitFor();
    assert.ok(await page.locator('[data-testid="perm-conversations.view"]').isDisabled());
    assert.equal(await page.locator('[data-testid=save-role]').count(), 0);
    await shot('09-role-builtin');

    await page.click('[data-testid=nav-roles]');
    await page.click('[data-testid=new-role]');
    await page.locator('[data-testid=permission-matrix]').waitFor();
    await page.fill('#role_name', 'Support lead');
    await page.fill('#role_description', 'Runs the conversations and quick replies');
    await page.check('[data-testid="perm-conversations.edit"]');
    // Granting edit also grants view.
    assert.ok(await page.isChecked('[data-testid="perm-conversations.view"]'));
    await page.check('[data-testid=perm-row-quick_replies]');
    await page.check('[data-testid="perm-contacts.view"]');
    await shot('10-role-new');
    await page.click('[data-testid=save-role]');
    await page.waitForURL(/\/roles\/[0-9a-f-]{36}$/);
    await toast('Support lead');
    await page.locator('[data-testid=role-members]').waitFor();
    await shot('11-role-saved');

    await page.click('[data-testid=nav-roles]');
    const row = page.locator('[data-testid=role-row][data-role="Support lead"]');
    await row.waitFor();
    await page.locator('[data-testid=role-row][data-role="Support lead"] [data-testid=role-open]').click();
    await page.locator('[data-testid=permission-matrix]').waitFor();
    for (const p of ['conversations.view', 'conversations.edit', 'quick_replies.view', 'quick_replies.create', 'quick_replies.edit', 'quick_replies.delete', 'contacts.view']) {
      assert.ok(await page.isChecked(`[data-testid="perm-${p}"]`), `saved role lacks ${p}`);
    }
    assert.ok(!(await page.isChecked('[data-testid="perm-users.view"]')));
  });

  await t.test('settings: tenant form and tenants list', async () => {
    await page.click('[data-testid=nav-settings]');
    await page.locator('[data-testid=tenant-form]').waitFor();
    assert.equal(await page.inputValue('#tenant_name'), 'Acme Support');
    assert.equal(await page.inputValue('#time_zone'), 'Europe/London');
    await page.locator('[data-testid=tenants-table] tbody tr').first().waitFor();
    await shot('12-settings');
  });

  await t.test('profile: toggle a sound and save', async () => {
    await page.click('[data-testid=user-menu]');
    await page.click('[data-testid=menu-profile]');
    await page.locator('[data-testid=profile-form]').waitFor();
    const before = await page.isChecked('#sound-broadcasts');
    await page.locator('#sound-broadcasts').click();
    await page.click('[data-testid=save-profile]');
    await toast('Profile saved');
    await shot('13-profile');
    // The change survives a reload, so the server stored it.
    await page.reload();
    await page.locator('[data-testid=profile-form]').waitFor();
    assert.equal(await page.isChecked('#sound-broadcasts'), !before);
  });

  await t.test('a module not built yet says so', async () => {
    await page.click('[data-testid=nav-flows]');
    await page.locator('[data-testid=module-unavailable]').waitFor();
    await shot('14-module-placeholder');
  });

  await t.test('the agent sees only what Agent may view', async () => {
    await signOut();
    await signIn(AGENT);
    const modules = await sidebarModules();
    for (const m of AGENT_MODULES) assert.ok(modules.includes(m), `agent sidebar lacks ${m}: ${modules}`);
    for (const m of NOT_AGENT_MODULES) assert.ok(!modules.includes(m), `agent sidebar shows ${m}: ${modules}`);
    await shot('15-agent-home');

    await page.goto('/users');
    await page.locator('[data-testid=sidebar]').waitFor();
    await page.locator('[data-testid=no-access]').waitFor();
    assert.equal(await page.locator('[data-testid=users-table]').count(), 0);
    await shot('16-agent-users-denied');
  });

  await t.test('a second tenant: tenant picker and switcher', async () => {
    await signOut();
    await signIn(OWNER);
    await page.click('[data-testid=nav-settings]');
    await page.click('[data-testid=create-tenant]');
    await page.locator('[data-testid=create-tenant-dialog]').waitFor();
    await page.fill('#ws_name', 'Globex Sales');
    await page.fill('#ws_company', 'Globex Corp');
    await page.selectOption('#ws_time_zone', 'America/New_York');
    await page.selectOption('#ws_country', 'US');
    await page.fill('#tenant_owner_name', OWNER.name);
    await page.fill('#tenant_owner_email', OWNER.email);
    await shot('17-create-tenant');
    await page.click('[data-testid=create-tenant-submit]');
    await page.locator('[data-testid=tenant-result]').waitFor();
    await shot('18-tenant-created');
    await page.locator('[data-testid=tenant-result] button', { hasText: 'Done' }).click();
    await page.locator('[data-testid=tenants-table] tbody tr', { hasText: 'Globex Sales' }).waitFor();

    // Two tenants now: signing in asks which one.
    await signOut();
    await page.fill('#email', OWNER.email);
    await page.fill('#password', OWNER.password);
    await page.click('[data-testid=login-submit]');
    await page.waitForURL(/\/select-tenant$/);
    await page.locator('[data-testid=tenant-card]', { hasText: 'Globex Sales' }).waitFor();
    await shot('19-select-tenant');
    await page.locator('[data-testid=tenant-card]', { hasText: 'Acme Support' }).click();
    await page.locator('[data-testid=sidebar]').waitFor();
    assert.equal((await page.textContent('[data-testid=tenant-name]')).trim(), 'Acme Support');

    // The top bar switches between them.
    await page.click('[data-testid=tenant-switcher]');
    await page.locator('[data-testid=tenant-menu]').waitFor();
    await shot('20-tenant-switcher');
    await page.locator('[data-testid=tenant-menu] button', { hasText: 'Globex Sales' }).click();
    await page.locator('[data-testid=tenant-name]', { hasText: 'Globex Sales' }).waitFor();
    await shot('21-switched-tenant');
  });

  await t.test('someone with an account accepts an invitation by signing in', async () => {
    // Sam already has an account (in Acme Support); Globex invites him too.
    await page.click('[data-testid=nav-users]');
    await page.click('[data-testid=add-user]');
    await page.locator('[data-testid=add-user-form]').waitFor();
    await page.fill('#user_name', 'Sam from Acme');
    await page.fill('#user_email', AGENT.email);
    await page.locator('#user_role option', { hasText: 'Manager' }).first().waitFor({ state: 'attached' });
    await page.selectOption('#user_role', { label: 'Manager' });
    await page.click('[data-testid=add-user-submit]');
    const row = page.locator(`[data-testid=user-row][data-email="${AGENT.email}"]`);
    await row.waitFor();
    // The tenant sees only what it typed, and that he is invited.
    assert.match(await row.textContent(), /Sam from Acme/);
    assert.match(await row.textContent(), /Invited/);
    await shot('22-invited-existing-account');

    const link = new URL(await invitationLink(AGENT.email));
    await signOut();
    await page.goto(link.pathname + link.search);
    await page.locator('[data-testid=accept-invite-form][data-mode=existing]').waitFor();
    assert.equal((await page.textContent('h1')).trim(), 'Join Globex Sales');
    assert.equal(await page.locator('#confirm_password').count(), 0);
    // A wrong password is refused on the page.
    await page.fill('#password', 'not his password at all');
    await page.click('[data-testid=accept-invite-submit]');
    await page.locator('[data-testid=error-banner]').waitFor();
    await page.fill('#password', AGENT.password);
    await shot('23-accept-invite-existing-account');
    await page.click('[data-testid=accept-invite-submit]');
    await page.locator('[data-testid=sidebar]').waitFor();
    assert.equal((await page.textContent('[data-testid=tenant-name]')).trim(), 'Globex Sales');
    assert.equal((await page.textContent('[data-testid=user-name]')).trim(), AGENT.name, 'his own name, not what Globex typed');
    await shot('24-invitee-home');

    // The link worked once.
    await page.goto(link.pathname + link.search);
    await page.locator('[data-testid=invite-invalid]').waitFor();
    await page.goto('/');
    await page.locator('[data-testid=sidebar]').waitFor();
  });

  await t.test('a rejected access token is refreshed once; a dead session returns to sign-in', async () => {
    const spoil = (fields) =>
      page.evaluate((fields) => {
        const stored = JSON.parse(localStorage.getItem('switchboard.session'));
        for (const f of fields) stored.session[f] = 'spoiled-' + f;
        localStorage.setItem('switchboard.session', JSON.stringify(stored));
      }, fields);
    await spoil(['access_token']);
    await page.reload();
    await page.locator('[data-testid=sidebar]').waitFor();
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('switchboard.session')).session.access_token);
    assert.notEqual(token, 'spoiled-access_token');

    await spoil(['access_token', 'refresh_token']);
    await page.reload();
    await page.waitForURL(/\/login$/);
    assert.equal(await page.evaluate(() => localStorage.getItem('switchboard.session')), null);
  });

  await t.test('no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
