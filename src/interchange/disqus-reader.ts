/**
 * Reads a Disqus export (the XML of Disqus's "Export comments") as a stream of records: threads
 * (`<thread dsq:id>`, one per page that had a discussion) and posts (`<post dsq:id>`, the
 * comments, each naming its thread and perhaps its parent by `dsq:id`). Disqus writes every thread
 * first, then every post, in no particular order: a post may come before the post it answers.
 * Categories and the rest are ignored. Memory holds one record at a time. As for WordPress, HTML
 * arrives converted (messages to our Markdown, titles and names to text) and addresses as keyed
 * hashes. A message longer than a reader keeps is not read: its post comes with `oversized`
 * saying why (the importer refuses it alone); other fields are cut at `FIELD_MAX_CHARS`.
 */
import { embedPageUrl } from '../discussion/embed-model.js';
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

export interface DisqusThread {
  id: string;
  /** The page's address. */
  link: string;
  title: string;
  createdAt: string;
  closed: boolean;
  deleted: boolean;
  position: Position;
}

export interface DisqusPost {
  id: string;
  threadId: string;
  parentId: string;
  /** Markdown, converted from the message's HTML. */
  message: string;
  /** `message` rendered by the discussion's renderer. */
  html: string;
  createdAt: string;
  deleted: boolean;
  spam: boolean;
  authorName: string;
  authorEmail: string;
  authorUsername: string;
  /** A keyed hash of the address; '' when there is none. */
  ipAddress: string;
  /** Why its message was not read ('' when it was): longer than an import reads. */
  oversized: string;
  position: Position;
}

export type DisqusRecord =
  | { type: 'thread'; thread: DisqusThread }
  | { type: 'post'; post: DisqusPost }
  | { type: 'note'; note: string; count: number };

const ID = 'dsq:id';
const isTrue = (text: string) => text.trim().toLowerCase() === 'true';

class DisqusHandler implements XmlHandler<DisqusRecord> {
  readonly out: DisqusRecord[] = [];
  private thread: DisqusThread | undefined;
  private post: DisqusPost | undefined;
  /** The field being read, by its path from the record (`message`, `author/name`). */
  private readonly field = new FieldText();
  private child = '';
  private readonly hashAddress: (address: string, seenAt: Date | undefined) => string;

  constructor(key: AddressKey) {
    this.hashAddress = addressHasher(key);
  }

  open(
    name: string,
    attributes: Record<string, string>,
    depth: number,
    line: number,
    column: number,
  ): void {
    this.field.clear();
    if (depth === 1) {
      if (name !== 'disqus') throw new ImportFileError({ line, column }, notDisqus(name));
      return;
    }
    if (depth === 2) {
      if (name === 'thread') {
        this.thread = {
          id: attributes[ID] ?? '',
          link: '',
          title: '',
          createdAt: '',
          closed: false,
          deleted: false,
          position: { line, column },
        };
      } else if (name === 'post') {
        this.post = {
          id: attributes[ID] ?? '',
          threadId: '',
          parentId: '',
          message: '',
          html: '',
          createdAt: '',
          deleted: false,
          spam: false,
          authorName: '',
          authorEmail: '',
          authorUsername: '',
          ipAddress: '',
          oversized: '',
          position: { line, column },
        };
      }
      return;
    }
    // Only the record's children and grandchildren (`author/name`) are read.
    if ((!this.thread && !this.post) || depth > 4) return;
    if (depth === 3) {
      this.child = name;
      if (this.post && name === 'thread') this.post.threadId = attributes[ID] ?? '';
      else if (this.post && name === 'parent') this.post.parentId = attributes[ID] ?? '';
      else this.startField(name, depth);
    } else if (this.child === 'author') this.startField(`author/${name}`, depth);
  }

  private startField(path: string, depth: number): void {
    this.field.start(path, depth, path === 'message');
  }

  text(text: string): void {
    // A message longer than an import reads is not read at all; the importer refuses its post.
    if (!this.field.add(text) && this.post) this.post.oversized = TOO_LONG;
  }

  note(note: string, count: number): void {
    this.out.push({ type: 'note', note, count });
  }

  close(name: string, depth: number): void {
    if (this.field.name !== '' && this.field.depth === depth) {
      const path = this.field.name;
      this.store(path, this.field.take());
      return;
    }
    if (depth !== 2) return;
    if (name === 'thread' && this.thread) {
      const thread = this.thread;
      thread.title = htmlToText(thread.title);
      this.out.push({ type: 'thread', thread });
      this.thread = undefined;
    } else if (name === 'post' && this.post) {
      const post = this.post;
      const message = fitHtml(post.message);
      if (message === undefined) post.oversized ||= tooLongHtml(post.message);
      post.message = message ? htmlToMarkdown(message, { whitespace: 'html' }) : '';
      post.html = rendered(post.message);
      post.authorName = htmlToText(post.authorName);
      post.ipAddress = post.ipAddress
        ? this.hashAddress(post.ipAddress, post.createdAt ? new Date(post.createdAt) : undefined)
        : '';
      this.out.push({ type: 'post', post });
      this.post = undefined;
    }
  }

  private store(path: string, text: string): void {
    const thread = this.thread;
    if (thread) {
      if (path === 'link') thread.link = text.trim();
      else if (path === 'title') thread.title = text;
      else if (path === 'createdAt') thread.createdAt = text.trim();
      else if (path === 'isClosed') thread.closed = isTrue(text);
      else if (path === 'isDeleted') thread.deleted = isTrue(text);
      return;
    }
    const post = this.post;
    if (!post) return;
    switch (path) {
      case 'message':
        post.message = text;
        break;
      case 'createdAt':
        post.createdAt = text.trim();
        break;
      case 'isDeleted':
        post.deleted = isTrue(text);
        break;
      case 'isSpam':
        post.spam = isTrue(text);
        break;
      case 'ipAddress':
        post.ipAddress = text.trim();
        break;
      case 'author/name':
        post.authorName = text;
        break;
      case 'author/email':
        post.authorEmail = text.trim();
        break;
      case 'author/username':
        post.authorUsername = text.trim();
        break;
    }
  }
}

function notDisqus(root: string): string {
  if (root === 'rss')
    return 'this is a WordPress export (its root element is <rss>), not a Disqus export; import it with --format wxr';
  return notTheFormat(root, 'a Disqus export', 'disqus');
}

/**
 * The page whose discussion a Disqus thread's posts join: its link as the embed files pages
 * (`embedPageUrl`: without the query string unless the site keeps it, the fragment dropped), so
 * that the embed on that page shows them; and on https when the site lets that host embed over
 * https only (threads started before a site moved to https keep its http:// address, where the
 * embed never runs). Undefined when the link is not an http(s) address.
 */
export function threadPageUrl(
  link: string,
  site: { keepQuery: boolean; allowedOrigins: readonly string[] },
): string | undefined {
  const url = embedPageUrl(link, { keepQuery: site.keepQuery });
  if (url === undefined || !url.startsWith('http:')) return url;
  const secure = new URL(url);
  secure.protocol = 'https:';
  const moved =
    !site.allowedOrigins.includes(new URL(url).origin) &&
    site.allowedOrigins.includes(secure.origin);
  return moved ? secure.href : url;
}

/**
 * The records of a Disqus export, streamed; see {@link streamXml} for errors. `addressKey` keys
 * the hashes of commenters' addresses.
 */
export function readDisqus(
  file: string,
  options: XmlStreamOptions & { addressKey: AddressKey },
): AsyncGenerator<DisqusRecord> {
  return streamXml(file, new DisqusHandler(options.addressKey), options);
}
