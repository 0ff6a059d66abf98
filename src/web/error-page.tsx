/** The page a browser sees when a request fails; API clients get the same error as JSON. */
import type { ErrorBody } from '../platform/errors.js';

const TITLES: Record<number, string> = {
  400: 'That request was not understood',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  413: 'Too large',
  429: 'Slow down',
};

export function errorTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'That did not work');
}

export function ErrorContent({ status, body }: { status: number; body: ErrorBody }) {
  return (
    <div class="error-page">
      <h1>{errorTitle(status)}</h1>
      <p>{body.error.message}</p>
      <p class="muted">
        Error {status} · <code>{body.error.code}</code>
      </p>
      <p>
        <a href="/">Go to the home page</a>
      </p>
    </div>
  );
}
