/**
 * Outside spam classifiers (Akismet and services that speak its protocol): the interface, and
 * the one way to ask one — with a deadline, never throwing, so that a slow or broken classifier
 * holds a comment for a moderator instead of losing or blocking it.
 */
import type { ClassifiedComment, ClassifierOutcome } from './model.js';

/**
 * A spam classifier. It sees what the comment says and who signed it (name, e-mail, website) and
 * a keyed hash of the poster's address — never the address itself, which moderation never has.
 */
export interface Classifier {
  /** Shown in reasons: "Akismet classed this comment as spam". */
  name: string;
  /**
   * Rejects when it cannot answer (network, HTTP status, an answer it does not understand).
   * `signal` aborts the request when the caller stops waiting.
   */
  classify(comment: ClassifiedComment, signal: AbortSignal): Promise<'ham' | 'spam'>;
}

/** How long a classifier may take unless configured (CLASSIFIER_TIMEOUT_MS). */
export const DEFAULT_CLASSIFIER_TIMEOUT_MS = 2_000;

/**
 * Asks `classifier` about `comment`, giving up after `timeoutMs`. `undefined` when no classifier
 * is configured, and for imports (reviewed by the site's own rules only: an archive of old
 * comments is not sent to a third party). Never throws: a timeout or any failure is
 * `{ kind: 'unavailable' }`, with the problem for the log.
 */
export async function consultClassifier(
  classifier: Classifier | undefined,
  comment: ClassifiedComment,
  timeoutMs: number = DEFAULT_CLASSIFIER_TIMEOUT_MS,
): Promise<ClassifierOutcome | undefined> {
  if (classifier === undefined || comment.origin === 'import') return undefined;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    // The race stops waiting even for a classifier that ignores its signal.
    const answer = await Promise.race([classifier.classify(comment, controller.signal), deadline]);
    return answer === 'spam' ? { kind: 'spam', name: classifier.name } : { kind: 'ham' };
  } catch (error) {
    return { kind: 'unavailable', name: classifier.name, problem: describeProblem(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** One line for the log: the cause's code (ECONNREFUSED…) is more useful than "fetch failed". */
function describeProblem(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause.code === 'string') {
    return `${error.message}: ${cause.code}${typeof cause.message === 'string' ? ` (${cause.message})` : ''}`;
  }
  return error.message;
}
