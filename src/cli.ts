/**
 * The `broadside` command: run the server, migrate, import, and manage members and API tokens.
 * Errors are printed as one line naming the problem; the exit code is 2 for bad configuration or
 * usage and 1 for anything else.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { migrations } from '../migrations/index.js';
import { isRole, ROLES } from './accounts/model.js';
import type { Role } from './accounts/model.js';
import * as accounts from './accounts/service.js';
import type { Runtime } from './runtime.js';
import {
  accountsContext,
  closeRuntime,
  createRuntime,
  packageVersion,
  statementsContext,
} from './runtime.js';
import { loadDemoContent } from './interchange/demo.js';
import { checkComments, loadCurrentRules } from './moderation/check.js';
import {
  DEFAULT_CLEARANCE_NOTE,
  describeImport,
  importTextThread,
} from './interchange/import-text.js';
import { parseTextThread, TextThreadError } from './interchange/text-thread.js';
import type { CommandTools } from './interchange/commands.js';
import { importArchiveCommand, registerInterchangeCommands } from './interchange/commands.js';
import type { ImportContext } from './interchange/import-engine.js';
import { isXmlFormat, runImportCommand, sizeOfImportFile } from './interchange/import-command.js';
import { ImportFileError } from './interchange/xml-stream.js';
import { discussionSettingsOf } from './discussion/model.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { MigrationError } from './platform/database/migrate.js';
import { AppError } from './platform/errors.js';
import { createLogger } from './platform/logger.js';
import { isValidSlug, SLUG_MAX_LENGTH } from './statements/model.js';

class UsageError extends Error {}
/** What the command was given cannot be used (a file that cannot be read or is malformed): exit 1. */
class InputError extends Error {}

function parseRole(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError(`use one of ${ROLES.join(', ')}.`);
  return value;
}

/** Runs `work` with a runtime for one-off commands: quiet logs, closed afterwards. */
async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const runtime = await createRuntime(config, {
    logger: createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn', 'stderr'),
  });
  try {
    return await work(runtime);
  } finally {
    await closeRuntime(runtime);
  }
}

/** What the export, backup, person and archive-import commands (interchange) borrow from here. */
const interchangeTools: CommandTools = {
  withRuntime,
  usageError: (message) => new UsageError(message),
  inputError: (message) => new InputError(message),
  migrations,
};

async function siteIdOf(runtime: Runtime): Promise<string> {
  return (await accounts.ensureSite(accountsContext(runtime), { name: 'Broadside' })).id;
}

async function memberByEmail(runtime: Runtime, email: string) {
  return accounts.findMemberByEmail(accountsContext(runtime), await siteIdOf(runtime), email);
}

function linkUrl(runtime: Runtime, path: string): string {
  if (!process.env.BASE_URL?.trim()) {
    console.error(
      `note: BASE_URL is not set, so this link assumes the server runs at ${runtime.config.baseUrl}; run the command with the server's BASE_URL (or HOST and PORT) if it does not.`,
    );
  }
  return new URL(path, runtime.config.baseUrl).toString();
}

async function serve(): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(config);
  if (config.database.kind === 'postgres' && !config.secret) {
    runtime.logger.warn(
      `SECRET is not set: this instance uses its own from ${config.dataDir}; set the same SECRET on every instance that shares the database, or sessions will not carry over between them`,
    );
  }
  if (config.demoContent) await loadDemo(runtime);
  // The server's routes and pages are loaded only to serve: the other commands start faster and
  // smaller without them (an import's peak memory is about 30 MB lower).
  const { buildApp } = await import('./app.js');
  const { app, site } = await buildApp(runtime);
  const ctx = accountsContext(runtime);
  const purge = () =>
    accounts
      .purgeExpired(ctx)
      .catch((error: unknown) =>
        runtime.logger.warn({ err: error }, 'purging expired sessions failed'),
      );
  await purge();
  const purgeTimer = setInterval(() => void purge(), 60 * 60_000).unref();
  const shutdown = async (signal: string) => {
    clearInterval(purgeTimer);
    runtime.logger.info(`${signal} received: closing`);
    await app.close();
    await closeRuntime(runtime);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const code = (error as { code?: string }).code;
    await closeRuntime(runtime);
    if (code === 'EADDRINUSE')
      throw new UsageError(
        `PORT: ${config.port} is already in use on ${config.host}; choose another port`,
      );
    if (code === 'EACCES')
      throw new UsageError(`PORT: not allowed to listen on ${config.port}; use a port above 1023`);
    throw error;
  }
  const where = config.database.kind === 'sqlite' ? config.database.file : 'PostgreSQL';
  console.log(`Broadside ${runtime.version} is running at ${config.baseUrl} (database: ${where})`);
  if (await accounts.needsOwner(ctx, site.id)) {
    const link = await accounts.issueSetupLink(ctx);
    console.log(
      [
        '',
        'This site has no owner yet. To create the owner account, open this one-time link (valid for 24 hours):',
        `  ${new URL(link.path, config.baseUrl).toString()}`,
        'or run:  npx broadside user add --email you@example.org --role owner',
        '',
      ].join('\n'),
    );
  }
}

/** Loads the sample documents on a site's first start; a failure is logged and the server starts. */
async function loadDemo(runtime: Runtime): Promise<void> {
  try {
    const loaded = await loadDemoContent(statementsContext(runtime), {
      siteId: await siteIdOf(runtime),
    });
    if (loaded) {
      runtime.logger.info(
        { statements: loaded.map((summary) => summary.slug) },
        `loaded the demo content: ${loaded.length} sample statements (set DEMO_CONTENT=false to start without them)`,
      );
    }
  } catch (error) {
    runtime.logger.warn(
      { err: error },
      'the demo content could not be loaded; starting without it',
    );
  }
}

interface ImportOptions {
  format: string;
  author?: string;
  slug?: string;
  clearanceNote?: string;
  dryRun?: boolean;
  strict?: boolean;
  batchSize?: number;
}

function parseBatchSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new InvalidArgumentError('use a whole number from 1 to 100000.');
  return n;
}

/** A WordPress or Disqus export: streamed in batches, with progress and a summary. */
async function importExport(file: string, format: 'wxr' | 'disqus', options: ImportOptions) {
  for (const [option, given] of [
    ['--author', options.author],
    ['--slug', options.slug],
  ] as const) {
    if (given !== undefined)
      throw new UsageError(
        `${option}: only for --format text; a ${format} export names its authors and slugs`,
      );
  }
  try {
    sizeOfImportFile(file); // a missing file stops here, before the database is opened
  } catch (error) {
    if (error instanceof ImportFileError) throw new InputError(error.problem);
    throw error;
  }
  await withRuntime(async (runtime) => {
    const site = await accounts.ensureSite(accountsContext(runtime), { name: 'Broadside' });
    const settings = discussionSettingsOf(site.settings);
    const ctx: ImportContext = {
      statements: statementsContext(runtime, settings),
      siteId: site.id,
      secret: runtime.secret,
      addressSaltDays: runtime.config.ipHashSaltDays,
      baseUrl: runtime.config.baseUrl,
      settings,
    };
    const { ok } = await runImportCommand(
      ctx,
      {
        file,
        format,
        dryRun: options.dryRun,
        strict: options.strict,
        batchSize: options.batchSize,
      },
      { stdout: process.stdout, stderr: process.stderr },
    );
    if (!ok) process.exitCode = 1;
  });
}

/** Reads a file to import as UTF-8 text, or says in one line why it cannot. */
function readTextFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new InputError(`cannot read ${file}: ${why}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${file}: is not UTF-8 text; save it as UTF-8 and import it again`);
  }
}

/** An import's failure as `FILE:LINE: problem` (or `FILE: problem`); other errors unchanged. */
function importProblem(file: string, error: unknown): unknown {
  if (error instanceof TextThreadError) {
    return new InputError(`${file}:${error.line}: ${error.message.replace(/^line \d+: /, '')}`);
  }
  if (error instanceof AppError) return new InputError(`${file}: ${error.message}`);
  return error;
}

async function importFile(file: string, options: ImportOptions): Promise<void> {
  if (options.format === 'broadside') return importArchiveCommand(interchangeTools, file, options);
  if (isXmlFormat(options.format)) return importExport(file, options.format, options);
  if (options.format !== 'text') {
    throw new UsageError(
      `--format: "${options.format}" is not a format broadside imports; use text (the plain-text thread form), wxr (a WordPress export), disqus (a Disqus export) or broadside (a Broadside archive)`,
    );
  }
  if (options.author === undefined) {
    throw new UsageError(
      "--author: required with --format text: the text does not name the statement's author",
    );
  }
  if (options.strict || options.batchSize !== undefined) {
    throw new UsageError(
      '--strict and --batch-size are for wxr and disqus; a text import is one transaction',
    );
  }
  if (options.slug !== undefined && !isValidSlug(options.slug)) {
    throw new UsageError(
      `--slug: "${options.slug}" is not a slug; use lower-case letters, digits and single hyphens, at most ${SLUG_MAX_LENGTH} characters`,
    );
  }
  const text = readTextFile(file);
  try {
    parseTextThread(text); // a malformed file stops here, before the database is opened
  } catch (error) {
    throw importProblem(file, error);
  }
  await withRuntime(async (runtime) => {
    let summary;
    try {
      summary = await importTextThread(statementsContext(runtime), {
        siteId: await siteIdOf(runtime),
        text,
        authorName: options.author,
        slug: options.slug,
        clearanceNote: options.clearanceNote,
        dryRun: options.dryRun,
      });
    } catch (error) {
      throw importProblem(file, error);
    }
    for (const warning of summary.warnings) console.error(`warning: ${warning}`);
    console.log(describeImport(summary));
    console.log(`  ${linkUrl(runtime, `s/${summary.slug}`)}`);
  });
}

function buildCli(): Command {
  const program = new Command('broadside')
    .description('Draft, clear, publish and publicly debate statements.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
    // Commander would exit with 1 on a usage error; throw instead, so that it exits with 2 below.
    // Subcommands inherit this, so it must come before they are added.
    .exitOverride();

  program
    .command('serve')
    .description('run the web server (configuration from environment variables; see README)')
    .action(serve);

  program
    .command('migrate')
    .description('bring the database schema up to date (also done by `serve` on start)')
    .action(async () => {
      const config = loadConfig();
      const runtime = await createRuntime(config, { logger: createLogger('warn', 'stderr') });
      await closeRuntime(runtime);
      console.log(
        `The ${config.database.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database is up to date.`,
      );
    });

  program
    .command('import')
    .description(
      'import statements and their comments from a file; importing it again creates only what is missing',
    )
    .argument('<file>', 'the file to import')
    .requiredOption(
      '--format <format>',
      "the file's format: text (the plain-text thread form of the sample), wxr (a WordPress export), disqus (a Disqus export) or broadside (a Broadside archive)",
    )
    .option(
      '--author <name>',
      "text only: the statement's author, which the text does not name; their own comments get the author badge",
    )
    .option('--slug <slug>', "the statement's address, /s/<slug> (default: made from the title)")
    .option('--clearance-note <text>', 'how it was cleared', DEFAULT_CLEARANCE_NOTE)
    .option('--dry-run', 'check everything and say what would be created, writing nothing')
    .option('--strict', 'wxr and disqus: stop at the first record that cannot be imported')
    .option(
      '--batch-size <n>',
      'wxr and disqus: records per transaction (default 2000)',
      parseBatchSize,
    )
    .action((file: string, options: ImportOptions) => importFile(file, options));

  const user = program.command('user').description('manage members of the site');
  user
    .command('add')
    .description('add a member and print a one-time link for them to set their password')
    .requiredOption('--email <email>', 'their e-mail address')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .option('--name <name>', 'the name shown for them (default: the part of the e-mail before @)')
    .action((options: { email: string; role: Role; name?: string }) =>
      withRuntime(async (runtime) => {
        const { member, link } = await accounts.addMember(accountsContext(runtime), {
          siteId: await siteIdOf(runtime),
          email: options.email,
          displayName: options.name,
          role: options.role,
        });
        console.log(`Added ${member.email} as ${member.role}.`);
        console.log(`Send them this one-time link to set their password (valid for 24 hours):`);
        console.log(`  ${linkUrl(runtime, link.path)}`);
      }),
    );
  user
    .command('list')
    .description('list the members and their roles')
    .action(() =>
      withRuntime(async (runtime) => {
        const members = await accounts.listMembers(
          accountsContext(runtime),
          await siteIdOf(runtime),
        );
        if (members.length === 0) {
          console.log(
            'No members yet. Add the owner with: broadside user add --email you@example.org --role owner',
          );
          return;
        }
        const rows = members.map((m) => [
          m.email,
          m.role,
          m.displayName,
          m.hasPassword ? 'yes' : 'not yet',
        ]);
        printTable(['E-MAIL', 'ROLE', 'NAME', 'PASSWORD SET'], rows);
      }),
    );
  user
    .command('set-role')
    .description("change a member's role")
    .requiredOption('--email <email>', 'their e-mail address')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .action((options: { email: string; role: Role }) =>
      withRuntime(async (runtime) => {
        const member = await accounts.setRole(accountsContext(runtime), {
          siteId: await siteIdOf(runtime),
          email: options.email,
          role: options.role,
        });
        console.log(`${member.email} is now ${member.role}.`);
      }),
    );
  user
    .command('reset')
    .description('print a new one-time link for a member to set their password')
    .requiredOption('--email <email>', 'their e-mail address')
    .action((options: { email: string }) =>
      withRuntime(async (runtime) => {
        const { member, link } = await accounts.issuePasswordLink(accountsContext(runtime), {
          siteId: await siteIdOf(runtime),
          email: options.email,
        });
        console.log(
          `A new password link for ${member.email} (valid for 24 hours; earlier links stop working):`,
        );
        console.log(`  ${linkUrl(runtime, link.path)}`);
      }),
    );

  user
    .command('sign-out')
    .description("end all of a member's sessions (they must sign in again)")
    .requiredOption('--email <email>', 'their e-mail address')
    .action((options: { email: string }) =>
      withRuntime(async (runtime) => {
        const ctx = accountsContext(runtime);
        const member = await memberByEmail(runtime, options.email);
        const ended = await accounts.signOutEverywhere(ctx, member.id);
        console.log(`Ended ${ended} session${ended === 1 ? '' : 's'} of ${member.email}.`);
      }),
    );

  const token = program.command('token').description("manage members' personal API tokens");
  token
    .command('create')
    .description('create an API token for a member; the token is printed once, on standard output')
    .requiredOption('--email <email>', "the member's e-mail address")
    .option('--name <name>', 'what the token is for', 'command line')
    .action((options: { email: string; name: string }) =>
      withRuntime(async (runtime) => {
        const ctx = accountsContext(runtime);
        const member = await memberByEmail(runtime, options.email);
        const created = await accounts.createApiToken(ctx, {
          accountId: member.id,
          name: options.name,
        });
        console.error(
          `Created token "${created.apiToken.name}" (id ${created.apiToken.id}) for ${member.email}. It is not shown again:`,
        );
        console.log(created.token);
      }),
    );
  token
    .command('list')
    .description("list a member's API tokens (never the tokens themselves)")
    .requiredOption('--email <email>', "the member's e-mail address")
    .action((options: { email: string }) =>
      withRuntime(async (runtime) => {
        const ctx = accountsContext(runtime);
        const member = await memberByEmail(runtime, options.email);
        const tokens = await accounts.listApiTokens(ctx, member.id);
        if (tokens.length === 0) {
          console.log(`${member.email} has no API tokens.`);
          return;
        }
        printTable(
          ['ID', 'NAME', 'STARTS WITH', 'CREATED', 'LAST USED', 'STATUS'],
          tokens.map((t) => [
            t.id,
            t.name,
            `${t.hint}…`,
            t.createdAt.toISOString(),
            t.lastUsedAt?.toISOString() ?? 'never',
            t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active',
          ]),
        );
      }),
    );
  token
    .command('revoke')
    .description('revoke an API token by its id (see `token list`)')
    .argument('<id>', 'the token id')
    .action((id: string) =>
      withRuntime(async (runtime) => {
        const revoked = await accounts.revokeApiToken(accountsContext(runtime), { tokenId: id });
        console.log(`Revoked token "${revoked.name}" (${revoked.id}).`);
      }),
    );

  const moderation = program.command('moderation').description("try out the site's moderation");
  moderation
    .command('check')
    .description(
      "judge comments read from standard input, one a line (plain text, or JSON lines with body, authorName, authorEmail), under the site's current rules; prints one JSON line per comment and stores nothing",
    )
    .action(() =>
      withRuntime(async (runtime) => {
        const { siteId, rules } = await loadCurrentRules(runtime.db);
        const summary = await checkComments({
          input: process.stdin,
          output: process.stdout,
          rules,
          siteId,
          now: runtime.clock.now(),
        });
        if (summary.failed > 0) {
          throw new InputError(
            `${summary.failed} of ${summary.comments} lines could not be checked; their output lines say why`,
          );
        }
      }),
    );

  registerInterchangeCommands(program, interchangeTools);
  return program;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  for (const row of [header, ...rows]) {
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
}

/** One line for a person, not a stack trace, for the errors a person can act on. */
function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof ConfigError || error instanceof UsageError)
    return { message: error.message, exitCode: 2 };
  if (error instanceof AppError || error instanceof InputError)
    return { message: error.message, exitCode: 1 };
  if (error instanceof MigrationError) return { message: error.message, exitCode: 1 };
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000') {
    return {
      message: `DATABASE_URL: cannot connect to PostgreSQL: ${(error as Error).message}`,
      exitCode: 1,
    };
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'EACCES') {
    return {
      message: `DATA_DIR: cannot open the database file: ${(error as Error).message}`,
      exitCode: 1,
    };
  }
  return {
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    exitCode: 1,
  };
}

try {
  await buildCli().parseAsync(process.argv);
} catch (error) {
  // Commander has already printed its message (or the help, or the version).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  const { message, exitCode } = describeFailure(error);
  console.error(`broadside: ${message}`);
  process.exit(exitCode);
}
