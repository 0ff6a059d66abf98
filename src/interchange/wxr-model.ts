/**
 * Writing WordPress's export format (WXR 1.2, an RSS 2.0 dialect) as pure functions: XML that is
 * always well-formed (characters XML 1.0 forbids are dropped, `]]>` is split across CDATA
 * sections), WordPress's dates, comment statuses and author logins.
 */
import type { CommentStatus } from '../discussion/model.js';

/** Drops what XML 1.0 cannot carry: control characters other than tab and line ends, lone
 * surrogates, U+FFFE and U+FFFF. */
export function xmlSafe(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

/** Text for an element or an attribute. */
export function escapeXml(text: string): string {
  return xmlSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Text in CDATA, as WordPress writes it; a `]]>` inside is split across two sections. */
export function cdata(text: string): string {
  return `<![CDATA[${xmlSafe(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** WordPress's `2015-11-14 10:05:00` (UTC, for the `_gmt` fields and, lacking a zone, the others). */
export function wordpressDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** RSS's RFC 822 date, as WordPress writes it: `Sat, 14 Nov 2015 10:05:00 +0000`. */
export function rssDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * A comment's `wp:comment_approved`: approved `1`, held `0`, `spam`; removed and rejected ones go
 * to WordPress's trash (removed ones stay in the file so that their replies keep their place).
 */
export function wordpressCommentStatus(status: CommentStatus): '1' | '0' | 'spam' | 'trash' {
  switch (status) {
    case 'approved':
      return '1';
    case 'pending':
      return '0';
    case 'spam':
      return 'spam';
    case 'deleted':
    case 'rejected':
      return 'trash';
  }
}

/** A WordPress user name made from an e-mail's local part or a display name. */
export function loginFrom(text: string): string {
  const login = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return login || 'author';
}

export interface WxrAuthor {
  id: number;
  login: string;
  email: string | undefined;
  displayName: string;
}

/**
 * Gives each statement author a distinct login: a member's from their e-mail address, anyone
 * else's from their name; later ones that collide get `-2`, `-3`….
 */
export function assignLogins(
  authors: readonly { key: string; email: string | undefined; displayName: string }[],
): Map<string, WxrAuthor> {
  const taken = new Set<string>();
  const assigned = new Map<string, WxrAuthor>();
  for (const author of authors) {
    if (assigned.has(author.key)) continue;
    const base = loginFrom(author.email?.split('@')[0] ?? author.displayName);
    let login = base;
    for (let n = 2; taken.has(login); n++) login = `${base}-${n}`;
    taken.add(login);
    assigned.set(author.key, {
      id: assigned.size + 1,
      login,
      email: author.email,
      displayName: author.displayName,
    });
  }
  return assigned;
}

export const WXR_NAMESPACES = {
  excerpt: 'http://wordpress.org/export/1.2/excerpt/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  wfw: 'http://wellformedweb.org/CommentAPI/',
  dc: 'http://purl.org/dc/elements/1.1/',
  wp: 'http://wordpress.org/export/1.2/',
} as const;

/** The start of the file, up to and including the channel's authors. */
export function wxrHead(input: {
  siteName: string;
  baseUrl: URL;
  generator: string;
  now: Date;
  authors: Iterable<WxrAuthor>;
}): string {
  const base = input.baseUrl.toString().replace(/\/$/, '');
  const namespaces = Object.entries(WXR_NAMESPACES)
    .map(([prefix, uri]) => `\n\txmlns:${prefix}="${uri}"`)
    .join('');
  const authors = [...input.authors]
    .map(
      (author) =>
        `\t<wp:author><wp:author_id>${author.id}</wp:author_id>` +
        `<wp:author_login>${cdata(author.login)}</wp:author_login>` +
        `<wp:author_email>${cdata(author.email ?? '')}</wp:author_email>` +
        `<wp:author_display_name>${cdata(author.displayName)}</wp:author_display_name>` +
        `<wp:author_first_name>${cdata('')}</wp:author_first_name>` +
        `<wp:author_last_name>${cdata('')}</wp:author_last_name></wp:author>\n`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8" ?>\n` +
    `<!-- WordPress eXtended RSS (WXR) export of a Broadside site; import it with WordPress's Tools → Import → WordPress. -->\n` +
    `<rss version="2.0"${namespaces}\n>\n<channel>\n` +
    `\t<title>${escapeXml(input.siteName)}</title>\n` +
    `\t<link>${escapeXml(base)}</link>\n` +
    `\t<description></description>\n` +
    `\t<pubDate>${rssDate(input.now)}</pubDate>\n` +
    `\t<language>en</language>\n` +
    `\t<wp:wxr_version>1.2</wp:wxr_version>\n` +
    `\t<wp:base_site_url>${escapeXml(base)}</wp:base_site_url>\n` +
    `\t<wp:base_blog_url>${escapeXml(base)}</wp:base_blog_url>\n` +
    authors +
    `\t<generator>${escapeXml(input.generator)}</generator>\n`
  );
}

export const WXR_TAIL = '</channel>\n</rss>\n';

export interface WxrPost {
  id: number;
  title: string;
  link: string;
  /** Broadside's id: the guid, and a post meta for the way back. */
  broadsideId: string;
  authorLogin: string;
  html: string;
  subtitle: string | undefined;
  slug: string;
  /** When it was (or will be) published; a draft's is when it was started. */
  publishedAt: Date;
  /**
   * `future`: published with a date still to come (WordPress's scheduled posts); `draft`: never
   * published (WordPress gives drafts no GMT date).
   */
  status: 'publish' | 'future' | 'draft';
  commentsOpen: boolean;
  meta: { key: string; value: string }[];
}

/** A post's opening, up to where its comments go. */
export function wxrItemHead(post: WxrPost): string {
  const date = wordpressDate(post.publishedAt);
  const meta = post.meta
    .map(
      ({ key, value }) =>
        `\t\t<wp:postmeta><wp:meta_key>${cdata(key)}</wp:meta_key><wp:meta_value>${cdata(value)}</wp:meta_value></wp:postmeta>\n`,
    )
    .join('');
  return (
    `\t<item>\n` +
    `\t\t<title>${cdata(post.title)}</title>\n` +
    `\t\t<link>${escapeXml(post.link)}</link>\n` +
    `\t\t<pubDate>${rssDate(post.publishedAt)}</pubDate>\n` +
    `\t\t<dc:creator>${cdata(post.authorLogin)}</dc:creator>\n` +
    `\t\t<guid isPermaLink="false">${escapeXml(`broadside:${post.broadsideId}`)}</guid>\n` +
    `\t\t<description></description>\n` +
    `\t\t<content:encoded>${cdata(post.html)}</content:encoded>\n` +
    `\t\t<excerpt:encoded>${cdata(post.subtitle ?? '')}</excerpt:encoded>\n` +
    `\t\t<wp:post_id>${post.id}</wp:post_id>\n` +
    `\t\t<wp:post_date>${cdata(date)}</wp:post_date>\n` +
    `\t\t<wp:post_date_gmt>${cdata(post.status === 'draft' ? '0000-00-00 00:00:00' : date)}</wp:post_date_gmt>\n` +
    `\t\t<wp:comment_status>${cdata(post.commentsOpen ? 'open' : 'closed')}</wp:comment_status>\n` +
    `\t\t<wp:ping_status>${cdata('closed')}</wp:ping_status>\n` +
    `\t\t<wp:post_name>${cdata(post.slug)}</wp:post_name>\n` +
    `\t\t<wp:status>${cdata(post.status)}</wp:status>\n` +
    `\t\t<wp:post_parent>0</wp:post_parent>\n` +
    `\t\t<wp:menu_order>0</wp:menu_order>\n` +
    `\t\t<wp:post_type>${cdata('post')}</wp:post_type>\n` +
    `\t\t<wp:post_password>${cdata('')}</wp:post_password>\n` +
    `\t\t<wp:is_sticky>0</wp:is_sticky>\n` +
    meta
  );
}

export const WXR_ITEM_TAIL = '\t</item>\n';

export interface WxrComment {
  id: number;
  parentId: number;
  broadsideId: string;
  authorName: string;
  authorEmail: string | undefined;
  authorUrl: string | undefined;
  createdAt: Date;
  html: string;
  status: CommentStatus;
  /** WordPress's comment_type: `comment`, `pingback` or `trackback`. */
  type: string;
}

export function wxrComment(comment: WxrComment): string {
  const date = wordpressDate(comment.createdAt);
  return (
    `\t\t<wp:comment>\n` +
    `\t\t\t<wp:comment_id>${comment.id}</wp:comment_id>\n` +
    `\t\t\t<wp:comment_author>${cdata(comment.authorName)}</wp:comment_author>\n` +
    `\t\t\t<wp:comment_author_email>${cdata(comment.authorEmail ?? '')}</wp:comment_author_email>\n` +
    `\t\t\t<wp:comment_author_url>${escapeXml(comment.authorUrl ?? '')}</wp:comment_author_url>\n` +
    // Broadside keeps only salted hashes of addresses, which WordPress cannot use.
    `\t\t\t<wp:comment_author_IP>${cdata('')}</wp:comment_author_IP>\n` +
    `\t\t\t<wp:comment_date>${cdata(date)}</wp:comment_date>\n` +
    `\t\t\t<wp:comment_date_gmt>${cdata(date)}</wp:comment_date_gmt>\n` +
    `\t\t\t<wp:comment_content>${cdata(comment.html)}</wp:comment_content>\n` +
    `\t\t\t<wp:comment_approved>${cdata(wordpressCommentStatus(comment.status))}</wp:comment_approved>\n` +
    `\t\t\t<wp:comment_type>${cdata(comment.type)}</wp:comment_type>\n` +
    `\t\t\t<wp:comment_parent>${comment.parentId}</wp:comment_parent>\n` +
    `\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n` +
    `\t\t\t<wp:commentmeta><wp:meta_key>${cdata('broadside_id')}</wp:meta_key><wp:meta_value>${cdata(comment.broadsideId)}</wp:meta_value></wp:commentmeta>\n` +
    `\t\t</wp:comment>\n`
  );
}
