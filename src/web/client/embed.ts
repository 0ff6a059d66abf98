/**
 * The embed script other sites load with
 * `<script src="https://SITE/embed.js" data-broadside async></script>`: it puts this page's
 * discussion, served by SITE, into `<div id="broadside-thread">` as an iframe, keeps the iframe as
 * tall as its content (the frame reports its height), and scrolls this page to a comment the frame
 * points at (a permalink `#comment-<id>` on this page, or a comment just posted).
 *
 * It runs as a classic script on someone else's page, so it imports nothing, exports nothing and
 * declares nothing global (the build wraps it in a function; vite.config.ts checks both), loads
 * nothing but the frame, and trusts a message only from that frame on SITE's origin.
 * Budget: 4 KB gzipped (test/e2e/embed.test.ts measures it).
 */

/** What the frame posts (src/web/client/embed-frame.ts sends the same shapes). */
interface FrameMessage {
  type: 'broadside:height' | 'broadside:scroll';
  /** The content's height, or how far down the frame the comment pointed at is, in CSS pixels. */
  px: number;
}

function isFrameMessage(data: unknown): data is FrameMessage {
  const message = data as Partial<FrameMessage> | null;
  return (
    typeof message === 'object' &&
    message !== null &&
    (message.type === 'broadside:height' || message.type === 'broadside:scroll') &&
    typeof message.px === 'number' &&
    Number.isFinite(message.px) &&
    message.px >= 0
  );
}

function mountThread(script: HTMLScriptElement): void {
  const container = document.getElementById('broadside-thread');
  if (!container || container.querySelector('iframe[data-broadside]')) return;

  const site = new URL(script.src).origin;
  const page = new URL(location.href);
  page.hash = '';
  const src = new URL('/embed/thread', site);
  src.searchParams.set('url', page.href);
  if (document.title) src.searchParams.set('title', document.title.slice(0, 200));
  // A permalink to a comment on this page is followed inside the frame.
  if (/^#comment-[\w-]{1,100}$/.test(location.hash)) src.hash = location.hash;

  const frame = document.createElement('iframe');
  frame.dataset.broadside = '';
  frame.title = script.dataset.title || 'Comments';
  // The frame may run its script, post its forms and open links in new tabs; it may not
  // navigate this page away.
  frame.setAttribute(
    'sandbox',
    'allow-scripts allow-forms allow-same-origin allow-popups allow-popups-to-escape-sandbox',
  );
  frame.style.width = '100%';
  frame.style.border = '0';
  frame.style.display = 'block';
  frame.style.height = '320px';

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.origin !== site || event.source !== frame.contentWindow) return;
    if (!isFrameMessage(event.data)) return;
    if (event.data.type === 'broadside:height') {
      frame.style.height = `${Math.ceil(event.data.px)}px`;
    } else {
      const top = frame.getBoundingClientRect().top + window.scrollY + event.data.px;
      window.scrollTo({ top: Math.max(0, top - 16) });
    }
  });

  frame.src = src.href;
  container.append(frame);
}

// `currentScript` is known only while the script first runs, so it is read now.
const thisScript =
  (document.currentScript as HTMLScriptElement | null) ??
  document.querySelector<HTMLScriptElement>('script[data-broadside]');
if (thisScript) {
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => mountThread(thisScript));
  } else {
    mountThread(thisScript);
  }
}

export {};
