/**
 * Word-level diffs as HTML: side by side (old | new, paragraphs level with each other) or inline
 * (one text, deletions struck through, insertions underlined), unchanged stretches folded into a
 * `<details>` that opens without JavaScript. Deletions and insertions also say so in words for
 * screen readers, which do not announce `<del>` and `<ins>`.
 */
import { countOf } from '../web/format.js';
import type { DiffBlock, DiffRow, DiffSegment } from './diff-layout.js';
import { diffRows, foldUnchanged } from './diff-layout.js';
import type { WordDiff } from './diffs.js';

export type DiffMode = 'side' | 'inline';

function Segment({ segment }: { segment: DiffSegment }) {
  if (segment.kind === 'removed')
    return (
      <del>
        <span class="visually-hidden">[removed: </span>
        {segment.text}
        <span class="visually-hidden">]</span>
      </del>
    );
  if (segment.kind === 'added')
    return (
      <ins>
        <span class="visually-hidden">[added: </span>
        {segment.text}
        <span class="visually-hidden">]</span>
      </ins>
    );
  return <>{segment.text}</>;
}

function Segments({ segments }: { segments: readonly DiffSegment[] }) {
  return (
    <>
      {segments.map((segment, index) => (
        <Segment segment={segment} key={index} />
      ))}
    </>
  );
}

const foldLabel = (rows: readonly DiffRow[]) =>
  `${countOf(rows.length, 'unchanged paragraph', 'unchanged paragraphs')} — show`;

function SideRows({ rows }: { rows: readonly DiffRow[] }) {
  return (
    <>
      {rows.map((row, index) => (
        <div class={row.changed ? 'diff-row diff-row-changed' : 'diff-row'} key={index}>
          <div class="diff-cell">
            <Segments segments={row.left} />
          </div>
          <div class="diff-cell">
            <Segments segments={row.right} />
          </div>
        </div>
      ))}
    </>
  );
}

function InlineRows({ rows }: { rows: readonly DiffRow[] }) {
  return (
    <>
      {rows.map((row, index) => (
        <p class={row.changed ? 'diff-para diff-row-changed' : 'diff-para'} key={index}>
          <Segments segments={row.parts} />
        </p>
      ))}
    </>
  );
}

function Blocks({ blocks, mode }: { blocks: readonly DiffBlock[]; mode: DiffMode }) {
  const Rows = mode === 'side' ? SideRows : InlineRows;
  return (
    <>
      {blocks.map((block, index) =>
        'row' in block ? (
          <Rows rows={[block.row]} key={index} />
        ) : (
          <details class="diff-fold" key={index}>
            <summary>{foldLabel(block.fold)}</summary>
            <Rows rows={block.fold} />
          </details>
        ),
      )}
    </>
  );
}

export interface DiffViewProps {
  /** Old text → new text, word level. */
  diff: WordDiff;
  mode: DiffMode;
  /** Column headings of the side-by-side view, e.g. "Revision 2" and "Revision 3". */
  oldLabel: string;
  newLabel: string;
  /** Show every paragraph instead of folding unchanged ones. */
  unfolded?: boolean;
}

/** A diff with its summary ("12 words added, 3 removed"), side by side or inline. */
export function DiffView(props: DiffViewProps) {
  const { diff } = props;
  const identical = diff.parts.every((part) => part.kind === 'same');
  const rows = diffRows(diff.parts);
  const blocks: DiffBlock[] = props.unfolded ? rows.map((row) => ({ row })) : foldUnchanged(rows);
  return (
    <div class="diff">
      <p class="diff-summary">
        {identical
          ? 'No change.'
          : diff.added === 0 && diff.removed === 0
            ? 'No word added or removed: only punctuation or spacing changed.'
            : `${countOf(diff.added, 'word', 'words')} added, ${countOf(diff.removed, 'word', 'words')} removed.`}
        {!diff.exact &&
          ' The texts differ too much to align every word, so some unchanged words may show as changed.'}
      </p>
      {props.mode === 'side' ? (
        // Not a table: folded rows sit in <details>, which a table's rows cannot. Each row reads
        // old paragraph, then new; the inline view is the one to prefer with a screen reader.
        <div class="diff-side">
          <div class="diff-row diff-head">
            <div class="diff-cell">{props.oldLabel}</div>
            <div class="diff-cell">{props.newLabel}</div>
          </div>
          <Blocks blocks={blocks} mode="side" />
        </div>
      ) : (
        <div class="diff-inline">
          <Blocks blocks={blocks} mode="inline" />
        </div>
      )}
    </div>
  );
}

/** Links that switch a diff between side by side and inline, keeping the rest of the query. */
export function DiffModeSwitch(props: { mode: DiffMode; hrefOf: (mode: DiffMode) => string }) {
  return (
    <p class="diff-modes">
      <span class="muted">Show: </span>
      {(['side', 'inline'] as const).map((mode) => (
        <a
          href={props.hrefOf(mode)}
          aria-current={mode === props.mode ? 'true' : undefined}
          key={mode}
        >
          {mode === 'side' ? 'side by side' : 'inline'}
        </a>
      ))}
    </p>
  );
}
