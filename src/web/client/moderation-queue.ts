/**
 * The moderation queue island, for `/admin/moderation` (`.mod-queue`). The page works without it:
 * every action is a form that posts and comes back. With it, the forms' actions go through the
 * JSON API without reloading; the tab counts follow; focus moves to the next comment; results are
 * announced in the page's live region; and the keyboard clears a queue: j/k move, a/r/s approve,
 * reject or mark as spam the current comment, x selects it, ? shows the keys. Keys do nothing
 * while someone types in a field.
 */

type Verb = 'approve' | 'reject' | 'spam';

interface ApiError {
  error?: { code?: string; message?: string };
}

/** The tab counts as the API reports them. */
type Counts = Record<string, number>;

const API = '/api/v1/moderation';

const DONE: Record<Verb, string> = {
  approve: 'Approved',
  reject: 'Rejected',
  spam: 'Marked as spam',
};

/** The ban form's durations in days; "forever" sends none. */
const BAN_DAYS: Record<string, number | undefined> = { '1d': 1, '7d': 7, '30d': 30 };

/** Whether a comment stays on `tab` once the action is done (else it leaves the list). */
function stillShown(tab: string, verb: Verb): boolean {
  if (tab === 'all') return true;
  if (verb === 'reject') return tab === 'rejected';
  if (verb === 'spam') return tab === 'spam';
  return false;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    // Checkboxes, radios and buttons take no text: keys still work there.
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  }
  return false;
}

export function enhanceQueue(root: HTMLElement): void {
  const tab = root.dataset.tab ?? 'pending';
  const status = root.querySelector<HTMLElement>('#queue-status');
  const entries = root.querySelector<HTMLElement>('.mod-entries');
  if (!status || !entries) return;

  const csrf = () => root.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
  const items = () => Array.from(root.querySelectorAll<HTMLLIElement>('.mod-list > .mod-item'));
  const nameOf = (item: HTMLElement) =>
    item.querySelector('.mod-author-name')?.textContent?.trim() ?? 'someone';

  // --- what only works with the island ---------------------------------------------------

  const toggle = root.querySelector<HTMLButtonElement>('#shortcuts-toggle');
  const help = root.querySelector<HTMLElement>('#shortcuts-help');
  function showHelp(open: boolean): void {
    if (!toggle || !help) return;
    help.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  }
  if (toggle && help) {
    toggle.hidden = false;
    toggle.addEventListener('click', () => showHelp(help.hidden));
  }

  /** Shows the controls that need the island, and hides their no-JavaScript stand-ins. */
  function prepare(): void {
    const selectAll = root.querySelector<HTMLInputElement>('#select-all');
    const box = selectAll?.closest('label');
    if (box instanceof HTMLElement) box.hidden = false;
    root.querySelector<HTMLElement>('.select-all-link')?.setAttribute('hidden', '');
    for (const card of root.querySelectorAll<HTMLElement>('.mod-card')) card.tabIndex = -1;
    syncSelectAll();
  }

  // --- the current comment -----------------------------------------------------------------

  let current: HTMLLIElement | undefined;

  function setCurrent(item: HTMLLIElement | undefined, focus: boolean): void {
    if (current && current !== item) {
      current.classList.remove('is-current');
      current.removeAttribute('aria-current');
    }
    current = item;
    if (!item) return;
    item.classList.add('is-current');
    item.setAttribute('aria-current', 'true');
    if (focus) {
      const card = item.querySelector<HTMLElement>('.mod-card');
      card?.focus({ preventScroll: true });
      item.scrollIntoView({ block: 'nearest' });
    }
  }

  function move(step: 1 | -1): void {
    const list = items();
    if (list.length === 0) return;
    const at = current ? list.indexOf(current) : -1;
    const next = at === -1 ? list[0] : list[Math.min(list.length - 1, Math.max(0, at + step))];
    setCurrent(next, true);
  }

  root.addEventListener('focusin', (event) => {
    const item = (event.target as Element | null)?.closest?.('.mod-item');
    if (item instanceof HTMLLIElement && item !== current) setCurrent(item, false);
  });

  // --- speaking ----------------------------------------------------------------------------

  let speaking: number | undefined;
  function announce(message: string, problem = false): void {
    if (!status) return;
    window.clearTimeout(speaking);
    status.classList.toggle('is-problem', problem);
    // Emptied first, so the same words twice are still announced.
    status.textContent = '';
    speaking = window.setTimeout(() => {
      status.textContent = message;
    }, 50);
  }

  // --- talking to the server ---------------------------------------------------------------

  /** Posts to the API (JSON, or no body when `payload` is undefined) with the page's token. */
  async function send(
    path: string,
    payload: Record<string, unknown> | undefined,
  ): Promise<{ ok: true; body: unknown } | { ok: false; message: string }> {
    let response: Response;
    try {
      response = await fetch(`${API}${path}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          accept: 'application/json',
          'x-csrf-token': csrf(),
        },
        body: payload ? JSON.stringify(payload) : undefined,
      });
    } catch {
      return { ok: false, message: 'The connection failed; nothing was changed. Try again.' };
    }
    const body = (await response.json().catch(() => ({}))) as ApiError;
    if (!response.ok) {
      return {
        ok: false,
        message: body.error?.message ?? `That did not work (HTTP ${response.status}).`,
      };
    }
    return { ok: true, body };
  }

  async function refreshCounts(): Promise<Counts | undefined> {
    try {
      const response = await fetch(`${API}/queue?tab=${encodeURIComponent(tab)}&limit=1`, {
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      });
      if (!response.ok) return undefined;
      const { counts } = (await response.json()) as { counts: Counts };
      for (const span of root.querySelectorAll<HTMLElement>('[data-count-of]')) {
        const value = counts[span.dataset.countOf ?? ''];
        if (typeof value === 'number') span.textContent = value.toLocaleString('en');
      }
      return counts;
    } catch {
      return undefined;
    }
  }

  /**
   * After an action changed `changed`: if they leave this tab they go, and focus moves to the
   * next comment; if they stay (the All tab, say), the page's comments are re-read so their
   * status and buttons are current. Counts follow; an emptied page is re-read. Returns the
   * "N left" part of the announcement.
   */
  async function settle(changed: HTMLLIElement[], stays: boolean): Promise<string> {
    if (stays) {
      const keep = current?.dataset.commentId;
      await reloadEntries(true);
      setCurrent(items().find((item) => item.dataset.commentId === keep) ?? items()[0], true);
    } else {
      const leaving = new Set(changed);
      const next = current && leaving.has(current) ? neighbour(current, leaving) : current;
      for (const item of changed) item.remove();
      syncSelectAll();
      if (items().length === 0) {
        // This page is done: the tab's first page again, with whatever is left.
        await reloadEntries(false);
        setCurrent(items()[0], true);
      } else setCurrent(next, true);
    }
    const counts = await refreshCounts();
    if (items().length === 0) {
      const empty = root.querySelector<HTMLElement>('#queue-empty');
      if (empty) {
        empty.tabIndex = -1;
        empty.focus();
      }
    }
    const left = counts?.[tab];
    return typeof left === 'number' ? ` ${left.toLocaleString('en')} left in this tab.` : '';
  }

  /** Re-reads the comments from the server into the page: this page, or the tab's first. */
  async function reloadEntries(samePage: boolean): Promise<void> {
    try {
      const url = new URL(location.href);
      if (!samePage) url.searchParams.delete('cursor');
      url.searchParams.delete('done');
      url.searchParams.delete('count');
      url.searchParams.delete('select');
      const response = await fetch(url, {
        credentials: 'same-origin',
        headers: { accept: 'text/html' },
      });
      if (!response.ok) return;
      const fresh = new DOMParser()
        .parseFromString(await response.text(), 'text/html')
        .querySelector('.mod-queue .mod-entries');
      if (!fresh || !entries) return;
      entries.replaceChildren(...Array.from(fresh.childNodes));
      history.replaceState(null, '', url);
      current = undefined;
      prepare();
    } catch {
      // The list stays as it is; the next action or a reload shows the rest.
    }
  }

  /** The item after `item`, else before it, that is not leaving: where focus goes next. */
  function neighbour(item: HTMLLIElement, leaving: ReadonlySet<HTMLLIElement>) {
    const list = items();
    const at = list.indexOf(item);
    return (
      list.slice(at + 1).find((other) => !leaving.has(other)) ??
      list
        .slice(0, at)
        .reverse()
        .find((other) => !leaving.has(other))
    );
  }

  let turn: Promise<void> = Promise.resolve();
  function enqueue(task: () => Promise<void>): void {
    turn = turn.then(task).catch((error: unknown) => {
      console.error('A moderation action failed:', error);
      announce('That did not work. Reload the page and try again.', true);
    });
  }

  const busy = new Set<string>();

  /** Runs one action on one comment, once at a time per comment. */
  async function once(item: HTMLLIElement, work: (id: string) => Promise<void>): Promise<void> {
    const id = item.dataset.commentId ?? '';
    if (!id || busy.has(id)) return;
    busy.add(id);
    item.setAttribute('aria-busy', 'true');
    try {
      await work(id);
    } finally {
      busy.delete(id);
      item.removeAttribute('aria-busy');
    }
  }

  function act(item: HTMLLIElement, verb: Verb): Promise<void> {
    return once(item, async (id) => {
      const reason =
        verb === 'reject'
          ? (item.querySelector<HTMLInputElement>('.reject-form input[name="reason"]')?.value ?? '')
          : '';
      const result = await send('/actions', {
        action: verb,
        commentIds: [id],
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      if (!result.ok) {
        announce(result.message, true);
        return;
      }
      const who = nameOf(item);
      announce(
        `${DONE[verb]}: the comment by ${who}.${await settle([item], stillShown(tab, verb))}`,
      );
    });
  }

  function ban(item: HTMLLIElement, form: HTMLFormElement): Promise<void> {
    return once(item, async (id) => {
      const fields = new FormData(form);
      const days = BAN_DAYS[String(fields.get('duration') ?? '')];
      const result = await send('/bans', {
        commentId: id,
        reason: String(fields.get('reason') ?? ''),
        ...(days ? { days } : {}),
      });
      if (!result.ok) {
        announce(result.message, true);
        return;
      }
      form.reset();
      const box = form.closest('details');
      if (box) box.open = false;
      setCurrent(item, true);
      announce(
        `Banned ${nameOf(item)}: their new comments will be refused. Decide on this comment too.`,
      );
    });
  }

  async function closeThread(form: HTMLFormElement): Promise<void> {
    const action = form.getAttribute('action') ?? '';
    const threadId = /\/threads\/([^/]+)\/close$/.exec(action)?.[1];
    if (!threadId) return;
    const result = await send(`/threads/${threadId}/close`, undefined);
    if (!result.ok) {
      announce(result.message, true);
      return;
    }
    announce(`The thread is closed to new comments.${await settle([], true)}`);
  }

  async function bulk(form: HTMLFormElement, verb: Verb): Promise<void> {
    const chosen = items().filter(
      (item) => item.querySelector<HTMLInputElement>('input[name="ids"]')?.checked,
    );
    if (chosen.length === 0) {
      announce('Select one or more comments first (x selects the current one).', true);
      return;
    }
    form.setAttribute('aria-busy', 'true');
    try {
      const ids = chosen.map((item) => item.dataset.commentId ?? '');
      const result = await send('/actions', { action: verb, commentIds: ids });
      if (!result.ok) {
        announce(result.message, true);
        return;
      }
      const count = `${chosen.length} ${chosen.length === 1 ? 'comment' : 'comments'}`;
      announce(`${DONE[verb]}: ${count}.${await settle(chosen, stillShown(tab, verb))}`);
    } finally {
      form.removeAttribute('aria-busy');
    }
  }

  // --- selection ---------------------------------------------------------------------------

  function syncSelectAll(): void {
    const all = root.querySelector<HTMLInputElement>('#select-all');
    if (!all) return;
    const boxes = items().map((item) => item.querySelector<HTMLInputElement>('input[name="ids"]'));
    const ticked = boxes.filter((box) => box?.checked).length;
    all.checked = ticked > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  root.addEventListener('change', (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (target.id === 'select-all') {
      for (const item of items()) {
        const box = item.querySelector<HTMLInputElement>('input[name="ids"]');
        if (box) box.checked = target.checked;
      }
      announce(target.checked ? `Selected all ${items().length}.` : 'Selection cleared.');
    } else if (target.name === 'ids') {
      syncSelectAll();
    }
  });

  // --- forms -------------------------------------------------------------------------------

  // On the document, so that it runs after main.ts's `data-confirm` check (also there, added
  // first) and sees a cancelled confirmation as `defaultPrevented`.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented || !root.contains(form))
      return;
    const action = form.getAttribute('action') ?? '';
    const submitter = (event as SubmitEvent).submitter;
    if (action === '/admin/moderation/bulk') {
      const verb = submitter instanceof HTMLButtonElement ? submitter.value : '';
      if (verb !== 'approve' && verb !== 'reject' && verb !== 'spam') return;
      event.preventDefault();
      void bulk(form, verb);
      return;
    }
    if (/^\/admin\/moderation\/threads\/[^/]+\/close$/.test(action)) {
      event.preventDefault();
      void closeThread(form);
      return;
    }
    const match = /^\/admin\/moderation\/comments\/[^/]+\/(approve|reject|spam|ban)$/.exec(action);
    const item = form.closest('.mod-item');
    if (!match || !(item instanceof HTMLLIElement)) return;
    event.preventDefault();
    setCurrent(item, false);
    if (match[1] === 'ban') void ban(item, form);
    else void act(item, match[1] as Verb);
  });

  // --- keys --------------------------------------------------------------------------------

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    const key = event.key;
    if (key === '?') {
      event.preventDefault();
      showHelp(help?.hidden ?? false);
      return;
    }
    if (key === 'Escape' && help && !help.hidden) {
      showHelp(false);
      toggle?.focus();
      return;
    }
    switch (key) {
      case 'j':
        event.preventDefault();
        move(1);
        return;
      case 'k':
        event.preventDefault();
        move(-1);
        return;
      case 'a':
      case 'r':
      case 's': {
        event.preventDefault();
        const verb = key === 'a' ? 'approve' : key === 'r' ? 'reject' : 'spam';
        // Keys pressed while an action is under way wait their turn, and then act on the
        // comment that is current by then (the one after the last one handled).
        enqueue(async () => {
          if (current?.isConnected) await act(current, verb);
          else if (items().length > 0) announce('Press j to choose a comment first.', true);
        });
        return;
      }
      case 'x': {
        const box = current?.querySelector<HTMLInputElement>('input[name="ids"]');
        if (!box) return;
        event.preventDefault();
        box.checked = !box.checked;
        syncSelectAll();
        announce(box.checked ? 'Selected.' : 'Unselected.');
        return;
      }
    }
  });

  prepare();
}
