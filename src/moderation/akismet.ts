/**
 * A classifier that speaks Akismet's `comment-check` protocol (Akismet itself, or any service
 * compatible with it): a form-encoded POST to `{base}/comment-check`, answered `true` (spam) or
 * `false` (ham); anything else — `invalid` with an `X-akismet-debug-help` header, an HTTP error,
 * an unexpected body — is a failure, which `consultClassifier` turns into "unavailable".
 *
 * What leaves the server: the comment's text, its author's name, e-mail address and website,
 * the site's address, a keyed hash of the poster's address (as `user_ip`: moderation never has
 * the address itself, and the hash cannot be turned back into it without the site's SECRET),
 * and nothing else. Nothing is sent unless the operator sets CLASSIFIER_URL.
 */
import type { ClassifierConfig } from '../platform/config.js';
import type { Classifier } from './classifier.js';
import type { ClassifiedComment } from './model.js';

export interface AkismetOptions {
  /** The service's base, e.g. `https://rest.akismet.com/1.1/`. */
  url: URL | string;
  /** The API key, sent as the `api_key` field. */
  key: string;
  /** The site's public address (Akismet's `blog`). */
  blog: string;
  /** Shown in reasons; "Akismet" by default. */
  name?: string;
  /** Marks every request as a test (Akismet's `is_test`): it then learns nothing from them. */
  isTest?: boolean;
  userAgent?: string;
}

/** The form fields of a `comment-check` request for `comment`. */
export function commentCheckForm(
  comment: ClassifiedComment,
  options: Pick<AkismetOptions, 'key' | 'blog' | 'isTest'>,
): URLSearchParams {
  const form = new URLSearchParams();
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') form.set(name, value);
  };
  set('api_key', options.key);
  set('blog', options.blog);
  set('blog_charset', 'UTF-8');
  set('user_ip', comment.ipHash);
  set('comment_type', 'comment');
  set('comment_author', comment.authorName);
  set('comment_author_email', comment.authorEmail);
  set('comment_author_url', comment.authorUrl);
  set('comment_content', comment.body);
  if (options.isTest === true) set('is_test', '1');
  return form;
}

/** The most of an unexpected answer quoted in a problem. */
const QUOTED_ANSWER = 80;

/** An Akismet-compatible classifier. */
export function createAkismetClassifier(options: AkismetOptions): Classifier {
  const base = new URL(options.url);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const endpoint = new URL('comment-check', base);
  const name = options.name ?? 'Akismet';
  return {
    name,
    async classify(comment, signal) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'user-agent': options.userAgent ?? 'Broadside | Akismet-compatible',
        },
        body: commentCheckForm(comment, options),
        signal,
        redirect: 'error',
      });
      const answer = (await response.text()).trim();
      if (!response.ok) {
        throw new Error(`${endpoint.host} answered HTTP ${response.status}`);
      }
      if (answer === 'true') return 'spam';
      if (answer === 'false') return 'ham';
      const help = response.headers.get('x-akismet-debug-help');
      const quoted = answer.length > QUOTED_ANSWER ? `${answer.slice(0, QUOTED_ANSWER)}…` : answer;
      throw new Error(
        `${endpoint.host} answered "${quoted}" instead of true or false${help ? `: ${help}` : ''}`,
      );
    },
  };
}

/** The classifier the configuration asks for (CLASSIFIER_URL / CLASSIFIER_KEY), if any. */
export function createConfiguredClassifier(
  config: { classifier: ClassifierConfig | undefined; baseUrl: URL },
  userAgent?: string,
): Classifier | undefined {
  if (config.classifier === undefined) return undefined;
  return createAkismetClassifier({
    url: config.classifier.url,
    key: config.classifier.key,
    blog: config.baseUrl.toString(),
    name: config.classifier.url.hostname.endsWith('akismet.com')
      ? 'Akismet'
      : 'The spam classifier',
    userAgent,
  });
}
