/**
 * The command-line side of interchange: `export` (a Broadside archive or WXR), `backup`,
 * `person export|erase`, and the restore behind `import --format broadside`. The `broadside`
 * program (src/cli.ts) registers these and lends them its runtime and its error kinds. Data goes to
 * standard output only when asked for (no FILE, or `-`), and then nothing else does: summaries,
 * progress and the log go to standard error.
 */
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { isValidEmail, normaliseEmail } from '../accounts/model.js';
import { ensureSite } from '../accounts/service.js';
import type { Clock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import { loadConfig } from '../platform/config.js';
import { backupSqliteFile, BackupError } from '../platform/database/backup.js';
import { AppError } from '../platform/errors.js';
import type { EventBus } from '../platform/event-bus.js';
import type { Ids } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import type { Migrations } from '../platform/database/migrate.js';
import { ArchiveError, schemaOf } from './archive-model.js';
import type { ArchiveDb } from './archive-store.js';
import { exportArchive } from './export-archive.js';
import { exportWxr } from './export-wxr.js';
import type { ImportArchiveSummary } from './import-archive.js';
import { importBroadsideArchive } from './import-archive.js';
import {
  archiveExportView,
  createProgressDisplay,
  restoreView,
  wxrExportView,
} from './import-progress.js';
import type { Line } from './lines.js';
import { LineReadError, readLines } from './lines.js';
import { countsInWords } from './audit.js';
import {
  describeErasure,
  erasePersonalData,
  exportPersonalData,
  previewErasure,
} from './personal-data.js';
import type { ClosableSink } from './text-sink.js';
import { fileSink, streamSink } from './text-sink.js';

/** What these commands use of the program's runtime (src/app.ts's `Runtime` has it all). */
export interface CommandRuntime {
  config: Config;
  secret: string;
  logger: Logger;
  db: ArchiveDb;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  version: string;
}

/** What the program lends: its runtime for one command, and its kinds of error (exit 2 and 1). */
export interface CommandTools {
  withRuntime<T>(work: (runtime: CommandRuntime) => Promise<T>): Promise<T>;
  /** Wrong usage: exit code 2. */
  usageError(message: string): Error;
  /** Input that cannot be used, or a failure a person can act on: exit code 1. */
  inputError(message: string): Error;
  /** This program's migrations, oldest first. */
  migrations: Migrations;
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const count = (n: number, what: string) =>
  `${n.toLocaleString('en')} ${n === 1 ? what.replace(/s$/, '') : what}`;

/** No FILE, or `-`: standard output. */
const toStdout = (file: string | undefined): file is undefined | '-' =>
  file === undefined || file === '-';

/** Standard output, or FILE by way of a partial copy renamed into place when complete. */
function sinkFor(file: string | undefined): ClosableSink {
  return toStdout(file) ? streamSink(process.stdout) : fileSink(file);
}

async function writeAll<T>(
  tools: CommandTools,
  sink: ClosableSink,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const result = await work();
    await sink.finish();
    return result;
  } catch (error) {
    await sink.abandon();
    // `broadside export | head`: the reader has gone, which is theirs to decide, not a crash.
    if ((error as { code?: string }).code === 'EPIPE') {
      throw tools.inputError('standard output was closed before everything was written');
    }
    throw error;
  }
}

function requireEmail(tools: CommandTools, email: string): string {
  const normalised = normaliseEmail(email);
  if (!isValidEmail(normalised))
    throw tools.usageError(`--email: "${email}" is not an e-mail address`);
  return normalised;
}

// --- export ----------------------------------------------------------------------------------

interface ExportOptions {
  format: string;
  withSecrets?: boolean;
}

async function exportCommand(
  tools: CommandTools,
  file: string | undefined,
  options: ExportOptions,
): Promise<void> {
  if (options.format !== 'broadside' && options.format !== 'wxr') {
    throw tools.usageError(
      `--format: "${options.format}" is not one of broadside (the whole site, to restore or move to PostgreSQL) or wxr (WordPress)`,
    );
  }
  if (options.format === 'wxr' && options.withSecrets) {
    throw tools.usageError('--with-secrets: a WXR file never holds secrets; leave it out');
  }
  const where = toStdout(file) ? 'standard output' : file;
  await tools.withRuntime(async (runtime) => {
    const sink = sinkFor(file);
    if (options.format === 'wxr') {
      const site = await ensureSite(runtime, { name: 'Broadside' });
      const progress = createProgressDisplay(process.stderr, 'export', wxrExportView);
      const summary = await writeAll(tools, sink, () =>
        exportWxr(runtime, {
          siteId: site.id,
          siteName: site.name,
          baseUrl: runtime.config.baseUrl,
          linkOf: (statement) => new URL(`s/${statement.slug}`, runtime.config.baseUrl).toString(),
          generator: `Broadside ${runtime.version}`,
          sink,
          onProgress: (p) =>
            progress.update({
              phase: 'writing',
              done: p.posts + p.comments,
              total: p.totalPosts + p.totalComments,
              count: p.comments,
              detail: `${p.posts.toLocaleString('en')} of ${p.totalPosts.toLocaleString('en')} posts, ${p.comments.toLocaleString('en')} of ${p.totalComments.toLocaleString('en')} comments written`,
            }),
        }),
      ).finally(() => progress.stop());
      say(
        `Wrote ${count(summary.posts, 'posts')}${summary.drafts > 0 ? ` (${count(summary.drafts, 'drafts')})` : ''} and ${count(summary.comments, 'comments')} to ${where} (WordPress WXR 1.2).`,
      );
      if (summary.pageThreadsLeftOut > 0) {
        say(
          `note: ${count(summary.pageThreadsLeftOut, 'discussions')} of other sites' pages (the embed) have no post in WordPress and are not in the file; the Broadside archive (--format broadside) has them.`,
        );
      }
      return;
    }
    const progress = createProgressDisplay(process.stderr, 'export', archiveExportView);
    const summary = await writeAll(tools, sink, () =>
      exportArchive(runtime, {
        sink,
        withSecrets: options.withSecrets === true,
        migrations: Object.keys(tools.migrations),
        onProgress: (p) =>
          progress.update({
            phase: 'writing',
            done: p.written,
            total: p.total,
            count: p.written,
            detail: p.table,
          }),
      }),
    ).finally(() => progress.stop());
    const rows = summary.rows.reduce((total, table) => total + table.rows, 0);
    const detail = summary.rows
      .filter((table) => table.rows > 0)
      .map((table) => `${table.table} ${table.rows.toLocaleString('en')}`)
      .join(', ');
    say(
      rows === 0
        ? `The database is empty: wrote only the archive's header to ${where}.`
        : `Wrote ${count(rows, 'rows')} (${detail}) to ${where}.`,
    );
    if (summary.notListed.length > 0) {
      say(
        `warning: the archive leaves out ${summary.notListed.join(', ')}, which this Broadside's table list does not name (a bug: please report it); back up the database itself as well`,
      );
    }
    if (options.withSecrets) {
      say(
        'note: this archive holds password hashes, sessions and API tokens: keep it as safe as the database itself.',
      );
    } else {
      say(
        'note: without --with-secrets, members set new passwords after a restore (`broadside user reset`), and sessions and API tokens are not carried over.',
      );
    }
  });
}

// --- import --format broadside ----------------------------------------------------------------

export interface ArchiveImportOptions {
  dryRun?: boolean;
  strict?: boolean;
  /** Rows per transaction. */
  batchSize?: number;
  /** The text import's options, which an archive does not take. */
  author?: string;
  slug?: string;
}

/** A problem of the archive as `FILE:LINE: reason`. */
function atLine(file: string, line: number | undefined, message: string): string {
  return line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`;
}

/** One line per table that had rows, then what to do next. */
function describeRestore(file: string, summary: ImportArchiveSummary): string[] {
  const verb = summary.dryRun
    ? 'would restore'
    : summary.resumed
      ? 'resumed and restored'
      : 'restored';
  const lines = [`${file}: ${verb}:`];
  if (summary.tables.every((table) => table.created + table.skipped + table.failed === 0))
    lines.push('  nothing: the archive has no rows');
  for (const table of summary.tables) {
    if (table.created + table.skipped + table.failed === 0) continue;
    const parts = [`${table.created.toLocaleString('en')} created`];
    if (table.skipped > 0) parts.push(`${table.skipped.toLocaleString('en')} already there`);
    if (table.failed > 0) parts.push(`${table.failed.toLocaleString('en')} failed`);
    lines.push(`  ${table.table}: ${parts.join(', ')}`);
  }
  if (summary.upgraded.length > 0) {
    lines.push(
      `The archive was made at an older schema (${schemaOf(summary.header)}): it ${summary.dryRun ? 'would be' : 'was'} restored at that level and brought up to date by ${count(summary.upgraded.length, 'later migrations')} (${summary.upgraded.join(', ')}).`,
    );
  }
  if (summary.dryRun) lines.push('Nothing was written (--dry-run).');
  if (summary.problemCount > 0) {
    lines.push(
      `${count(summary.problemCount, 'problems')}: the lines above were not restored; fix them and import again (rows already restored are skipped).`,
    );
  }
  const accounts = summary.tables.find((table) => table.table === 'accounts')?.created ?? 0;
  if (!summary.header.withSecrets && !summary.dryRun && accounts > 0) {
    lines.push(
      'The archive has no passwords: members set new ones with a link from `broadside user reset --email …` (an owner can also use the setup link `broadside serve` prints).',
    );
  }
  return lines;
}

/** `broadside import FILE --format broadside`: restores an archive into an empty database. */
export async function importArchiveCommand(
  tools: CommandTools,
  file: string,
  options: ArchiveImportOptions,
): Promise<void> {
  for (const [option, given] of [
    ['--author', options.author],
    ['--slug', options.slug],
  ] as const) {
    if (given !== undefined) {
      throw tools.usageError(
        `${option}: only for --format text; an archive restores its statements as they were`,
      );
    }
  }
  await tools.withRuntime(async (runtime) => {
    let summary: ImportArchiveSummary;
    const total = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    let read = 0;
    // Every line is read twice (checked, then restored): each pass counts its bytes afresh.
    const counted = async function* (lines: AsyncIterable<Line>) {
      read = 0;
      for await (const line of lines) {
        read += Buffer.byteLength(line.text) + 1;
        yield line;
      }
    };
    const progress = createProgressDisplay(process.stderr, 'restore', restoreView);
    try {
      summary = await importBroadsideArchive(runtime, {
        open: () => counted(readLines(file)),
        migrations: tools.migrations,
        dryRun: options.dryRun,
        strict: options.strict,
        batchRows: options.batchSize,
        onProgress: (p) =>
          progress.update(
            p.phase === 'upgrading'
              ? { phase: p.phase, done: p.done, total: p.total, count: 0 }
              : { phase: p.phase, done: read, total, count: p.rows },
          ),
      });
    } catch (error) {
      if (error instanceof ArchiveError || error instanceof LineReadError)
        throw tools.inputError(atLine(file, error.line, error.message));
      if (error instanceof AppError) throw tools.inputError(`${file}: ${error.message}`);
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT') throw tools.inputError(`cannot read ${file}: no such file`);
      if (code === 'EISDIR') throw tools.inputError(`cannot read ${file}: it is a directory`);
      if (code === 'EACCES') throw tools.inputError(`cannot read ${file}: permission denied`);
      throw error;
    } finally {
      progress.stop();
    }
    for (const problem of summary.problems) say(atLine(file, problem.line, problem.message));
    if (summary.problemCount > summary.problems.length) {
      say(`${file}: and ${count(summary.problemCount - summary.problems.length, 'more problems')}`);
    }
    process.stdout.write(`${describeRestore(file, summary).join('\n')}\n`);
    if (summary.problemCount > 0) process.exitCode = 1;
  });
}

// --- backup ----------------------------------------------------------------------------------

async function backupCommand(tools: CommandTools, file: string): Promise<void> {
  const config = loadConfig();
  if (config.database.kind === 'postgres') {
    throw tools.usageError(
      'backup copies a SQLite database, and this one is PostgreSQL (DATABASE_URL). Use pg_dump: pg_dump --format=custom --file=FILE "$DATABASE_URL" (restore with pg_restore); or `broadside export FILE` for an archive any Broadside can restore',
    );
  }
  const source = config.database.file;
  let result;
  try {
    result = await backupSqliteFile(source, file);
  } catch (error) {
    if (error instanceof BackupError) throw tools.inputError(error.message);
    throw error;
  }
  const megabytes = (result.bytes / 1e6).toFixed(1);
  process.stdout.write(
    `Backed up ${source} to ${file} (${megabytes} MB, integrity ${result.integrity}).\n`,
  );
  say(
    `note: keep the secret with it (SECRET, or ${config.dataDir}/secret): sessions, the links in mails sent and address hashes depend on it. To restore, stop the server and put the copy in place of ${source}.`,
  );
}

// --- person ----------------------------------------------------------------------------------

async function confirmed(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    prompt.close();
  }
}

export function registerInterchangeCommands(program: Command, tools: CommandTools): void {
  program
    .command('export')
    .description(
      'write the whole site as a Broadside archive (to back it up or move it to PostgreSQL), or as WordPress WXR',
    )
    .argument('[file]', 'where to write it (none, or -: standard output)')
    .option(
      '--format <format>',
      'broadside (the whole site, NDJSON) or wxr (WordPress)',
      'broadside',
    )
    .option(
      '--with-secrets',
      'include password hashes, sessions, API tokens, edit tokens and address hashes',
    )
    .action((file: string | undefined, options: ExportOptions) =>
      exportCommand(tools, file, options),
    );

  program
    .command('backup')
    .description(
      'copy the SQLite database to FILE while the server runs (a consistent snapshot); for PostgreSQL use pg_dump',
    )
    .argument('<file>', 'the copy to make (must not exist yet)')
    .action((file: string) => backupCommand(tools, file));

  const person = program
    .command('person')
    .description("answer a person's request for their data, or for its erasure");
  person
    .command('export')
    .description('write everything stored about an e-mail address as JSON')
    .requiredOption('--email <email>', 'their e-mail address')
    .argument('[file]', 'where to write it (none, or -: standard output)')
    .action((file: string | undefined, options: { email: string }) =>
      tools.withRuntime(async (runtime) => {
        const email = requireEmail(tools, options.email);
        const sink = sinkFor(file);
        const document = await writeAll(tools, sink, async () => {
          const found = await exportPersonalData(runtime, {
            email,
            actor: { kind: 'command-line' },
          });
          await sink.write(`${JSON.stringify(found, null, 2)}\n`);
          return found;
        });
        const counts = countsInWords(
          Object.fromEntries(
            Object.entries(document)
              .filter(([, value]) => Array.isArray(value))
              .map(([name, value]) => [name, (value as unknown[]).length]),
          ),
        );
        say(
          `Wrote the data of ${email} (${counts || 'nothing stored'}${document.account ? ', and a member account' : ''}) to ${toStdout(file) ? 'standard output' : file}.`,
        );
      }),
    );
  person
    .command('erase')
    .description(
      "remove an address's name, e-mail, website and address hashes from its comments (which stay, by \"removed at the author's request\"), end its reply subscriptions, delete its co-signatures, take it out of bans and unlink the member's reports",
    )
    .requiredOption('--email <email>', 'their e-mail address')
    .option('--yes', 'do not ask for confirmation')
    .action((options: { email: string; yes?: boolean }) =>
      tools.withRuntime(async (runtime) => {
        const email = requireEmail(tools, options.email);
        const ctx = runtime;
        const preview = await previewErasure(ctx, { email });
        const total = Object.values(preview.counts).reduce((sum, n) => sum + n, 0);
        if (preview.account) {
          say(
            `note: ${email} is also the member account "${preview.account.displayName}"; the account is kept — remove the member separately if they asked for that too.`,
          );
        }
        if (total === 0) {
          say(`${email}: nothing to erase (nothing is stored about the address).`);
          return;
        }
        say(describeErasure(preview, true));
        if (!options.yes) {
          if (!process.stdin.isTTY) {
            throw tools.usageError(
              'erasure cannot be undone: run again with --yes to confirm (nothing was changed)',
            );
          }
          if (!(await confirmed('Erase it? This cannot be undone. Type yes to go on: '))) {
            say('Nothing was changed.');
            return;
          }
        }
        const summary = await erasePersonalData(ctx, { email, actor: { kind: 'command-line' } });
        process.stdout.write(`${describeErasure(summary)}\n`);
      }),
    );
}
