/**
 * Writes a made-up but realistic WordPress export (WXR 1.2) of any size straight to a file, a
 * post at a time, so that a million comments never sit in memory: `posts` published posts by a
 * few authors, `comments` comments spread evenly over them — about 30% top-level, replies nested
 * up to depth 6 (one past WordPress's default of 5, so depth clamping is exercised), mostly under
 * recent comments; HTML bodies of 80–600 characters with paragraphs, links, emphasis and
 * quotations; 90% approved, 5% pending, 3% spam, 1% trashed, 1% pingbacks; an IP address on every
 * comment; non-ASCII names. The same arguments give the same file.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Random, SEED_AUTHORS } from './seed-content.js';

export interface WxrPlan {
  posts: number;
  comments: number;
  seed?: number;
}

export interface GeneratedWxr {
  bytes: number;
  posts: number;
  comments: number;
  /** The slug of the first post, for a request to its page. */
  firstSlug: string;
}

const WORDS = (
  'the statement says we must respond with solidarity not fear and I think that is right but ' +
  'clearance matters because an organisation speaks with one voice after the attack people ' +
  'were asking what the left should say about Paris and about Syria and the refugees who flee ' +
  'the same war nobody here defends the bombing yet the argument about cause and blame goes on ' +
  'comrades disagree about whether to name religion at all or only the politics of the death cult'
).split(' ');

const AUTHORS = [
  { login: 'jo', email: 'jo.ellis@example.org', name: 'Jo Ellis' },
  { login: 'sam', email: 'sam.okoro@example.org', name: 'Sam Okoro' },
  { login: 'zoë', email: 'zoe.lefevre@example.org', name: 'Zoë Lefèvre' },
];

const cdata = (text: string) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

function sentence(random: Random): string {
  const words: string[] = [];
  const length = random.between(6, 18);
  for (let i = 0; i < length; i++) words.push(random.pick(WORDS));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function commentHtml(random: Random): string {
  const paragraphs: string[] = [];
  const count = random.between(1, 3);
  let length = 0;
  for (let p = 0; p < count && length < 600; p++) {
    let text = sentence(random);
    if (random.chance(0.5)) text += ` ${sentence(random)}`;
    if (random.chance(0.15)) text = text.replace(/ (\w+) /, ' <em>$1</em> ');
    if (random.chance(0.1))
      text += ` See <a href="https://news.example.com/${random.between(1, 9999)}">this report</a>.`;
    if (random.chance(0.05)) text = `<blockquote>${text}</blockquote>`;
    length += text.length;
    paragraphs.push(text);
  }
  // As WordPress stores comments: paragraphs separated by blank lines, not <p>.
  return paragraphs.join('\n\n');
}

function wpDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Writes the export to `file`; resolves when it is flushed. */
export async function writeWxr(file: string, plan: WxrPlan): Promise<GeneratedWxr> {
  const random = new Random(plan.seed ?? 2015);
  const out = createWriteStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let bytes = 0;
  let buffered = '';
  const write = async (text: string) => {
    buffered += text;
    if (buffered.length < 1 << 18) return;
    bytes += Buffer.byteLength(buffered);
    if (!out.write(buffered)) await once(out, 'drain');
    buffered = '';
  };

  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
\t<title>Benchmark blog</title>
\t<link>https://blog.example.org</link>
\t<language>en-GB</language>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>https://blog.example.org</wp:base_site_url>
\t<wp:base_blog_url>https://blog.example.org</wp:base_blog_url>
`);
  for (const [i, author] of AUTHORS.entries()) {
    await write(
      `\t<wp:author><wp:author_id>${i + 1}</wp:author_id><wp:author_login>${cdata(author.login)}</wp:author_login><wp:author_email>${cdata(author.email)}</wp:author_email><wp:author_display_name>${cdata(author.name)}</wp:author_display_name></wp:author>\n`,
    );
  }

  let commentId = 0;
  let written = 0;
  const start = Date.UTC(2012, 0, 1);
  for (let post = 1; post <= plan.posts; post++) {
    const author = AUTHORS[post % AUTHORS.length] ?? AUTHORS[0];
    const postedAt = start + post * 3_600_000;
    const slug = `benchmark-post-${post}`;
    await write(`\t<item>
\t\t<title>${cdata(`Benchmark post ${post}: ${sentence(random)}`)}</title>
\t\t<link>https://blog.example.org/${slug}/</link>
\t\t<dc:creator>${cdata(author?.login ?? 'jo')}</dc:creator>
\t\t<content:encoded>${cdata(`${sentence(random)} ${sentence(random)}\n\n${sentence(random)}`)}</content:encoded>
\t\t<wp:post_id>${post}</wp:post_id>
\t\t<wp:post_date>${cdata(wpDate(postedAt))}</wp:post_date>
\t\t<wp:post_date_gmt>${cdata(wpDate(postedAt))}</wp:post_date_gmt>
\t\t<wp:comment_status>${cdata('open')}</wp:comment_status>
\t\t<wp:post_name>${cdata(slug)}</wp:post_name>
\t\t<wp:status>${cdata('publish')}</wp:status>
\t\t<wp:post_type>${cdata('post')}</wp:post_type>
`);
    // Spread the comments evenly: the first posts take the remainder.
    const count =
      Math.floor(plan.comments / plan.posts) + (post <= plan.comments % plan.posts ? 1 : 0);
    const ids: { id: number; depth: number }[] = [];
    for (let c = 0; c < count; c++) {
      const id = ++commentId;
      let parent = 0;
      let depth = 1;
      if (ids.length > 0 && random.chance(0.7)) {
        // Mostly under one of the last few comments, as conversations go.
        const under = ids[Math.max(0, ids.length - random.between(1, 8))];
        if (under && under.depth < 6) {
          parent = under.id;
          depth = under.depth + 1;
        }
      }
      ids.push({ id, depth });
      const who = random.pick(SEED_AUTHORS);
      const roll = random.next();
      const pingback = roll >= 0.99;
      const approved = pingback
        ? '1'
        : roll < 0.9
          ? '1'
          : roll < 0.95
            ? '0'
            : roll < 0.98
              ? 'spam'
              : 'trash';
      const at = postedAt + (c + 1) * 60_000;
      await write(`\t\t<wp:comment>
\t\t\t<wp:comment_id>${id}</wp:comment_id>
\t\t\t<wp:comment_author>${cdata(pingback ? 'A blog that linked here' : who.name)}</wp:comment_author>
\t\t\t<wp:comment_author_email>${cdata(who.email ?? '')}</wp:comment_author_email>
\t\t\t<wp:comment_author_url>${pingback ? `https://linking.example.net/${id}/` : (who.url ?? '')}</wp:comment_author_url>
\t\t\t<wp:comment_author_IP>${cdata(`192.0.2.${id % 250}`)}</wp:comment_author_IP>
\t\t\t<wp:comment_date>${cdata(wpDate(at))}</wp:comment_date>
\t\t\t<wp:comment_date_gmt>${cdata(wpDate(at))}</wp:comment_date_gmt>
\t\t\t<wp:comment_content>${cdata(pingback ? `[…] ${sentence(random)} […]` : commentHtml(random))}</wp:comment_content>
\t\t\t<wp:comment_approved>${cdata(approved)}</wp:comment_approved>
\t\t\t<wp:comment_type>${cdata(pingback ? 'pingback' : 'comment')}</wp:comment_type>
\t\t\t<wp:comment_parent>${pingback ? 0 : parent}</wp:comment_parent>
\t\t\t<wp:comment_user_id>0</wp:comment_user_id>
\t\t</wp:comment>
`);
      written += 1;
    }
    await write('\t</item>\n');
  }
  await write('</channel>\n</rss>\n');
  bytes += Buffer.byteLength(buffered);
  out.end(buffered);
  await once(out, 'finish');
  return { bytes, posts: plan.posts, comments: written, firstSlug: 'benchmark-post-1' };
}
