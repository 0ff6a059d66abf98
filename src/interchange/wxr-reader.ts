/**
 * Reads a WordPress export (WXR, versions 1.0–1.2) as a stream of records: the site, its authors,
 * and each item (post, page, attachment…) followed by its comments. Only the fields an import uses
 * are kept, trimmed where WordPress pads; what is HTML arrives converted (bodies to our Markdown,
 * titles and names to text) and addresses arrive as keyed hashes, so that all of it can be done
 * away from the thread that writes to the database.
 *
 * An item's record comes when its first comment starts (WordPress writes every field of an item
 * before its comments) or, for an item without comments, when it ends; then its comments, one by
 * one, then `item-end`. So memory holds one comment at a time, never a whole item.
 *
 * A body longer than a reader keeps (`CONTENT_MAX_CHARS`, or too long to convert) is not
 * read: its record comes with `oversized` saying why, and the importer refuses it alone. Other
 * fields are cut at `FIELD_MAX_CHARS`.
 */
import { fitHtml, htmlToMarkdown, htmlToText, rendered, tooLongHtml } from './html-to-markdown.js';
import type { AddressKey, Position, XmlHandler, XmlStreamOptions } from './xml-stream.js';
import {
  addressHasher,
  FieldText,
  ImportFileError,
  notTheFormat,
  streamXml,
  TOO_LONG,
} from './xml-stream.js';

export interface WxrSite {
  title: string;
  /** The blog's address, against which relative links are resolved. */
  link: string;
  baseSiteUrl: string;
  baseBlogUrl: string;
  wxrVersion: string;
}

export interface WxrAuthor {
  id: string;
  login: string;
  email: string;
  displayName: string;
  position: Position;
}

export interface WxrPost {
  id: string;
  title: string;
  link: string;
  /** The author's login (`dc:creator`). */
  creator: string;
  /** Markdown, converted from the HTML WordPress stores (paragraphs implied by blank lines). */
  content: string;
  date: string;
  dateGmt: string;
  /** The slug (`wp:post_name`), percent-encoded as WordPress keeps non-ASCII ones. */
  name: string;
  status: string;
  type: string;
  commentStatus: string;
  /** Why its content was not read ('' when it was): longer than an import reads. */
  oversized: string;
  position: Position;
}

export interface WxrComment {
  id: string;
  parent: string;
  author: string;
  authorEmail: string;
  authorUrl: string;
  /** A keyed hash of the address; '' when there is none. */
  authorIp: string;
  date: string;
  dateGmt: string;
  /** Markdown, converted from the comment's HTML. */
  content: string;
  /** `content` rendered by the discussion's renderer. */
  html: string;
  approved: string;
  type: string;
  userId: string;
  /** Why its content was not read ('' when it was): longer than an import reads. */
  oversized: string;
  position: Position;
}

export type WxrRecord =
  | { type: 'site'; site: WxrSite }
  | { type: 'author'; author: WxrAuthor }
  | { type: 'post'; post: WxrPost }
  | { type: 'comment'; comment: WxrComment }
  | { type: 'item-end' }
  | { type: 'note'; note: string; count: number };

// The fields read, by element name: Maps, for an element named `constructor` or `__proto__` is no
// field (an object's `in` would say it is).
const SITE_FIELDS = new Map<string, keyof WxrSite>(
  Object.entries({
    title: 'title',
    link: 'link',
    'wp:base_site_url': 'baseSiteUrl',
    'wp:base_blog_url': 'baseBlogUrl',
    'wp:wxr_version': 'wxrVersion',
  }),
);
const AUTHOR_FIELDS = new Map<string, keyof WxrAuthor>(
  Object.entries({
    'wp:author_id': 'id',
    'wp:author_login': 'login',
    'wp:author_email': 'email',
    'wp:author_display_name': 'displayName',
  }),
);
const POST_FIELDS = new Map<string, keyof WxrPost>(
  Object.entries({
    title: 'title',
    link: 'link',
    'dc:creator': 'creator',
    'content:encoded': 'content',
    'wp:post_id': 'id',
    'wp:post_date': 'date',
    'wp:post_date_gmt': 'dateGmt',
    'wp:post_name': 'name',
    'wp:status': 'status',
    'wp:post_type': 'type',
    'wp:comment_status': 'commentStatus',
  }),
);
const COMMENT_FIELDS = new Map<string, keyof WxrComment>(
  Object.entries({
    'wp:comment_id': 'id',
    'wp:comment_parent': 'parent',
    'wp:comment_author': 'author',
    'wp:comment_author_email': 'authorEmail',
    'wp:comment_author_url': 'authorUrl',
    'wp:comment_author_IP': 'authorIp',
    'wp:comment_date': 'date',
    'wp:comment_date_gmt': 'dateGmt',
    'wp:comment_content': 'content',
    'wp:comment_approved': 'approved',
    'wp:comment_type': 'type',
    'wp:comment_user_id': 'userId',
  }),
);
/** Fields whose text is kept as written; the others are trimmed. */
const VERBATIM = new Set(['content:encoded', 'wp:comment_content']);

const emptySite = (): WxrSite => ({
  title: '',
  link: '',
  baseSiteUrl: '',
  baseBlogUrl: '',
  wxrVersion: '',
});
const emptyAuthor = (position: Position): WxrAuthor => ({
  id: '',
  login: '',
  email: '',
  displayName: '',
  position,
});
const emptyPost = (position: Position): WxrPost => ({
  id: '',
  title: '',
  link: '',
  creator: '',
  content: '',
  date: '',
  dateGmt: '',
  name: '',
  status: '',
  type: '',
  commentStatus: '',
  oversized: '',
  position,
});
const emptyComment = (position: Position): WxrComment => ({
  id: '',
  parent: '',
  author: '',
  authorEmail: '',
  authorUrl: '',
  authorIp: '',
  date: '',
  dateGmt: '',
  content: '',
  html: '',
  approved: '',
  type: '',
  userId: '',
  oversized: '',
  position,
});

/** What else an XML file is, judged by its root element, for the message that it is not WXR. */
function notWxr(root: string): string {
  if (root === 'disqus')
    return 'this is a Disqus export (its root element is <disqus>), not a WordPress export; import it with --format disqus';
  return notTheFormat(root, 'a WordPress export (WXR)', 'rss');
}

class WxrHandler implements XmlHandler<WxrRecord> {
  readonly out: WxrRecord[] = [];
  private readonly hashAddress: (address: string, seenAt: Date | undefined) => string;

  constructor(key: AddressKey) {
    this.hashAddress = addressHasher(key);
  }

  /** The blog's address, for relative links. */
  private get baseUrl(): string | undefined {
    const base = this.site.baseBlogUrl || this.site.link;
    return /^https?:\/\//i.test(base) ? base : undefined;
  }

  private site = emptySite();
  private siteSent = false;
  private author: WxrAuthor | undefined;
  private post: WxrPost | undefined;
  private postSent = false;
  private comment: WxrComment | undefined;
  /** The field being read, by its element's name. */
  private readonly field = new FieldText();

  open(
    name: string,
    _attributes: Record<string, string>,
    depth: number,
    line: number,
    column: number,
  ): void {
    this.field.clear();
    if (depth === 1) {
      if (name !== 'rss') throw new ImportFileError({ line, column }, notWxr(name));
      return;
    }
    if (depth === 2) return; // <channel>
    if (depth === 3) {
      if (name === 'item' || name === 'wp:author') this.sendSite({ line, column });
      if (name === 'item') {
        this.post = emptyPost({ line, column });
        this.postSent = false;
      } else if (name === 'wp:author') this.author = emptyAuthor({ line, column });
      else if (SITE_FIELDS.has(name)) this.startField(name, depth);
      return;
    }
    if (depth === 4 && this.post) {
      if (name === 'wp:comment') {
        this.sendPost();
        this.comment = emptyComment({ line, column });
      } else if (POST_FIELDS.has(name)) this.startField(name, depth);
      return;
    }
    if (depth === 4 && this.author && AUTHOR_FIELDS.has(name)) this.startField(name, depth);
    else if (depth === 5 && this.comment && COMMENT_FIELDS.has(name)) this.startField(name, depth);
  }

  private startField(name: string, depth: number): void {
    this.field.start(name, depth, VERBATIM.has(name));
  }

  text(text: string): void {
    if (this.field.add(text)) return;
    // A body too long to read: its record says why, and the importer refuses it.
    const record = this.field.depth === 5 ? this.comment : this.post;
    if (record) record.oversized = TOO_LONG;
  }

  note(note: string, count: number): void {
    this.out.push({ type: 'note', note, count });
  }

  close(name: string, depth: number): void {
    if (this.field.name === name && this.field.depth === depth) {
      const text = this.field.take();
      this.store(name, VERBATIM.has(name) ? text : text.trim(), depth);
      return;
    }
    if (depth === 3 && name === 'item' && this.post) {
      this.sendPost();
      this.out.push({ type: 'item-end' });
      this.post = undefined;
    } else if (depth === 3 && name === 'wp:author' && this.author) {
      const author = this.author;
      author.displayName = htmlToText(author.displayName);
      this.out.push({ type: 'author', author });
      this.author = undefined;
    } else if (depth === 4 && name === 'wp:comment' && this.comment) {
      const comment = this.comment;
      comment.author = htmlToText(comment.author);
      const content = fitHtml(comment.content);
      if (content === undefined) comment.oversized ||= tooLongHtml(comment.content);
      comment.content = content
        ? htmlToMarkdown(content, { whitespace: 'autop', baseUrl: this.baseUrl })
        : '';
      comment.html = rendered(comment.content);
      comment.authorIp = comment.authorIp
        ? this.hashAddress(
            comment.authorIp,
            parseWordPressDate(comment.dateGmt) ?? parseWordPressDate(comment.date),
          )
        : '';
      this.out.push({ type: 'comment', comment });
      this.comment = undefined;
    } else if (depth === 2 && name === 'channel') {
      this.sendSite(undefined);
    }
  }

  private store(name: string, value: string, depth: number): void {
    if (depth === 3) {
      const key = SITE_FIELDS.get(name);
      if (key) this.site[key] = value;
    } else if (depth === 4 && this.post) {
      const key = POST_FIELDS.get(name);
      if (key && key !== 'position') this.post[key] = value;
    } else if (depth === 4 && this.author) {
      const key = AUTHOR_FIELDS.get(name);
      if (key && key !== 'position') this.author[key] = value;
    } else if (depth === 5 && this.comment) {
      const key = COMMENT_FIELDS.get(name);
      if (key && key !== 'position') this.comment[key] = value;
    }
  }

  /** The site's record goes out before its first author or item (its fields come first). */
  private sendSite(at: Position | undefined): void {
    if (this.siteSent) return;
    this.siteSent = true;
    if (this.site.wxrVersion === '') {
      throw new ImportFileError(
        at,
        'this is an RSS feed, not a WordPress export: it has no <wp:wxr_version>; export the site from WordPress with Tools → Export',
      );
    }
    this.out.push({ type: 'site', site: this.site });
  }

  private sendPost(): void {
    const post = this.post;
    if (this.postSent || !post) return;
    this.postSent = true;
    post.title = htmlToText(post.title);
    const content = fitHtml(post.content);
    if (content === undefined) post.oversized ||= tooLongHtml(post.content);
    post.content = content
      ? htmlToMarkdown(content, { whitespace: 'autop', headings: true, baseUrl: this.baseUrl })
      : '';
    this.out.push({ type: 'post', post });
  }
}

/**
 * The records of a WordPress export, streamed; see {@link streamXml} for errors. `addressKey`
 * keys the hashes of commenters' addresses.
 */
export function readWxr(
  file: string,
  options: XmlStreamOptions & { addressKey: AddressKey },
): AsyncGenerator<WxrRecord> {
  return streamXml(file, new WxrHandler(options.addressKey), options);
}

/** "2015-11-16 10:00:00" as UTC; undefined for WordPress's zero date or anything malformed. */
export function parseWordPressDate(text: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match || match[1] === '0000') return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s));
  // Date.UTC rolls 2015-02-31 over into March: refuse instead.
  return date.getUTCMonth() === (mo ?? 1) - 1 && date.getUTCDate() === d ? date : undefined;
}
