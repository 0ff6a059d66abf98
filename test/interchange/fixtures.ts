/**
 * The export files of the import tests, as data: a WordPress blog (acceptance 1) and a Disqus
 * forum (acceptance 2), and the trees they must import to.
 */
import type { DisqusPost, DisqusThread, WxrSite } from './exports.js';

const HOSTILE = `<p onclick="steal()">Look <a href="https://example.org/a?b=1&amp;c=2" onclick="evil()">here</a> <img src="https://tracker.example/x.png" onerror="alert(1)"> and <iframe src="https://evil.example/"></iframe>done</p><style>p { color: red }</style>`;

/** The export under test. Comment 211 comes last in the file but is the first reply by date. */
export const BLOG: WxrSite = {
  title: 'Workers’ Liberty blog',
  link: 'https://blog.example.org',
  authors: [
    { id: 1, login: 'jim', email: 'Jim@Example.org', displayName: 'Jim Denham' },
    { id: 2, login: 'zoe', email: 'zoe@example.org', displayName: 'Zoë Łukasiewicz' },
    { id: 3, login: 'nobody', email: '', displayName: 'Nobody' },
  ],
  posts: [
    {
      id: 101,
      title: 'Statement on Paris &#8212; «solidarité»',
      slug: 'statement-on-paris',
      creator: 'jim',
      date: '2015-11-16T09:00:00Z',
      content: '<p>We stand with <strong>Paris</strong>.</p>\n\nSecond paragraph & more.',
      comments: [
        {
          id: 201,
          author: 'Anna Kowalska',
          email: 'Anna@Example.org',
          url: 'https://anna.example.org/',
          ip: '192.0.2.10',
          date: '2015-11-16T10:00:00Z',
          approved: '1',
          content: 'First!\nSecond line of the same paragraph.\n\n<em>Second</em> paragraph.',
        },
        {
          id: 202,
          parent: 201,
          author: 'Zoë Łukasiewicz',
          email: 'zoe@example.org',
          userId: 2,
          ip: '2001:db8::1',
          date: '2015-11-16T10:05:00Z',
          approved: '1',
          content: '<blockquote>First!</blockquote>\nI disagree.',
        },
        {
          id: 203,
          parent: 202,
          author: 'Jim Denham',
          email: 'jim@example.org',
          userId: 1,
          date: '2015-11-16T10:10:00Z',
          approved: '0',
          content: 'Held for moderation.',
        },
        {
          id: 204,
          parent: 203,
          author: 'Ólafur Arnalds',
          date: '2015-11-16T10:20:00Z',
          approved: '1',
          content: 'Fourth level.',
        },
        {
          id: 205,
          parent: 204,
          author: 'محمد الأمين',
          url: 'javascript:alert(1)',
          date: '2015-11-16T10:30:00Z',
          approved: '1',
          content: 'Fifth level, ناس.',
        },
        {
          id: 206,
          author: 'Spammer',
          email: 'not an address',
          date: '2015-11-16T11:00:00Z',
          approved: 'spam',
          content: '<script>alert(1)</script><a href="javascript:alert(1)">cheap pills</a>',
        },
        {
          id: 207,
          author: 'Bob & Co',
          date: '2015-11-16T10:30:00Z',
          approved: '1',
          content: HOSTILE,
          plain: true,
        },
        {
          id: 208,
          author: 'Carol',
          email: 'carol@example.org',
          url: 'https://carol.example.org/',
          date: '2015-11-16T12:00:00Z',
          approved: 'trash',
          content: 'Something I regret.',
        },
        {
          id: 209,
          parent: 208,
          author: 'Dave',
          date: '2015-11-16T12:30:00Z',
          approved: '1',
          content: 'Replying to a comment that went.',
        },
        {
          id: 210,
          author: 'Another blog » A reply to Paris',
          url: 'https://other.example.net/reply/',
          date: '2015-11-16T13:00:00Z',
          approved: '1',
          type: 'pingback',
          content: '[…] the statement on Paris […]',
        },
        {
          id: 212,
          parent: 207,
          author: 'Eve',
          date: '2015-11-16T10:40:00Z',
          approved: '1',
          content: 'Code: a]]>b\n<ul><li>one</li><li>two</li></ul>',
        },
        {
          id: 211,
          parent: 201,
          author: 'Frank',
          date: '2015-11-16T10:02:00Z',
          approved: '1',
          content: 'Quick reply.',
        },
      ],
    },
    {
      id: 102,
      title: 'About',
      slug: 'about',
      type: 'page',
      creator: 'jim',
      date: '2015-01-01T00:00:00Z',
      content: 'Who we are.',
    },
    {
      id: 103,
      title: 'Draft thoughts',
      slug: '',
      status: 'draft',
      creator: 'jim',
      date: '2015-11-20T00:00:00Z',
      content: 'Not yet.',
      comments: [
        {
          id: 301,
          author: 'Early',
          date: '2015-11-20T01:00:00Z',
          approved: '1',
          content: 'Preview comment.',
        },
      ],
    },
    {
      id: 104,
      title: 'photo.jpg',
      slug: 'photo',
      type: 'attachment',
      status: 'inherit',
      creator: 'jim',
      date: '2015-11-16T09:00:00Z',
      content: '',
    },
    {
      id: 105,
      title: 'Closed for comments',
      slug: 'closed',
      creator: 'zoe',
      date: '2015-11-17T09:00:00Z',
      content: 'Text.',
      commentStatus: 'closed',
      comments: [
        {
          id: 401,
          author: 'Grace',
          date: '2015-11-17T10:00:00Z',
          approved: '1',
          content: 'Before it closed.',
        },
      ],
    },
  ],
};

/** The expected tree: [external id, parent, depth, number, author, status, kind, time]. */
export const EXPECTED = [
  ['wxr:201', null, 1, 1, 'Anna Kowalska', 'approved', 'comment', '10:00'],
  ['wxr:211', 'wxr:201', 2, null, 'Frank', 'approved', 'comment', '10:02'],
  ['wxr:202', 'wxr:201', 2, null, 'Zoë Łukasiewicz', 'approved', 'comment', '10:05'],
  ['wxr:203', 'wxr:202', 3, null, 'Jim Denham', 'pending', 'comment', '10:10'],
  ['wxr:204', 'wxr:203', 4, null, 'Ólafur Arnalds', 'approved', 'comment', '10:20'],
  ['wxr:205', 'wxr:204', 5, null, 'محمد الأمين', 'approved', 'comment', '10:30'],
  ['wxr:207', null, 1, 2, 'Bob & Co', 'approved', 'comment', '10:30'],
  ['wxr:212', 'wxr:207', 2, null, 'Eve', 'approved', 'comment', '10:40'],
  ['wxr:206', null, 1, 3, 'Spammer', 'spam', 'comment', '11:00'],
  ['wxr:208', null, 1, 4, 'Carol', 'deleted', 'comment', '12:00'],
  ['wxr:209', 'wxr:208', 2, null, 'Dave', 'approved', 'comment', '12:30'],
  ['wxr:210', null, 1, 5, 'Another blog » A reply to Paris', 'approved', 'pingback', '13:00'],
];

export const PAGE = 'https://blog.example.org/2015/11/paris/';

export const THREADS: DisqusThread[] = [
  {
    id: 't1',
    link: 'http://statements.example.org/s/statement-on-paris?utm_source=x#comments',
    title: 'Statement on Paris',
  },
  {
    id: 't2',
    link: 'https://Blog.Example.org:443/2015/11/paris/#disqus_thread',
    title: 'Paris &amp; after',
    closed: true,
  },
  { id: 't3', link: 'https://blog.example.org/gone/', title: 'Gone', deleted: true },
  { id: 't4', link: 'https://blog.example.org/2015/11/paris/', title: 'Paris (again)' },
  { id: 't5', link: 'https://blog.example.org/quiet/', title: 'Nobody said anything' },
  { id: 't6', link: 'not a web address', title: 'Broken' },
];

export const post = (
  p: Partial<DisqusPost> & Pick<DisqusPost, 'id' | 'thread' | 'createdAt'>,
): DisqusPost => ({
  name: `Poster ${p.id}`,
  message: `<p>Post ${p.id}</p>`,
  ...p,
});

/** Replies before the posts they answer, as Disqus may list them. */
export const POSTS: DisqusPost[] = [
  post({ id: 'p5', thread: 't1', parent: 'p4', createdAt: '2015-11-16T10:20:00Z', name: 'Ελένη' }),
  post({ id: 'p4', thread: 't1', parent: 'p3', createdAt: '2015-11-16T10:15:00Z' }),
  post({ id: 'p3', thread: 't1', parent: 'p2', createdAt: '2015-11-16T10:10:00Z' }),
  post({
    id: 'p2',
    thread: 't1',
    parent: 'p1',
    createdAt: '2015-11-16T10:05:00Z',
    name: 'Łucja Wiśniewska',
    email: 'Lucja@Example.org',
    ip: '198.51.100.7',
    message:
      '<p>Hello <b>world</b></p><p>Second<br>line with <a href="javascript:alert(1)">a trap</a> and <a href="https://example.org/ok" target="_blank">a link</a>.</p><script>alert(1)</script>',
  }),
  post({ id: 'p1', thread: 't1', createdAt: '2015-11-16T10:00:00Z', name: 'Ann', username: 'ann' }),
  post({ id: 'p9', thread: 't1', parent: 'p8', createdAt: '2015-11-16T12:30:00Z' }),
  post({
    id: 'p8',
    thread: 't1',
    createdAt: '2015-11-16T12:00:00Z',
    deleted: true,
    email: 'gone@example.org',
  }),
  post({ id: 'p7', thread: 't1', createdAt: '2015-11-16T11:00:00Z', spam: true }),
  post({
    id: 'p6',
    thread: 't1',
    createdAt: '2015-11-16T09:30:00Z',
    message: 'Plain text, no markup: 2 * 3 = 6 ]]> done',
  }),
  post({ id: 'm1', thread: 't1', parent: '999', createdAt: '2015-11-16T13:00:00Z' }),
  post({ id: 'q2', thread: 't2', parent: 'q1', createdAt: '2015-11-16T10:45:00Z' }),
  post({ id: 'q3', thread: 't4', createdAt: '2015-11-16T10:30:00Z' }),
  post({ id: 'q1', thread: 't2', createdAt: '2015-11-16T10:00:00Z' }),
  post({ id: 'r1', thread: 't3', createdAt: '2015-11-16T10:00:00Z' }),
  post({ id: 's1', thread: 't6', createdAt: '2015-11-16T10:00:00Z' }),
];
