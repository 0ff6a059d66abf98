/**
 * The statement editor: title, subtitle, event, Markdown body and a note on the revision, with a
 * preview beside it. Without JavaScript the form saves, and its Preview button renders the text on
 * the server without saving; with it, the editor island keeps the preview live as one types (see
 * src/web/client/statement-editor.ts). Beside the form: how much of the text comes from what it is
 * based on.
 */
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import type { StatementTab } from './admin-views.js';
import { HeadingFields, Notice, Problem, StatementFrame, adminPath } from './admin-views.js';
import { DiffView } from './diff-views.js';
import type { ReuseShare, WordDiff } from './diffs.js';
import { formatShare } from './diffs.js';
import type { Revision, Statement } from './store.js';

/** What the editor's form holds, as typed. */
export interface EditorValues {
  title: string;
  subtitle: string;
  eventName: string;
  eventDate: string;
  body: string;
  note: string;
  /** The revision the text was loaded from: saving over a newer one is refused. */
  baseRevisionId: string;
}

export function editorValuesOf(statement: Statement, revision: Revision): EditorValues {
  return {
    title: revision.title,
    subtitle: revision.subtitle ?? '',
    eventName: statement.eventName ?? '',
    eventDate: statement.eventDate ?? '',
    body: revision.body,
    note: '',
    baseRevisionId: revision.id,
  };
}

/** The provenance summary beside the editor. */
export interface ProvenanceSummary {
  /** "Based in part on “…” (…)". */
  wording: string;
  reuse: ReuseShare;
  /** From the text it is based on to the current revision's body. */
  diff: WordDiff;
}

export function ReuseMeter({ reuse, label }: { reuse: ReuseShare; label: string }) {
  const share = formatShare(reuse.share);
  return (
    <div class="reuse">
      <meter
        min={0}
        max={1}
        value={reuse.share}
        aria-label={label}
        aria-valuetext={`${share} reused`}
      />
      <span>
        <strong>{share}</strong> of this text ({reuse.reusedWords.toLocaleString('en')} of{' '}
        {reuse.totalWords.toLocaleString('en')} words) is taken unchanged from it.
      </span>
    </div>
  );
}

export interface EditorPageProps {
  ctx: PageContext;
  statement: Statement;
  /** The current revision. */
  revision: Revision;
  values: EditorValues;
  /** The HTML to show in the preview: the saved text, or the text just previewed. */
  previewHtml: string;
  /** True when the preview shows unsaved text (the Preview button was pressed). */
  previewIsUnsaved?: boolean;
  provenance: ProvenanceSummary | undefined;
  problem?: string;
  notice?: string;
  /** Withdrawn statements cannot change: the form is not offered. */
  readOnly: boolean;
  showSignatures: boolean;
}

export function EditorPage(props: EditorPageProps) {
  const { statement, revision, values } = props;
  const tab: StatementTab = 'edit';
  const described = props.problem ? 'form-problem' : undefined;
  const published = statement.status === 'published';
  return (
    <StatementFrame
      ctx={props.ctx}
      statement={statement}
      tab={tab}
      heading={`Edit · revision ${revision.number}`}
      showSignatures={props.showSignatures}
    >
      <Notice message={props.notice} />
      <Problem message={props.problem} />
      {published && (
        <p class="muted">
          This statement is published. Saving creates a new revision that readers do not see until
          it is reviewed and published as a correction (on the Review tab).
        </p>
      )}
      {props.provenance && (
        <section class="provenance" aria-labelledby="provenance-heading">
          <h3 id="provenance-heading">{props.provenance.wording}</h3>
          <ReuseMeter reuse={props.provenance.reuse} label="Share of the text reused" />
          <details class="provenance-diff">
            <summary>The difference from it, word by word (revision {revision.number})</summary>
            <DiffView
              diff={props.provenance.diff}
              mode="inline"
              oldLabel="Based on"
              newLabel={`Revision ${revision.number}`}
            />
            <p>
              <a href={adminPath(statement.id, '/provenance')}>Side by side, with the source</a>
            </p>
          </details>
        </section>
      )}
      <div class="editor">
        {props.readOnly ? (
          <p class="notice">
            This statement has been withdrawn: its text can no longer change. Its history stays
            readable.
          </p>
        ) : (
          <form
            method="post"
            action={adminPath(statement.id)}
            class="stacked"
            aria-describedby={described}
            data-statement-editor=""
            data-preview-url="/admin/statements/preview"
            data-preview-target="statement-preview"
            data-preview-status="preview-status"
            data-word-count="word-count"
          >
            <CsrfField ctx={props.ctx} />
            <input type="hidden" name="baseRevisionId" value={values.baseRevisionId} />
            <HeadingFields values={values} titleRequired />
            <label>
              Text (Markdown)
              <span class="hint">
                Paragraphs are separated by a blank line. # and ## make headings; -, * and 1. make
                lists; [words](https://…) makes a link.
              </span>
              <textarea name="body" rows={24}>
                {values.body}
              </textarea>
            </label>
            <p class="word-count" id="word-count" aria-live="off" />
            <label>
              What changed in this revision
              <span class="hint">Optional; shown in the history, e.g. “tightened the ending”</span>
              <input type="text" name="note" value={values.note} maxLength={1000} />
            </label>
            <div class="form-actions">
              <button type="submit" name="intent" value="save">
                Save revision
              </button>
              <button
                type="submit"
                name="intent"
                value="preview"
                class="secondary"
                data-preview-button=""
              >
                Preview
              </button>
            </div>
          </form>
        )}
        <section class="preview-panel" aria-labelledby="preview-heading" data-preview-panel="">
          <h2 id="preview-heading">
            {props.previewIsUnsaved ? 'Preview (not saved yet)' : 'Preview'}
          </h2>
          <p class="preview-status" id="preview-status" role="status" />
          <article class="statement">
            <div
              class="statement-body"
              id="statement-preview"
              dangerouslySetInnerHTML={{ __html: props.previewHtml }}
            />
          </article>
        </section>
      </div>
    </StatementFrame>
  );
}
