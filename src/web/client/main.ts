// The browser entry: the stylesheet, and small enhancements of pages that already work without it.
import '../styles.css';

/** Buttons with `data-confirm` ask before submitting their form (e.g. revoking a token). */
function confirmDangerousActions(): void {
  document.addEventListener('submit', (event) => {
    const form = event.target as HTMLFormElement;
    const button = (event as SubmitEvent).submitter as HTMLElement | null;
    const question = button?.dataset.confirm ?? form.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
}

/** Copy buttons copy the text of the element their `data-copy` names. */
function copyButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      const source = document.getElementById(button.dataset.copy ?? '');
      if (!source) return;
      await navigator.clipboard.writeText(source.textContent ?? '');
      button.textContent = 'Copied';
    });
  }
}

/**
 * Pages with a discussion (`data-thread-id` on its section) load its island: posting in place and
 * live updates. Other pages never download it.
 */
function discussionIsland(): void {
  const section = document.querySelector<HTMLElement>('section[data-thread-id]');
  if (!section) return;
  import('./discussion.js')
    .then(({ enhanceDiscussion }) => enhanceDiscussion(section))
    .catch((error: unknown) => console.error('The discussion could not be enhanced:', error));
}

/** The moderation queue (`.mod-queue`) loads its island: keyboard shortcuts, actions in place. */
function moderationQueueIsland(): void {
  const root = document.querySelector<HTMLElement>('.mod-queue');
  if (!root) return;
  import('./moderation-queue.js')
    .then(({ enhanceQueue }) => enhanceQueue(root))
    .catch((error: unknown) => console.error('The moderation queue could not be enhanced:', error));
}

/** The statement editor (`form[data-statement-editor]`) loads its own island: the live preview. */
function statementEditorIsland(): void {
  const form = document.querySelector<HTMLFormElement>('form[data-statement-editor]');
  if (!form) return;
  import('./statement-editor.js')
    .then(({ enhanceEditor }) => enhanceEditor(form))
    .catch((error: unknown) => console.error('The statement editor could not be enhanced:', error));
}

confirmDangerousActions();
copyButtons();
discussionIsland();
moderationQueueIsland();
statementEditorIsland();
