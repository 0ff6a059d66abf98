/**
 * The statement editor's island: a live preview of the Markdown body beside the form, rendered by
 * the server's own renderer (a small JSON endpoint) so that the preview is exactly what will be
 * published; a count of words; and a warning before leaving with unsaved changes. Without it the
 * form still saves, and its "Preview" button renders the preview on the server.
 */

const DEBOUNCE_MS = 250;

interface PreviewAnswer {
  html: string;
}

function isPreviewAnswer(value: unknown): value is PreviewAnswer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { html?: unknown }).html === 'string'
  );
}

const wordsIn = (text: string) => text.split(/\s+/).filter((word) => word !== '').length;

export function enhanceEditor(form: HTMLFormElement): void {
  const body = form.querySelector<HTMLTextAreaElement>('textarea[name="body"]');
  const preview = document.getElementById(form.dataset.previewTarget ?? '');
  const endpoint = form.dataset.previewUrl;
  const csrf = form.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
  if (!body || !preview || !endpoint) return;

  // The server-side Preview button is not needed any more: the preview follows the typing.
  for (const button of form.querySelectorAll<HTMLButtonElement>('button[data-preview-button]'))
    button.hidden = true;
  preview.closest<HTMLElement>('[data-preview-panel]')?.removeAttribute('hidden');

  const status = document.getElementById(form.dataset.previewStatus ?? '');
  const words = document.getElementById(form.dataset.wordCount ?? '');
  const showWords = () => {
    if (words) words.textContent = `${wordsIn(body.value).toLocaleString('en')} words`;
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  let shown = '';

  async function refresh(): Promise<void> {
    const text = body?.value ?? '';
    if (text === shown) return;
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    try {
      const response = await fetch(endpoint as string, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-csrf-token': csrf,
        },
        body: JSON.stringify({ body: text }),
        credentials: 'same-origin',
        signal: controller.signal,
      });
      const answer: unknown = await response.json();
      if (!response.ok || !isPreviewAnswer(answer)) {
        const message =
          (answer as { error?: { message?: string } } | null)?.error?.message ??
          `The preview could not be made (HTTP ${response.status}).`;
        if (status) status.textContent = message;
        return;
      }
      (preview as HTMLElement).innerHTML = answer.html; // the server's safe renderer's output
      shown = text;
      if (status) status.textContent = '';
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      if (status)
        status.textContent = 'The preview is out of date: the server could not be reached.';
    } finally {
      if (inFlight === controller) inFlight = undefined;
    }
  }

  // What the page was loaded with is what the server last saw (or previewed).
  shown = preview.childElementCount > 0 ? body.value : '';
  showWords();
  if (shown === '' && body.value.trim() !== '') void refresh();

  let dirty = false;
  form.addEventListener('input', (event) => {
    dirty = true;
    if (event.target !== body) return;
    showWords();
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), DEBOUNCE_MS);
  });
  form.addEventListener('submit', () => {
    dirty = false;
  });
  window.addEventListener('beforeunload', (event) => {
    if (!dirty) return;
    event.preventDefault();
    // Older browsers show the dialog only when returnValue is set.
    event.returnValue = '';
  });
}
