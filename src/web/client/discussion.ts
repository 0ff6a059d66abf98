/**
 * The discussion island, for pages whose discussion section says `data-thread-id`. It posts
 * comments and replies in place through the JSON API, inserting the comment as the server renders
 * it (`…/comments/:id/fragment`), and shows what others post, edit and remove as it happens
 * (Server-Sent Events). The page works without it: it only takes a form's submit over once it is
 * running, and any form it does not know posts as usual.
 */
import { notPublishedMessage } from '../../moderation/model.js';
import { countOf } from '../format.js';

interface PresentedComment {
  id: string;
  parentId: string | null;
  status: string;
  author: { name: string } | null;
}

interface LiveEvent {
  commentId: string;
  comment?: PresentedComment;
}

interface ApiError {
  error?: { message?: string };
}

const HELD_TEXT =
  'Your comment is awaiting moderation. It will appear here once a moderator has approved it.';

export function enhanceDiscussion(section: HTMLElement): void {
  const data = section.dataset;
  const threadId = data.threadId ?? '';
  const basePath = data.basePath ?? '';
  const page = Number(data.page ?? '1');
  const pageCount = Number(data.pageCount ?? '1');
  const sort = data.sort === 'newest' ? 'newest' : 'oldest';
  const thread = section.querySelector<HTMLElement>('.discussion-thread');
  if (!threadId || !basePath || !thread) return;
  const api = `/api/v1/threads/${encodeURIComponent(threadId)}`;
  const status = liveRegion(section);

  // --- comments as the server renders them -------------------------------------------------

  const fetching = new Map<string, Promise<HTMLLIElement | undefined>>();

  /** The comment's `<li>`, rendered for this viewer; undefined when it is not public (any more). */
  async function fragment(id: string, editToken?: string): Promise<HTMLLIElement | undefined> {
    const query = new URLSearchParams();
    if (page > 1) query.set('page', String(page));
    if (sort === 'newest') query.set('sort', sort);
    const search = query.toString();
    const url = `${basePath}/comments/${encodeURIComponent(id)}/fragment${search ? `?${search}` : ''}`;
    const response = await fetch(url, {
      headers: editToken ? { 'x-edit-token': editToken } : {},
      credentials: 'same-origin',
    });
    if (!response.ok) return undefined;
    const template = document.createElement('template');
    template.innerHTML = (await response.text()).trim();
    const item = template.content.firstElementChild;
    return item instanceof HTMLLIElement ? item : undefined;
  }

  const itemOf = (id: string) => document.getElementById(`comment-${id}`);

  /** Puts a new comment where the page would show it; false when it belongs to another page. */
  function place(item: HTMLLIElement, parentId: string | null): boolean {
    if (parentId !== null) {
      const parent = itemOf(parentId);
      if (!parent) return false;
      let replies = parent.querySelector(':scope > ol.replies');
      if (!replies) {
        replies = document.createElement('ol');
        replies.className = 'replies';
        parent.append(replies);
      }
      replies.append(item);
      return true;
    }
    // New top-level comments go on the last page (oldest first) or the first (newest first).
    if (sort === 'oldest' ? page !== pageCount : page !== 1) return false;
    let list = thread?.querySelector(':scope > ol.comment-list');
    if (!list) {
      list = document.createElement('ol');
      list.className = 'comment-list';
      const empty = thread?.querySelector(':scope > .empty-state');
      if (empty) empty.replaceWith(list);
      else thread?.append(list);
    }
    if (sort === 'newest') list.prepend(item);
    else list.append(item);
    return true;
  }

  /** Replaces what a comment shows (not its replies, nor a form someone is typing in). */
  function refresh(item: HTMLElement, fresh: HTMLLIElement, whole: boolean): void {
    const card = item.querySelector(':scope > .comment-card');
    const freshCard = fresh.querySelector(':scope > .comment-card');
    if (!card || !freshCard) return;
    item.className = fresh.className;
    if (whole) {
      card.replaceWith(freshCard);
      return;
    }
    for (const part of ['.comment-meta', '.comment-body']) {
      const old = card.querySelector(`:scope > ${part}`);
      const replacement = freshCard.querySelector(`:scope > ${part}`);
      if (old && replacement) old.replaceWith(replacement);
    }
  }

  /**
   * Shows a comment: inserts it once, whoever learns of it first (the poster's own request or
   * the live stream). With the poster's edit token the server also keeps the token for them and
   * renders their controls, which then replace a copy the stream may have put in first.
   */
  async function show(comment: PresentedComment, editToken?: string): Promise<HTMLElement | null> {
    const { id } = comment;
    if (!editToken && (itemOf(id) || fetching.has(id))) return itemOf(id);
    const request = fragment(id, editToken);
    if (!editToken) fetching.set(id, request);
    try {
      const item = await request;
      if (!item) return null;
      const existing = itemOf(id);
      // Only the poster's own copy (with their controls) replaces one already shown.
      if (existing && editToken) refresh(existing, item, true);
      else if (!existing && !place(item, comment.parentId)) return null;
      return itemOf(id);
    } finally {
      if (!editToken) fetching.delete(id);
    }
  }

  let counting: number | undefined;
  /** "N comments", from the thread as it is now (a few changes at once: one request). */
  function recount(): void {
    window.clearTimeout(counting);
    counting = window.setTimeout(async () => {
      const response = await fetch(api, { credentials: 'same-origin' });
      if (!response.ok) return;
      const { commentCount } = (await response.json()) as { commentCount: number };
      const title = section.querySelector('#comments-title');
      if (title) title.textContent = countOf(commentCount, 'comment', 'comments');
    }, 100);
  }

  // --- posting in place --------------------------------------------------------------------

  function alertBefore(form: HTMLFormElement, message: string | undefined): void {
    let alert = form.previousElementSibling;
    if (!(alert instanceof HTMLElement && alert.matches('p.alert, p.notice'))) {
      if (message === undefined) return;
      alert = document.createElement('p');
      form.before(alert);
    }
    if (!(alert instanceof HTMLElement)) return;
    if (message === undefined) {
      alert.remove();
      return;
    }
    alert.className = 'alert';
    alert.setAttribute('role', 'alert');
    alert.tabIndex = -1;
    alert.textContent = message;
    alert.focus();
  }

  function noticeBefore(form: HTMLFormElement, message: string): void {
    alertBefore(form, undefined);
    const notice = document.createElement('p');
    notice.className = 'notice';
    notice.textContent = message;
    form.before(notice);
  }

  /** Comments this page posted, and posts still waiting for their answer. */
  const mine = new Set<string>();
  const posting = new Set<Promise<unknown>>();

  async function post(form: HTMLFormElement): Promise<void> {
    const fields = new FormData(form);
    const text = (name: string) => {
      const value = fields.get(name);
      return typeof value === 'string' ? value : undefined;
    };
    const parentId = text('parentId');
    const payload: Record<string, unknown> = { body: text('body') ?? '' };
    if (parentId) payload.parentId = parentId;
    if (form.elements.namedItem('name')) payload.authorName = text('name') ?? '';
    if (text('email')) payload.authorEmail = text('email');
    if (text('website')) payload.authorUrl = text('website');
    if (fields.get('notifyReplies') === 'on') payload.notifyReplies = true;

    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (button) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const sent = (async () => {
        const response = await fetch(`${api}/comments`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            // Needed only with a session cookie; harmless without one.
            'x-csrf-token': text('_csrf') ?? '',
          },
          body: JSON.stringify(payload),
        });
        const result = (await response.json().catch(() => ({}))) as ApiError & {
          comment?: PresentedComment;
          editToken?: string;
          reasons?: { code: string; message: string }[];
        };
        if (result.comment) mine.add(result.comment.id);
        return { response, result };
      })();
      posting.add(sent);
      let answer: Awaited<typeof sent>;
      try {
        answer = await sent;
      } catch {
        alertBefore(form, 'Your comment could not be sent: the connection failed. Try again.');
        return;
      } finally {
        posting.delete(sent);
      }
      const { response, result } = answer;
      if (!response.ok || !result.comment) {
        const message =
          result.error?.message ?? `Your comment was not posted (${response.status}).`;
        alertBefore(form, message);
        return;
      }
      if (result.comment.status === 'rejected' || result.comment.status === 'spam') {
        // Not published: the text stays in the form, with the reasons, to be changed.
        alertBefore(form, notPublishedMessage(result.comment.status, result.reasons ?? []));
        return;
      }
      const body = form.querySelector('textarea');
      if (body) body.value = '';
      const box = form.closest('details');
      if (result.comment.status !== 'approved') {
        noticeBefore(form, HELD_TEXT);
        status(HELD_TEXT);
        return;
      }
      alertBefore(form, undefined);
      const item = await show(result.comment, result.editToken);
      if (box) box.open = false;
      status(parentId ? 'Your reply has been posted.' : 'Your comment has been posted.');
      const card = item?.querySelector<HTMLElement>(':scope > .comment-card');
      if (card) {
        card.tabIndex = -1;
        card.focus({ preventScroll: true });
        card.scrollIntoView({ block: 'nearest' });
      }
      recount();
    } finally {
      if (button) button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }

  section.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.getAttribute('action') !== `${basePath}/comments`) return;
    event.preventDefault();
    void post(form);
  });

  // --- live updates ------------------------------------------------------------------------

  let version = data.version ?? '';
  let source: EventSource | undefined;

  const handlers: Record<string, (event: LiveEvent) => Promise<void>> = {
    'comment.created': async ({ comment }) => {
      if (!comment || comment.status !== 'approved') return;
      // The stream may tell of this page's own comment before its post is answered.
      await Promise.allSettled(posting);
      if (mine.has(comment.id) || itemOf(comment.id)) return;
      const item = await show(comment);
      if (item) {
        const who = comment.author?.name ?? 'someone';
        status(comment.parentId ? `A new reply by ${who}.` : `A new comment by ${who}.`);
      }
      recount();
    },
    'comment.edited': async ({ commentId }) => {
      const item = itemOf(commentId);
      const fresh = item && (await fragment(commentId));
      if (item && fresh) refresh(item, fresh, false);
    },
    'comment.removed': async ({ commentId }) => {
      const item = itemOf(commentId);
      const fresh = item && (await fragment(commentId));
      if (item && fresh) refresh(item, fresh, true);
      recount();
    },
  };

  function connect(): void {
    source = new EventSource(`${api}/events?lastEventId=${encodeURIComponent(version)}`);
    for (const [type, handle] of Object.entries(handlers)) {
      source.addEventListener(type, (event) => {
        const message = event as MessageEvent<string>;
        version = message.lastEventId || version;
        void handle(JSON.parse(message.data) as LiveEvent);
      });
    }
    source.addEventListener('ready', (event) => {
      version = (event as MessageEvent<string>).lastEventId || version;
    });
    // The thread changed while this page was not listening: show it as it is now.
    source.addEventListener('resync', (event) => {
      version = (event as MessageEvent<string>).lastEventId || version;
      void reload();
    });
    source.addEventListener('error', () => {
      // The browser reconnects by itself unless the server refused the stream outright.
      if (source?.readyState === EventSource.CLOSED) {
        source = undefined;
        window.setTimeout(connect, 15_000);
      }
    });
  }

  /** Re-reads the thread from the page's own address, keeping what someone is typing. */
  async function reload(): Promise<void> {
    if (!thread) return;
    const response = await fetch(location.pathname + location.search, {
      headers: { accept: 'text/html' },
      credentials: 'same-origin',
    });
    if (!response.ok) return;
    const fresh = new DOMParser()
      .parseFromString(await response.text(), 'text/html')
      .querySelector('.discussion-thread');
    if (!fresh) return;
    const typed = new Map<string, string>();
    for (const field of thread.querySelectorAll<HTMLTextAreaElement>('textarea')) {
      if (field.value !== field.defaultValue) typed.set(keyOf(field), field.value);
    }
    thread.replaceChildren(...Array.from(fresh.childNodes));
    for (const field of thread.querySelectorAll<HTMLTextAreaElement>('textarea')) {
      const value = typed.get(keyOf(field));
      if (value === undefined) continue;
      field.value = value;
      const box = field.closest('details');
      if (box) box.open = true;
    }
  }

  window.addEventListener('pagehide', () => {
    source?.close();
    source = undefined;
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && !source) connect();
  });
  connect();
}

/** Which form a text box belongs to, stable across renderings: the form's address and parent. */
function keyOf(field: HTMLTextAreaElement): string {
  const form = field.form;
  const parent = form?.querySelector<HTMLInputElement>('input[name="parentId"]')?.value ?? '';
  return `${form?.getAttribute('action') ?? ''} ${parent}`;
}

/** A polite live region for what happened out of sight; returns the function that speaks. */
function liveRegion(section: HTMLElement): (message: string) => void {
  const region = document.createElement('p');
  region.className = 'visually-hidden';
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  section.append(region);
  return (message) => {
    // Emptied first, so the same words twice are still announced.
    region.textContent = '';
    window.setTimeout(() => {
      region.textContent = message;
    }, 50);
  };
}
