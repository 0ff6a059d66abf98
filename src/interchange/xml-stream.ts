/**
 * Reading an XML export as a stream of records in bounded memory: the file is read in chunks of
 * 1 MiB, decoded as UTF-8 and fed to saxes; whatever records a chunk completes are yielded before
 * the next chunk is read, so memory holds one chunk and the records it made, whatever the file's
 * size. Errors name the line and column (1-based) where the file goes wrong, and come after every
 * record completed before that place.
 *
 * A broken or hostile file ends with such an error, never by exhausting the reading thread's
 * memory (64 MB) or time: a DOCTYPE that declares entities (the "billion laughs", or an external
 * entity naming a file to read) is refused unread; so are elements nested deeper than
 * {@link MAX_DEPTH} and a single token — a text, a CDATA section, a tag with its attributes, a
 * comment — that would take saxes more than
 * {@link MAX_TOKEN_BYTES} to hold (it holds one whole until it ends). Characters XML forbids (a
 * vertical tab pasted from a word processor), which WordPress exports as they are, are read as
 * spaces and counted.
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
  /** Something worth a line in the summary that is not a record ("…read as spaces", 3 times). */
  note(note: string, count: number): void;
  /** Records made so far; the stream yields and empties it after every chunk. */
  readonly out: R[];
}

const CHUNK_BYTES = 1 << 20;
/** saxes is given a chunk this much at a time, so that a token's growth is checked often. */
const PIECE_CHARS = 1 << 16;
const START: Position = { line: 1, column: 1 };
/** Far deeper than any export nests (WordPress: 6 levels, Disqus: 4). */
export const MAX_DEPTH = 256;
/**
 * The most memory one token may take saxes to hold: a character takes one byte (ASCII) or two,
 * and every line break, entity or `]` inside a token a piece of its own (see {@link costOf}); the
 * reader gets 64 MB, and a reader may need a copy. An export's longest token is a post with
 * images pasted in as `data:` addresses, a few MB.
 */
export const MAX_TOKEN_BYTES = 16 * 1024 * 1024;
/** Forbidden in XML 1.0 (besides lone surrogates, which UTF-8 cannot hold). */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
/** The summary's note for them. */
export const FORBIDDEN_NOTE = 'control characters XML does not allow, read as spaces';

/**
 * The most characters of a post's or comment's body a reader keeps (what is longer marks its
 * record oversized), and of any other field (what is longer is cut).
 */
export const CONTENT_MAX_CHARS = MAX_TOKEN_BYTES;
export const FIELD_MAX_CHARS = 64 * 1024;
/** Why a post or comment whose body is longer than {@link CONTENT_MAX_CHARS} is not imported. */
export const TOO_LONG = `its text is too large to import (an import reads at most ${CONTENT_MAX_CHARS / 1024 / 1024} MB of one post or comment)`;
/** What a reader counts, besides its characters, for each piece of a field it joins. */
export const PIECE_COST = 64;

/**
 * The text of the one field a reader is reading (a title, a name, a body), bounded as it comes: a
 * body longer than {@link CONTENT_MAX_CHARS} is dropped whole (its record says why, and the
 * importer refuses it alone), any other field is cut at {@link FIELD_MAX_CHARS} (names and titles
 * are cut shorter later anyway). Each piece costs {@link PIECE_COST} besides its characters: a
 * field in a million pieces (CDATA sections) takes far more than its characters. One per reader,
 * reused for every field: primitives, not an object per element of files of millions.
 */
export class FieldText {
  /** The field's name (or path) while one is read; '' otherwise. */
  name = '';
  /** The depth of the field's element. */
  depth = 0;
  private text = '';
  private max = 0;
  private cost = 0;
  private body = false;

  start(name: string, depth: number, body: boolean): void {
    this.name = name;
    this.depth = depth;
    this.text = '';
    this.max = body ? CONTENT_MAX_CHARS : FIELD_MAX_CHARS;
    this.cost = 0;
    this.body = body;
  }

  /** Adds a piece of the field's text; false when it makes a body too long (it is dropped). */
  add(piece: string): boolean {
    if (this.name === '') return true;
    const cost = this.cost + piece.length + PIECE_COST;
    if (cost <= this.max) {
      this.text += piece;
      this.cost = cost;
      return true;
    }
    if (this.body) {
      this.clear();
      return false;
    }
    this.text += piece.slice(0, Math.max(0, this.max - this.cost));
    this.cost = this.max;
    return true;
  }

  /** Ends the field, giving its text. */
  take(): string {
    const text = this.text;
    this.clear();
    return text;
  }

  clear(): void {
    this.name = '';
    this.text = '';
  }
}

export interface XmlStreamOptions {
  /** Told of every chunk read, with the bytes read so far (for progress). */
  onBytes?: (bytesRead: number) => void;
}

/**
 * Why a file whose root element is `root` is not `what` (whose root is `expected`): said plainly
 * for a web page.
 */
export function notTheFormat(root: string, what: string, expected: string): string {
  if (root.toLowerCase() === 'html')
    return `this is a web page (its root element is <${root}>), not ${what}: save the export file itself, not the page that offers it`;
  return `this is not ${what}: its root element is <${shownName(root)}>, where ${what} has <${expected}>`;
}

/** An element's name as a message shows it: a long one is cut. */
export function shownName(name: string): string {
  return name.length <= 60
    ? name
    : `${name.slice(0, 40)}… (a name of ${name.length.toLocaleString('en')} characters)`;
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
  // Between a tag's name and its end: its attributes are being read.
  let inTag = false;
  let sawRoot = false;
  let encoding = '';
  let failure: ImportFileError | undefined;
  // Whether saxes ended a token in the piece last written, and what the one in hand may take it
  // to hold (an estimate, from the pieces written since one ended).
  let tokenEnded = false;
  let holding = 0;
  // The text last written and where it starts in saxes's count, to quote from it in messages.
  let written = '';
  let writtenAt = 0;
  // The last character read: saxes's column is the 0-based index of the next one.
  const here = (): Position => ({ line: parser.line, column: Math.max(1, parser.column) });
  const stop = (position: Position, problem: string): never => {
    failure ??= new ImportFileError(position, problem);
    throw failure;
  };
  const innermost = (): string => {
    const last = openNames.length - 1;
    return last < 0
      ? 'before the first element'
      : `inside <${shownName(openNames[last] ?? '')}> (opened at ${openLines[last]}:${openColumns[last]})`;
  };

  // saxes keeps each handler as a property it adds to its parser, and V8 makes an object given
  // more than about seven such properties a dictionary, which halves the speed of reading: so six
  // handlers, no more. Errors are caught as saxes throws them (there is no handler), the encoding
  // the XML declaration names is read here, and attributes are counted by a tag's `=` (`costOf`).
  /** An error saxes threw, as ours (its message, our position); any other error as it is. */
  const fromSaxes = (error: unknown): unknown => {
    if (failure) return failure;
    if (!(error instanceof Error) || error.constructor !== Error) return error;
    const match = /^\d+:\d+: ([\s\S]*?)\.?$/.exec(error.message);
    if (!match) return error;
    let problem = match[1] ?? '';
    if (problem === 'undefined entity')
      problem = undefinedEntity(written, parser.position - writtenAt);
    return new ImportFileError(
      here(),
      sawRoot
        ? `the XML is malformed here (${problem}); what was complete before it was read`
        : `the file is not XML (${problem})`,
    );
  };
  parser.on('doctype', (doctype) => {
    tokenEnded = true;
    // Never expanded, but refused outright: an export has no use for them, and a file that
    // declares them was made to hurt (exponential expansion, or reading the importer's files).
    const at = doctype.indexOf('<!ENTITY');
    if (at < 0) return;
    stop(
      placeIn(doctype, at, here()),
      'the file declares entities (<!ENTITY …> in its DOCTYPE), which no WordPress or Disqus export does; it is refused without expanding them, for entities can make a small file endless or read other files. If the export is genuine, delete the DOCTYPE',
    );
  });
  parser.on('opentagstart', (tag) => {
    // saxes has read `<`, the name and the character that ended it.
    tagLine = parser.line;
    tagColumn = Math.max(1, parser.column - tag.name.length - 1);
    inTag = true;
  });
  parser.on('opentag', (tag) => {
    tokenEnded = true;
    inTag = false;
    sawRoot = true;
    if (openNames.length >= MAX_DEPTH) {
      stop(
        { line: tagLine, column: tagColumn },
        `elements nested more than ${MAX_DEPTH} deep: no export nests so deep; the file is broken or made to hurt`,
      );
    }
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
  parser.on('text', (text) => {
    tokenEnded = true;
    handler.text(text);
  });
  parser.on('cdata', (text) => {
    tokenEnded = true;
    handler.text(text);
  });
  parser.on('closetag', (tag) => {
    tokenEnded = true;
    if (tag.isSelfClosing) return; // closed above, right after it opened
    const depth = openNames.length;
    openNames.pop();
    openLines.pop();
    openColumns.pop();
    handler.close(tag.name, depth);
  });

  /** Writes a piece of the text; `ascii`: whether it is all ASCII (a byte a character). */
  const writePiece = (piece: string, ascii: boolean) => {
    written = piece;
    writtenAt = parser.position;
    try {
      parser.write(piece);
    } catch (error) {
      throw fromSaxes(error);
    }
    // A token that ended in this piece may be followed by one as long as the rest of it.
    holding = tokenEnded ? piece.length * WORST_BYTES : holding + costOf(piece, ascii, inTag);
    tokenEnded = false;
    if (holding <= MAX_TOKEN_BYTES) return;
    if (inTag) {
      stop(
        { line: tagLine, column: tagColumn },
        `an element with more attributes than can be read (more than ${MAX_TOKEN_BYTES / 1024 / 1024} MB of them): no export has such a thing; the file is broken or made to hurt`,
      );
    }
    stop(
      here(),
      `a single text too long to read, ${innermost()}: it would take more than the ${MAX_TOKEN_BYTES / 1024 / 1024} MB an import holds of one text; no post or comment of an export is so long, so the file is broken or made to hurt`,
    );
  };
  const write = (text: string, ascii: boolean) => {
    if (FORBIDDEN.test(text)) {
      let count = 0;
      text = text.replace(FORBIDDEN_ALL, () => {
        count += 1;
        return ' ';
      });
      handler.note(FORBIDDEN_NOTE, count);
    }
    if (text.length <= PIECE_CHARS) writePiece(text, ascii);
    else
      for (let at = 0; at < text.length; at += PIECE_CHARS)
        writePiece(text.slice(at, at + PIECE_CHARS), ascii);
  };

  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const handle = await openFile(file);
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let bytesRead = 0;
  // Bytes of a character cut by the end of the last chunk, moved to the start of the buffer.
  let carried = 0;
  try {
    for (;;) {
      const n = await readChunk(handle, buffer, carried, file);
      const first = bytesRead === 0;
      const available = carried + n;
      if (first) sniff(buffer.subarray(0, available));
      const end = n === 0 ? available : completeEnd(buffer, available);
      const chunkStart = bytesRead - carried; // where buffer[0] is in the file
      let text: string;
      let invalid = -1;
      try {
        text = decoder.decode(buffer.subarray(0, end));
      } catch {
        invalid = firstInvalidByte(buffer, end);
        text = decoder.decode(buffer.subarray(0, invalid));
      }
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
      if (first && n > 0) {
        notXml(text);
        encoding = /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']{1,40})["']/.exec(text)?.[1] ?? '';
      }
      bytesRead += n;
      let error: unknown;
      try {
        if (text !== '') write(text, text.length === (invalid < 0 ? end : invalid));
        if (invalid >= 0) {
          const position = { line: parser.line, column: parser.column + 1 };
          error = new ImportFileError(
            position,
            notUtf8(
              buffer.subarray(invalid, Math.min(end, invalid + 2)),
              chunkStart + invalid,
              encoding,
            ),
          );
        }
      } catch (thrown) {
        error = thrown;
      }
      options.onBytes?.(bytesRead);
      // What was complete before a problem is kept: yielded before the problem is thrown.
      yield* drain(handler.out);
      if (error !== undefined) throw error;
      if (n === 0) break;
      buffer.copyWithin(0, end, available);
      carried = available - end;
    }
  } finally {
    await handle.close();
  }
  if (bytesRead === 0) throw new ImportFileError(START, 'the file is empty');
  const unclosed = openNames.length - 1;
  if (unclosed >= 0) {
    const at = `${openLines[unclosed]}:${openColumns[unclosed]}`;
    throw new ImportFileError(
      here(),
      `the file ends inside <${shownName(openNames[unclosed] ?? '')}> (opened at ${at}): it is truncated; what was complete before it was read`,
    );
  }
  if (!sawRoot)
    throw new ImportFileError(here(), 'the file has no XML element at all: it is not XML');
  try {
    parser.close();
  } catch (error) {
    throw fromSaxes(error);
  }
  yield* drain(handler.out);
}

/**
 * Refuses, from its first bytes, a file that is plainly not a text export: compressed, UTF-16, or
 * binary (NUL bytes, which no text has).
 */
function sniff(bytes: Buffer): void {
  if (bytes.length === 0) return;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b)
    throw new ImportFileError(START, 'the file is compressed (gzip): decompress it first');
  if (bytes[0] === 0x50 && bytes[1] === 0x4b)
    throw new ImportFileError(START, 'the file is a ZIP archive: unpack the export first');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ImportFileError(
      START,
      'the file is UTF-16 text, where an export is UTF-8: convert it (iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.xml) and import that',
    );
  }
  const nul = bytes.subarray(0, 4096).indexOf(0);
  if (nul >= 0) {
    throw new ImportFileError(
      START,
      `the file is not text: it has NUL bytes (the first is byte ${nul.toLocaleString('en')}), as binary files do, where an export is XML`,
    );
  }
}

/**
 * Refuses, from its first characters, a file that is plainly not XML: starting with something
 * other than `<` (after white space), or a web page.
 */
function notXml(text: string): void {
  const start = /[^\s]/.exec(text);
  if (!start) return;
  const before = text.slice(0, start.index).split('\n');
  const position = { line: before.length, column: (before.at(-1) ?? '').length + 1 };
  const opening = text.slice(start.index, start.index + 200);
  if (/^<(?:!doctype\s+html|html[\s>])/i.test(opening)) {
    throw new ImportFileError(
      position,
      'the file is a web page (HTML), not an export: save the export file itself, not the page that offers it',
    );
  }
  if (text[start.index] === '<') return;
  const snippet = opening.slice(0, 40).split('\n')[0] ?? '';
  throw new ImportFileError(
    position,
    `the file is not XML: it starts with “${snippet}”, where XML starts with “<”`,
  );
}

/** Where the last complete UTF-8 character of `bytes[0, length)` ends. */
function completeEnd(bytes: Buffer, length: number): number {
  let start = length - 1;
  // Back over continuation bytes (10xxxxxx) to the first byte of the last character.
  while (start >= 0 && length - start <= 3 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start--;
  if (start < 0) return length;
  const lead = bytes[start] ?? 0;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return length - start < size ? start : length;
}

/** The offset of the first byte of `bytes[0, length)` that does not begin a UTF-8 character. */
export function firstInvalidByte(bytes: Uint8Array, length: number): number {
  let i = 0;
  while (i < length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const size = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : 4;
    if (lead < 0xc2 || lead > 0xf4 || i + size > length) return i;
    for (let k = 1; k < size; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    const second = bytes[i + 1] ?? 0;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if (lead === 0xe0 && second < 0xa0) return i;
    if (lead === 0xed && second > 0x9f) return i;
    if (lead === 0xf0 && second < 0x90) return i;
    if (lead === 0xf4 && second > 0x8f) return i;
    i += size;
  }
  return length;
}

function notUtf8(bytes: Uint8Array, offset: number, encoding: string): string {
  const shown = [...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  const declared = encoding !== '' && !/^utf-?8$/i.test(encoding);
  const advice = declared
    ? `the file says it is ${encoding}, where an export is UTF-8: convert it (iconv -f ${encoding} -t UTF-8 FILE > FILE.utf8.xml) and import that`
    : 'save the export as UTF-8, or drop the bytes that are not (iconv -f UTF-8 -t UTF-8 -c FILE > FILE.clean.xml), and import again';
  return `the text is not UTF-8 here (bytes ${shown}…, at byte ${offset.toLocaleString('en')} of the file); what came before it was read; ${advice}`;
}

/** Where `doctype[index]` is, given where the DOCTYPE ends (its closing `>`). */
function placeIn(doctype: string, index: number, end: Position): Position {
  let breaks = 0;
  for (let i = doctype.indexOf('\n', index); i >= 0; i = doctype.indexOf('\n', i + 1)) breaks++;
  const lineStart = doctype.lastIndexOf('\n', index);
  return {
    line: end.line - breaks,
    column: lineStart >= 0 || breaks > 0 ? index - lineStart : end.column - doctype.length + index,
  };
}

/**
 * What saxes may need to hold a piece of a token: a byte or two a character, and a string of its
 * own for every line break, entity and `]` in it (it adds them one by one); in a tag, an object
 * and strings for every attribute (every `=`).
 */
function costOf(piece: string, ascii: boolean, inTag: boolean): number {
  let pieces = 0;
  for (const mark of MARKS)
    for (let i = piece.indexOf(mark); i >= 0; i = piece.indexOf(mark, i + 1)) pieces++;
  let attributes = 0;
  if (inTag) for (let i = piece.indexOf('='); i >= 0; i = piece.indexOf('=', i + 1)) attributes++;
  return piece.length * (ascii ? 1 : 2) + pieces * PIECE_BYTES + attributes * ATTRIBUTE_BYTES;
}
const MARKS = ['\n', '\r', '&', ']'];
/** What saxes keeps for each piece it adds to a token (a string and the join). */
const PIECE_BYTES = PIECE_COST;
/** What saxes keeps for each attribute of a tag: an object, a name, a value (about 60 bytes). */
const ATTRIBUTE_BYTES = 96;
/** The most a character can cost (a line break every other one). */
const WORST_BYTES = 2 + PIECE_BYTES / 2;

/** saxes's "undefined entity", naming it from the text just written (`at`: about its `;`). */
function undefinedEntity(text: string, at: number): string {
  const amp = text.lastIndexOf('&', Math.min(at, text.length) - 1);
  const end = amp < 0 ? -1 : text.indexOf(';', amp);
  const name = end > amp && end - amp <= 64 ? text.slice(amp, end + 1) : '';
  return `${/^&[^\s&;<]+;$/.test(name) ? name : 'an entity'} is not defined: XML knows only &amp; &lt; &gt; &quot; &apos; and numbered ones like &#8217;`;
}

function* drain<R>(out: R[]): Generator<R> {
  // Records are taken out before they are yielded, so that none is kept for longer than needed.
  const records = out.splice(0, out.length);
  yield* records;
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

/** Reads into `buffer` from `offset` on; the bytes read (0 at the end of the file). */
async function readChunk(
  handle: FileHandle,
  buffer: Buffer,
  offset: number,
  file: string,
): Promise<number> {
  try {
    return (await handle.read(buffer, offset, buffer.length - offset, null)).bytesRead;
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
