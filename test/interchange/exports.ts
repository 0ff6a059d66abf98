/**
 * Factories for the export files the import tests read: a WordPress export (WXR 1.2) and a Disqus
 * export, written as WordPress and Disqus write them (CDATA sections for text, the same element
 * order), from plain objects. Fields may be given as plain text instead of CDATA, to test both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Text as a CDATA section, split where it contains `]]>` (as WordPress does). */
export const cdata = (text: string) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

export interface WxrComment {
  id: number;
  parent?: number;
  author: string;
  email?: string;
  url?: string;
  ip?: string;
  /** ISO-8601 UTC, e.g. 2015-11-16T10:00:00Z. */
  date: string;
  approved: '1' | '0' | 'spam' | 'trash' | string;
  type?: '' | 'comment' | 'pingback' | 'trackback' | string;
  content: string;
  userId?: number;
  /** Write text fields escaped instead of as CDATA. */
  plain?: boolean;
}

export interface WxrPost {
  id: number;
  title: string;
  slug: string;
  status?: string;
  type?: string;
  creator: string;
  date: string;
  content: string;
  commentStatus?: 'open' | 'closed';
  comments?: WxrComment[];
}

export interface WxrAuthor {
  id: number;
  login: string;
  email: string;
  displayName: string;
}

export interface WxrSite {
  title?: string;
  link?: string;
  authors?: WxrAuthor[];
  posts: WxrPost[];
}

const wpDate = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');

function text(value: string, plain: boolean | undefined): string {
  return plain ? escapeXml(value) : cdata(value);
}

function commentXml(c: WxrComment): string {
  return `\t\t<wp:comment>
\t\t\t<wp:comment_id>${c.id}</wp:comment_id>
\t\t\t<wp:comment_author>${text(c.author, c.plain)}</wp:comment_author>
\t\t\t<wp:comment_author_email>${text(c.email ?? '', c.plain)}</wp:comment_author_email>
\t\t\t<wp:comment_author_url>${escapeXml(c.url ?? '')}</wp:comment_author_url>
\t\t\t<wp:comment_author_IP>${text(c.ip ?? '', c.plain)}</wp:comment_author_IP>
\t\t\t<wp:comment_date>${text(wpDate(c.date), c.plain)}</wp:comment_date>
\t\t\t<wp:comment_date_gmt>${text(wpDate(c.date), c.plain)}</wp:comment_date_gmt>
\t\t\t<wp:comment_content>${text(c.content, c.plain)}</wp:comment_content>
\t\t\t<wp:comment_approved>${text(c.approved, c.plain)}</wp:comment_approved>
\t\t\t<wp:comment_type>${text(c.type ?? 'comment', c.plain)}</wp:comment_type>
\t\t\t<wp:comment_parent>${c.parent ?? 0}</wp:comment_parent>
\t\t\t<wp:comment_user_id>${c.userId ?? 0}</wp:comment_user_id>
\t\t\t<wp:commentmeta>
\t\t\t\t<wp:meta_key>${cdata('akismet_result')}</wp:meta_key>
\t\t\t\t<wp:meta_value>${cdata('false')}</wp:meta_value>
\t\t\t</wp:commentmeta>
\t\t</wp:comment>
`;
}

function postXml(p: WxrPost, link: string): string {
  return `\t<item>
\t\t<title>${escapeXml(p.title)}</title>
\t\t<link>${link}/${p.slug}/</link>
\t\t<pubDate>Mon, 16 Nov 2015 09:00:00 +0000</pubDate>
\t\t<dc:creator>${cdata(p.creator)}</dc:creator>
\t\t<guid isPermaLink="false">${link}/?p=${p.id}</guid>
\t\t<description></description>
\t\t<content:encoded>${cdata(p.content)}</content:encoded>
\t\t<excerpt:encoded>${cdata('')}</excerpt:encoded>
\t\t<wp:post_id>${p.id}</wp:post_id>
\t\t<wp:post_date>${cdata(wpDate(p.date))}</wp:post_date>
\t\t<wp:post_date_gmt>${cdata(wpDate(p.date))}</wp:post_date_gmt>
\t\t<wp:comment_status>${cdata(p.commentStatus ?? 'open')}</wp:comment_status>
\t\t<wp:ping_status>${cdata('open')}</wp:ping_status>
\t\t<wp:post_name>${cdata(p.slug)}</wp:post_name>
\t\t<wp:status>${cdata(p.status ?? 'publish')}</wp:status>
\t\t<wp:post_parent>0</wp:post_parent>
\t\t<wp:menu_order>0</wp:menu_order>
\t\t<wp:post_type>${cdata(p.type ?? 'post')}</wp:post_type>
\t\t<wp:post_password>${cdata('')}</wp:post_password>
\t\t<wp:is_sticky>0</wp:is_sticky>
\t\t<category domain="category" nicename="news">${cdata('News')}</category>
\t\t<wp:postmeta>
\t\t\t<wp:meta_key>${cdata('_edit_last')}</wp:meta_key>
\t\t\t<wp:meta_value>${cdata('1')}</wp:meta_value>
\t\t</wp:postmeta>
${(p.comments ?? []).map(commentXml).join('')}\t</item>
`;
}

/** A WordPress export of `site`, as WordPress 6 writes one. */
export function wxrDocument(site: WxrSite): string {
  const link = site.link ?? 'https://blog.example.org';
  const authors = (site.authors ?? [])
    .map(
      (a) =>
        `\t<wp:author><wp:author_id>${a.id}</wp:author_id><wp:author_login>${cdata(a.login)}</wp:author_login><wp:author_email>${cdata(a.email)}</wp:author_email><wp:author_display_name>${cdata(a.displayName)}</wp:author_display_name><wp:author_first_name>${cdata('')}</wp:author_first_name><wp:author_last_name>${cdata('')}</wp:author_last_name></wp:author>\n`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
\t<title>${escapeXml(site.title ?? 'A blog')}</title>
\t<link>${link}</link>
\t<description>Just another WordPress site</description>
\t<pubDate>Tue, 24 Nov 2026 10:00:00 +0000</pubDate>
\t<language>en-GB</language>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>${link}</wp:base_site_url>
\t<wp:base_blog_url>${link}</wp:base_blog_url>
${authors}\t<generator>https://wordpress.org/?v=6.4</generator>
${site.posts.map((p) => postXml(p, link)).join('')}</channel>
</rss>
`;
}

export interface DisqusThread {
  id: string;
  link: string;
  title: string;
  createdAt?: string;
  closed?: boolean;
  deleted?: boolean;
}

export interface DisqusPost {
  id: string;
  thread: string;
  parent?: string;
  message: string;
  createdAt: string;
  deleted?: boolean;
  spam?: boolean;
  name: string;
  email?: string;
  username?: string;
  ip?: string;
}

/** A Disqus export: every thread first, then every post, in the order given. */
export function disqusDocument(input: {
  forum?: string;
  threads: DisqusThread[];
  posts: DisqusPost[];
}): string {
  const forum = input.forum ?? 'exampleblog';
  const threads = input.threads
    .map(
      (t) => `<thread dsq:id="${t.id}">
<id />
<forum>${forum}</forum>
<category dsq:id="1" />
<link>${escapeXml(t.link)}</link>
<title>${cdata(t.title)}</title>
<message />
<createdAt>${t.createdAt ?? '2015-11-16T09:00:00Z'}</createdAt>
<author>
<name>Blog owner</name>
<isAnonymous>false</isAnonymous>
<username>owner</username>
</author>
<isClosed>${t.closed ? 'true' : 'false'}</isClosed>
<isDeleted>${t.deleted ? 'true' : 'false'}</isDeleted>
</thread>
`,
    )
    .join('');
  const posts = input.posts
    .map(
      (p) => `<post dsq:id="${p.id}">
<id />
<message>${cdata(p.message)}</message>
<createdAt>${p.createdAt}</createdAt>
<isDeleted>${p.deleted ? 'true' : 'false'}</isDeleted>
<isSpam>${p.spam ? 'true' : 'false'}</isSpam>
<author>
<email>${escapeXml(p.email ?? '')}</email>
<name>${cdata(p.name)}</name>
<isAnonymous>${p.username ? 'false' : 'true'}</isAnonymous>
${p.username ? `<username>${p.username}</username>\n` : ''}</author>
<ipAddress>${p.ip ?? ''}</ipAddress>
<thread dsq:id="${p.thread}" />
${p.parent ? `<parent dsq:id="${p.parent}" />\n` : ''}</post>
`,
    )
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd http://disqus.com/api/schemas/1.0/disqus-internals.xsd">
<category dsq:id="1">
<forum>${forum}</forum>
<title>General</title>
<isDefault>true</isDefault>
</category>
${threads}${posts}</disqus>
`;
}

/** A temporary directory removed when the test ends; `write` puts a file in it. */
export function scratch(onTestFinished: (fn: () => void) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), 'broadside-interchange-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name: string, content: string | Buffer): string {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    },
  };
}

/** The 1-based line and column where `needle` starts in `text`. */
export function positionOf(
  text: string,
  needle: string,
  from = 0,
): { line: number; column: number } {
  const index = text.indexOf(needle, from);
  if (index < 0) throw new Error(`"${needle}" is not in the text`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}
