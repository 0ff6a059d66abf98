// The `broadside` command as people use it: the built bin/broadside.js run as a child process,
// each test on a fresh DATA_DIR (and a fresh PostgreSQL database when BROADSIDE_TEST_POSTGRES is set).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { SESSION_COOKIE } from '../src/accounts/model.js';
import { openDatabase } from '../src/platform/database/index.js';
import type { CliResult, Installation } from './helpers/cli.js';
import { createInstallation, runCli, tableRows } from './helpers/cli.js';
import { databaseKinds } from './helpers/databases.js';
import { Browser } from './helpers/http.js';

const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** An empty DATA_DIR that is removed after the test, for commands that must not get as far as storage. */
function emptyDataDir(onTestFinished: (fn: () => void) => void): string {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'broadside-cli-'));
  onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

/** The one line a failed command printed on standard error (and fails unless it is exactly one). */
function onlyErrorLine(result: CliResult): string {
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.slice(0, -1).split('\n')).toHaveLength(1);
  return result.stderr.trimEnd();
}

/** The link a command printed, e.g. `http://127.0.0.1:8080/password/<token>`. */
function printedLink(stdout: string, kind: 'password' | 'setup'): URL {
  const match = new RegExp(`(https?://\\S+/${kind}/[A-Za-z0-9_-]{20,})\\s*$`, 'm').exec(stdout);
  if (!match?.[1]) throw new Error(`no ${kind} link in:\n${stdout}`);
  return new URL(match[1]);
}

/** `broadside user add` → `['user', 'add']`. */
const argsOf = (command: string) => command.split(' ').slice(1);

function expectSuccess(result: CliResult): void {
  expect(result, result.stderr).toMatchObject({ code: 0 });
}

describe.concurrent('broadside --version and --help', () => {
  it("prints package.json's version", async () => {
    const result = await runCli(['--version'], { env: {} });
    expect(result).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it.for([
    { command: 'broadside', lists: 'serve, migrate, user, token' },
    { command: 'broadside user', lists: 'add, list, set-role, reset' },
    { command: 'broadside token', lists: 'create, list, revoke' },
  ])('$command --help lists $lists', async ({ command, lists }) => {
    const result = await runCli([...argsOf(command), '--help'], { env: {} });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const commandsSection = result.stdout.split(/^Commands:$/m)[1] ?? '';
    for (const name of lists.split(', ')) {
      expect(commandsSection).toMatch(new RegExp(`^ +${name}\\b`, 'm'));
    }
  });

  it.for([
    { command: 'broadside serve', mentions: [] },
    { command: 'broadside migrate', mentions: [] },
    {
      command: 'broadside user add',
      mentions: ['--email', '--role', '--name', 'owner, editor, author, moderator'],
    },
    { command: 'broadside user list', mentions: [] },
    { command: 'broadside user set-role', mentions: ['--email', '--role'] },
    { command: 'broadside user reset', mentions: ['--email'] },
    { command: 'broadside token create', mentions: ['--email', '--name'] },
    { command: 'broadside token list', mentions: ['--email'] },
    { command: 'broadside token revoke', mentions: ['<id>'] },
  ])('$command --help describes the command', async ({ command, mentions }) => {
    const result = await runCli([...argsOf(command), '--help'], { env: {} });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: ${command} `));
    for (const text of mentions) expect(result.stdout).toContain(text);
  });
});

describe.concurrent.for(['serve', 'migrate'])('broadside %s with bad configuration', (command) => {
  it.for([
    { name: 'PORT', value: 'abc' },
    { name: 'DATABASE_URL', value: 'mysql://x' },
    { name: 'LOG_LEVEL', value: 'loud' },
    { name: 'SECRET', value: 'short' },
  ])(
    'stops with exit code 2 and one line naming $name, touching nothing',
    async ({ name, value }, { onTestFinished }) => {
      const dataDir = emptyDataDir(onTestFinished);
      const result = await runCli([command], { env: { DATA_DIR: dataDir, [name]: value } });
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(onlyErrorLine(result)).toMatch(new RegExp(`^broadside: ${name}: \\S`));
      expect(result.stdout).toBe('');
      expect(readdirSync(dataDir)).toEqual([]);
    },
  );
});

describe.concurrent('broadside user add with wrong arguments', () => {
  it('names the valid roles when given an unknown one, and exits with 2', async ({
    onTestFinished,
  }) => {
    const dataDir = emptyDataDir(onTestFinished);
    const result = await runCli(['user', 'add', '--email', 'a@example.org', '--role', 'king'], {
      env: { DATA_DIR: dataDir },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "option '--role <role>' argument 'king' is invalid. use one of owner, editor, author, moderator",
    );
    expect(result.stdout).toBe('');
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('says that --email is required when it is missing, and exits with 2', async ({
    onTestFinished,
  }) => {
    const dataDir = emptyDataDir(onTestFinished);
    const result = await runCli(['user', 'add', '--role', 'owner'], { env: { DATA_DIR: dataDir } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--email <email>' not specified");
    expect(result.stdout).toBe('');
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

describe.concurrent.for(databaseKinds)('the broadside command on $name', (kind) => {
  const install = (onTestFinished: (fn: () => Promise<void>) => void) =>
    createInstallation(kind, onTestFinished);

  async function addOwner(
    site: Installation | { cli: Installation['cli'] },
    email = 'a@example.org',
  ) {
    const result = await site.cli('user', 'add', '--email', email, '--role', 'owner');
    expectSuccess(result);
    return result;
  }

  it('migrate creates and brings a fresh database up to date, and can be run again', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    const sqliteFile = path.join(site.dataDir, 'broadside.db');
    const upToDate = `The ${kind.name === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database is up to date.\n`;

    const first = await site.cli('migrate');
    expect(first).toEqual({ code: 0, stdout: upToDate, stderr: '' });
    expect(existsSync(sqliteFile)).toBe(kind.name === 'sqlite');

    const second = await site.cli('migrate');
    expect(second).toEqual({ code: 0, stdout: upToDate, stderr: '' });

    const database = openDatabase<{ kysely_migration: { name: string } }>(site.target);
    try {
      const applied = await database.db
        .selectFrom('kysely_migration')
        .select('name')
        .orderBy('name')
        .execute();
      expect(applied.map((row) => row.name)).toEqual(Object.keys(migrations).sort());
    } finally {
      await database.close();
    }
  });

  it('user add prints a one-time password link, and user list shows the member without a password yet', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    const added = await addOwner(site);
    expect(added.stdout).toContain('Added a@example.org as owner.');
    expect(printedLink(added.stdout, 'password').toString()).toMatch(
      /^http:\/\/127\.0\.0\.1:8080\/password\/[A-Za-z0-9_-]{20,}$/,
    );

    const list = await site.cli('user', 'list');
    expectSuccess(list);
    expect(tableRows(list.stdout)).toEqual([
      ['E-MAIL', 'ROLE', 'NAME', 'PASSWORD SET'],
      ['a@example.org', 'owner', 'a', 'not yet'],
    ]);
  });

  it('user add refuses an e-mail address that is already a member, whatever its case', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    await addOwner(site);
    const again = await site.cli('user', 'add', '--email', 'A@Example.org', '--role', 'editor');
    expect(again.code).toBe(1);
    expect(onlyErrorLine(again)).toBe(
      'broadside: a@example.org is already a member; change their role with `user set-role`.',
    );
    expect(again.stdout).toBe('');
  });

  it('user add refuses an invalid e-mail address', async ({ onTestFinished }) => {
    const site = await install(onTestFinished);
    const result = await site.cli('user', 'add', '--email', 'not-an-address', '--role', 'editor');
    expect(result.code).toBe(1);
    expect(onlyErrorLine(result)).toBe(
      'broadside: "not-an-address" is not a valid e-mail address.',
    );
    expect(tableRows((await site.cli('user', 'list')).stdout)).toEqual([
      [
        'No members yet. Add the owner with: broadside user add --email you@example.org --role owner',
      ],
    ]);
  });

  it('user set-role will not demote the last owner, and will once there is another', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    await addOwner(site);
    const refused = await site.cli(
      'user',
      'set-role',
      '--email',
      'a@example.org',
      '--role',
      'editor',
    );
    expect(refused.code).toBe(1);
    expect(onlyErrorLine(refused)).toBe(
      'broadside: This is the only owner; make someone else owner first.',
    );

    await addOwner(site, 'b@example.org');
    const changed = await site.cli(
      'user',
      'set-role',
      '--email',
      'a@example.org',
      '--role',
      'editor',
    );
    expect(changed).toEqual({ code: 0, stdout: 'a@example.org is now editor.\n', stderr: '' });
    const roles = tableRows((await site.cli('user', 'list')).stdout).map(([email, role]) => [
      email,
      role,
    ]);
    expect(roles).toEqual(
      expect.arrayContaining([
        ['a@example.org', 'editor'],
        ['b@example.org', 'owner'],
      ]),
    );
  });

  it('user reset prints a new password link', async ({ onTestFinished }) => {
    const site = await install(onTestFinished);
    const first = printedLink((await addOwner(site)).stdout, 'password');
    const reset = await site.cli('user', 'reset', '--email', 'a@example.org');
    expectSuccess(reset);
    expect(reset.stdout).toContain('A new password link for a@example.org');
    const second = printedLink(reset.stdout, 'password');
    expect(second.toString()).not.toBe(first.toString());
  });

  it('commands for an e-mail address that is not a member say so and exit with 1', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    await addOwner(site);
    const commands = [
      ['user', 'reset', '--email', 'nobody@example.org'],
      ['user', 'set-role', '--email', 'nobody@example.org', '--role', 'editor'],
      ['token', 'create', '--email', 'nobody@example.org'],
      ['token', 'list', '--email', 'nobody@example.org'],
    ];
    for (const command of commands) {
      const result = await site.cli(...command);
      expect(result.code, command.join(' ')).toBe(1);
      expect(onlyErrorLine(result)).toBe(
        'broadside: No member with the e-mail nobody@example.org.',
      );
      expect(result.stdout).toBe('');
    }
  });

  it('token create prints only the token on standard output, and what it made on standard error', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    await addOwner(site);
    const created = await site.cli('token', 'create', '--email', 'a@example.org', '--name', 'ci');
    expectSuccess(created);
    expect(created.stdout).toMatch(/^bst_[A-Za-z0-9_-]{20,}\n$/);
    expect(onlyErrorLine(created)).toMatch(
      /^Created token "ci" \(id \S+\) for a@example\.org\. It is not shown again:$/,
    );
  });

  it('token list shows ids and names but never the token, and token revoke marks one revoked', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    await addOwner(site);
    const token = (
      await site.cli('token', 'create', '--email', 'a@example.org', '--name', 'ci')
    ).stdout.trim();
    await site.cli('token', 'create', '--email', 'a@example.org', '--name', 'deploy');

    const before = await site.cli('token', 'list', '--email', 'a@example.org');
    expectSuccess(before);
    expect(before.stdout).not.toContain(token);
    const [header, ...rows] = tableRows(before.stdout);
    expect(header).toEqual(['ID', 'NAME', 'STARTS WITH', 'CREATED', 'LAST USED', 'STATUS']);
    expect(rows.map((row) => [row[1], row[5]]).sort()).toEqual([
      ['ci', 'active'],
      ['deploy', 'active'],
    ]);
    const ci = rows.find((row) => row[1] === 'ci');
    const id = ci?.[0] ?? '';
    expect(id).toMatch(/^\S{8,}$/);
    expect(token.startsWith((ci?.[2] ?? '').replace(/…$/, ''))).toBe(true);

    const revoked = await site.cli('token', 'revoke', id);
    expect(revoked).toEqual({ code: 0, stdout: `Revoked token "ci" (${id}).\n`, stderr: '' });

    const after = await site.cli('token', 'list', '--email', 'a@example.org');
    expect(after.stdout).not.toContain(token);
    const statuses = Object.fromEntries(
      tableRows(after.stdout)
        .slice(1)
        .map((row) => [row[1], row[5]]),
    );
    expect(statuses).toEqual({
      ci: expect.stringMatching(/^revoked \d{4}-\d\d-\d\dT/),
      deploy: 'active',
    });
  });

  it('token revoke of an unknown id says so and exits with 1', async ({ onTestFinished }) => {
    const site = await install(onTestFinished);
    const result = await site.cli('token', 'revoke', 'no-such-token');
    expect(result.code).toBe(1);
    expect(onlyErrorLine(result)).toBe('broadside: No token with the id no-such-token.');
  });

  it('a token from token create authenticates API requests to the server until token revoke', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    const server = await site.serve();
    await addOwner(site);
    const token = (
      await site.cli('token', 'create', '--email', 'a@example.org', '--name', 'ci')
    ).stdout.trim();
    const me = () =>
      fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });

    const allowed = await me();
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({
      email: 'a@example.org',
      role: 'owner',
      authMethod: 'token',
    });

    const id =
      tableRows((await site.cli('token', 'list', '--email', 'a@example.org')).stdout)[1]?.[0] ?? '';
    expectSuccess(await site.cli('token', 'revoke', id));

    const refused = await me();
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({
      error: { code: 'invalid-token', message: expect.stringMatching(/revoked/) },
    });
  });

  it('a password link from user add lets the member choose a password and sign in', async ({
    onTestFinished,
  }) => {
    const site = await install(onTestFinished);
    const server = await site.serve();
    // With the server's PORT and HOST, the printed link points at the server.
    const added = await runCli(['user', 'add', '--email', 'a@example.org', '--role', 'owner'], {
      env: server.env,
    });
    expectSuccess(added);
    const link = printedLink(added.stdout, 'password');
    expect(link.origin).toBe(server.url);

    const browser = new Browser(server.url);
    const form = await browser.get(link.pathname);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain(`<form method="post" action="${link.pathname}"`);
    const password = 'a long enough password';
    const set = await browser.postForm(link.pathname, {
      _csrf: await browser.csrfTokenFrom(link.pathname),
      email: 'a@example.org',
      password,
      confirm: password,
    });
    expect(set.status).toBe(303);
    expect(set.headers.get('location')).toBe('/signin?password=set');

    const signedIn = await browser.postForm('/signin', {
      _csrf: await browser.csrfTokenFrom('/signin'),
      email: 'a@example.org',
      password,
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/admin');
    expect(browser.hasCookie(SESSION_COOKIE)).toBe(true);

    const admin = await browser.get('/admin');
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('You are signed in as <strong>owner</strong>');

    const list = await site.cli('user', 'list');
    expect(tableRows(list.stdout)[1]).toEqual(['a@example.org', 'owner', 'a', 'yes']);
  });
});
