/**
 * Reads a Disqus export (the XML of Disqus's "Export comments") as a stream of records: threads
 * (`<thread dsq:id>`, one per page that had a discussion) and posts (`<post dsq:id>`, the
 * comments, each naming its thread and perhaps its parent by `dsq:id`). Disqus writes every thread
 * first, then every post, in no particular order: a post may come before the post it answers.
 * Categories and the rest are ignored. Memory holds one record at a time. As for WordPress, HTML
 * arrives converted (messages to our Markdown, titles and names to text) and addresses as keyed
 * hashes.
 */
import { renderMarkdown } from '../discussion/markdown.js';
import { htmlToMarkdown, htmlToText } from './html-to-markdown.js';
import type { AddressKey, Position, XmlHandler, XmlStreamOptions } from './xml-stream.js';
import { addressHasher, ImportFileError, streamXml } from './xml-stream.js';

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
  position: Position;
}

export type DisqusRecord =
  { type: 'thread'; thread: DisqusThread } | { type: 'post'; post: DisqusPost };

const ID = 'dsq:id';
const isTrue = (text: string) => text.trim().toLowerCase() === 'true';

class DisqusHandler implements XmlHandler<DisqusRecord> {
  readonly out: DisqusRecord[] = [];
  private thread: DisqusThread | undefined;
  private post: DisqusPost | undefined;
  private field: { path: string; depth: number; text: string } | undefined;
  /** The element names from the record down to the one being read, e.g. `author/name`. */
  private trail: string[] = [];
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
    this.field = undefined;
    if (depth === 1) {
      if (name !== 'disqus') throw new ImportFileError({ line, column }, notDisqus(name));
      return;
    }
    if (depth === 2) {
      this.trail = [];
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
          position: { line, column },
        };
      }
      return;
    }
    if (!this.thread && !this.post) return;
    this.trail = this.trail.slice(0, depth - 3);
    this.trail.push(name);
    const path = this.trail.join('/');
    if (this.post && depth === 3 && name === 'thread') this.post.threadId = attributes[ID] ?? '';
    else if (this.post && depth === 3 && name === 'parent')
      this.post.parentId = attributes[ID] ?? '';
    else this.field = { path, depth, text: '' };
  }

  text(text: string): void {
    if (this.field) this.field.text += text;
  }

  close(name: string, depth: number): void {
    const field = this.field;
    if (field && field.depth === depth) {
      this.field = undefined;
      this.store(field.path, field.text);
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
      post.message = htmlToMarkdown(post.message, { whitespace: 'html' });
      post.html = renderMarkdown(post.message);
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
  return `this is not a Disqus export: its root element is <${root}>, where a Disqus export has <disqus>`;
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
