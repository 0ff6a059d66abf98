/**
 * Reading an XML export as a stream of records in constant memory: the file is read in chunks of
 * 1 MiB, decoded as UTF-8 and fed to saxes; whatever records a chunk completes are yielded before
 * the next chunk is read, so memory holds one chunk and the records it made, whatever the file's
 * size. Errors name the line and column (1-based) where the file goes wrong.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { SaxesParser } from 'saxes';
import { UnprocessableError } from '../platform/errors.js';
import { DEFAULT_ADDRESS_SALT_DAYS, hashAddress, saltPeriod } from '../platform/address-hash.js';

/** A place in the file: 1-based line and column (in characters). */
export interface Position {
  line: number;
  column: number;
}

export function formatPosition(position: Position): string {
  return `${position.line}:${position.column}`;
}

/** The file cannot be read further: not XML, truncated, not UTF-8, not the format asked for. */
export class ImportFileError extends UnprocessableError {
  constructor(
    readonly position: Position | undefined,
    readonly problem: string,
  ) {
    super(
      position ? `${formatPosition(position)}: ${problem}` : problem,
      'import-file-invalid',
      position ? { ...position } : undefined,
    );
  }
}

/** What a format's reader sees of the XML: elements with their text, and where they start. */
export interface XmlHandler<R> {
  /**
   * An element opens; `line` and `column` are where its `<` is (numbers, not a Position: this is
   * called for every element of files of millions, and only records need their place).
   */
  open(
    name: string,
    attributes: Record<string, string>,
    depth: number,
    line: number,
    column: number,
  ): void;
  /** Character data (text or CDATA) inside the innermost open element. */
  text(text: string): void;
  close(name: string, depth: number): void;
  /** Records made so far; the stream yields and empties it after every chunk. */
  readonly out: R[];
}

const CHUNK_BYTES = 1 << 20;

export interface XmlStreamOptions {
  /** Told of every chunk read, with the bytes read so far (for progress). */
  onBytes?: (bytesRead: number) => void;
}

/**
 * Streams `file` through `handler`, yielding its records as they are completed. Throws
 * {@link ImportFileError} for a file that cannot be read as XML, after yielding every record
 * completed before the problem.
 */
export async function* streamXml<R>(
  file: string,
  handler: XmlHandler<R>,
  options: XmlStreamOptions = {},
): AsyncGenerator<R> {
  const parser = new SaxesParser<{ position: true; xmlns: false }>({
    position: true,
    xmlns: false,
  });
  // The open elements, innermost last, and where each starts (kept in arrays of primitives).
  const openNames: string[] = [];
  const openLines: number[] = [];
  const openColumns: number[] = [];
  let tagLine = 1;
  let tagColumn = 1;
  let sawRoot = false;
  let failure: ImportFileError | undefined;
  // The last character read: saxes's column is the 0-based index of the next one.
  const here = (): Position => ({ line: parser.line, column: Math.max(1, parser.column) });

  parser.on('error', (error) => {
    // saxes prefixes "line:column: "; the position is ours to give.
    const problem = problemOf(error.message);
    failure ??= new ImportFileError(
      here(),
      sawRoot
        ? `the XML is malformed here (${problem}); what was complete before it was read`
        : `the file is not XML (${problem})`,
    );
    throw failure;
  });
  parser.on('opentagstart', (tag) => {
    // saxes has read `<`, the name and the character that ended it.
    tagLine = parser.line;
    tagColumn = Math.max(1, parser.column - tag.name.length - 1);
  });
  parser.on('opentag', (tag) => {
    sawRoot = true;
    openNames.push(tag.name);
    openLines.push(tagLine);
    openColumns.push(tagColumn);
    const depth = openNames.length;
    handler.open(tag.name, tag.attributes, depth, tagLine, tagColumn);
    if (tag.isSelfClosing) {
      openNames.pop();
      openLines.pop();
      openColumns.pop();
      handler.close(tag.name, depth);
    }
  });
  parser.on('text', (text) => handler.text(text));
  parser.on('cdata', (text) => handler.text(text));
  parser.on('closetag', (tag) => {
    if (tag.isSelfClosing) return; // closed above, right after it opened
    const depth = openNames.length;
    openNames.pop();
    openLines.pop();
    openColumns.pop();
    handler.close(tag.name, depth);
  });

  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const handle = await openFile(file);
  let bytesRead = 0;
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const n = await readChunk(handle, buffer, file);
      let text: string;
      try {
        text = decoder.decode(buffer.subarray(0, n), { stream: n > 0 });
      } catch {
        if (bytesRead === 0) notXml(buffer.subarray(0, n), '');
        throw new ImportFileError(
          here(),
          `the file is not UTF-8 text (an invalid byte follows, within the ${formatBytes(bytesRead, n)}); save the export as UTF-8`,
        );
      }
      if (bytesRead === 0 && n > 0) notXml(buffer.subarray(0, n), text);
      bytesRead += n;
      if (text !== '') writeTo(parser, text, () => failure);
      options.onBytes?.(bytesRead);
      yield* drain(handler.out);
      if (n === 0) break;
    }
  } finally {
    await handle.close();
  }
  if (bytesRead === 0) throw new ImportFileError(undefined, 'the file is empty');
  const unclosed = openNames.length - 1;
  if (unclosed >= 0) {
    yield* drain(handler.out);
    const at = `${openLines[unclosed]}:${openColumns[unclosed]}`;
    throw new ImportFileError(
      here(),
      `the file ends inside <${openNames[unclosed]}> (opened at ${at}): it is truncated; what was complete before it was read`,
    );
  }
  if (!sawRoot)
    throw new ImportFileError(here(), 'the file has no XML element at all: it is not XML');
  writeClose(parser, () => failure);
  yield* drain(handler.out);
}

/**
 * Refuses, from its first bytes, a file that is plainly not XML: compressed, or starting with
 * something other than `<` (after white space and a byte-order mark).
 */
function notXml(bytes: Buffer, text: string): void {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b)
    throw new ImportFileError(undefined, 'the file is compressed (gzip): decompress it first');
  if (bytes[0] === 0x50 && bytes[1] === 0x4b)
    throw new ImportFileError(undefined, 'the file is a ZIP archive: unpack the export first');
  const start = /[^\s\ufeff]/.exec(text);
  if (!start || text[start.index] === '<') return;
  const before = text.slice(0, start.index).split('\n');
  const snippet = text.slice(start.index, start.index + 40).split('\n')[0] ?? '';
  throw new ImportFileError(
    { line: before.length, column: (before.at(-1) ?? '').length + 1 },
    `the file is not XML: it starts with “${snippet}”, where XML starts with “<”`,
  );
}

function* drain<R>(out: R[]): Generator<R> {
  // Records are taken out before they are yielded, so that none is kept for longer than needed.
  const records = out.splice(0, out.length);
  yield* records;
}

function writeTo(parser: SaxesParser, text: string, failure: () => ImportFileError | undefined) {
  try {
    parser.write(text);
  } catch (error) {
    throw failure() ?? error;
  }
}

function writeClose(parser: SaxesParser, failure: () => ImportFileError | undefined) {
  try {
    parser.close();
  } catch (error) {
    throw failure() ?? error;
  }
}

function problemOf(message: string): string {
  return message.replace(/^(?:[^:]*:)?\d+:\d+: /, '').replace(/\.$/, '');
}

function formatBytes(before: number, chunk: number): string {
  return `bytes ${before.toLocaleString('en')}–${(before + chunk).toLocaleString('en')}`;
}

/** The file cannot be opened or read at all. */
export class UnreadableFileError extends ImportFileError {}

function unreadable(file: string, error: unknown): UnreadableFileError {
  const code = (error as { code?: string }).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (error as Error).message;
  return new UnreadableFileError(undefined, `cannot read ${file}: ${why}`);
}

async function openFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }
}

async function readChunk(handle: FileHandle, buffer: Buffer, file: string): Promise<number> {
  try {
    return (await handle.read(buffer, 0, buffer.length, null)).bytesRead;
  } catch (error) {
    throw unreadable(file, error);
  }
}

/** What keys the hashes of commenters' addresses: the server's SECRET and IP_HASH_SALT_DAYS. */
export interface AddressKey {
  secret: string;
  /** How many days one salt lasts; the server's default when absent. */
  saltDays?: number;
}

/**
 * Hashes of commenters' addresses made as the server makes them for posted comments
 * (`hashAddress`: the salt of the period the comment was written in), so that an imported hash
 * compares with the server's for the same address and period. `''` without a valid date (such a
 * comment is refused anyway). The last few thousand are remembered: the same people comment again
 * and again.
 */
export function addressHasher(
  key: AddressKey,
): (address: string, seenAt: Date | undefined) => string {
  const cache = new Map<string, string>();
  return (address, seenAt) => {
    if (seenAt === undefined || Number.isNaN(seenAt.getTime())) return '';
    const period = saltPeriod(seenAt, key.saltDays ?? DEFAULT_ADDRESS_SALT_DAYS);
    const cacheKey = `${period}\u0000${address}`;
    let hash = cache.get(cacheKey);
    if (hash === undefined) {
      hash = hashAddress({ secret: key.secret, address, now: seenAt, saltDays: key.saltDays });
      if (cache.size >= 4_096) cache.clear();
      cache.set(cacheKey, hash);
    }
    return hash;
  };
}
