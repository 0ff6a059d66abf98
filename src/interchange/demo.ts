/**
 * Demo content: the two sample documents, loaded on a site's first start so that a new installation
 * shows what Broadside is for. The files live in `demo/` in the package (copies of the project's
 * seeds, byte for byte). Loaded only while the site has no statement at all, so never twice and
 * never over real content; `DEMO_CONTENT=false` turns it off.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../platform/paths.js';
import type { StatementsContext } from '../statements/service.js';
import { siteHasStatements } from '../statements/service.js';
import type { ImportSummary } from './import-text.js';
import { importTextThread } from './import-text.js';

export interface DemoDocument {
  file: string;
  authorName: string;
  clearanceNote: string;
}

/**
 * The sample documents, oldest first (so the newest is listed first), with what their plain text
 * does not say. The Paris statement is Jim Denham's own, "drawn up by myself" and not "cleared":
 * he is the commenter who answers in his own thread. The Westminster statement is written in the
 * first person plural and signed by no one — an organisation's cleared statement (as the product
 * brief describes it) whose text names neither the organisation nor a person, so it is published
 * as unsigned rather than under an invented name.
 */
export const DEMO_DOCUMENTS: readonly DemoDocument[] = [
  {
    file: 'paris-statement-with-comments.txt',
    authorName: 'Jim Denham',
    clearanceNote: 'Personal statement, not cleared',
  },
  {
    file: 'westminster-statement.txt',
    authorName: 'Unsigned',
    clearanceNote: 'Collective statement, cleared by the organisation',
  },
];

/** Where the demo documents are: `demo/` at the package's root. */
export function demoDirectory(): string {
  return path.join(projectRoot(), 'demo');
}

/**
 * Imports the demo documents when the site has no statements; otherwise does nothing and returns
 * undefined. Each document is its own import (see `importTextThread`).
 */
export async function loadDemoContent(
  ctx: StatementsContext,
  input: { siteId: string; directory?: string },
): Promise<ImportSummary[] | undefined> {
  if (await siteHasStatements(ctx, input.siteId)) return undefined;
  const directory = input.directory ?? demoDirectory();
  const loaded: ImportSummary[] = [];
  for (const document of DEMO_DOCUMENTS) {
    const text = await readFile(path.join(directory, document.file), 'utf8');
    loaded.push(
      await importTextThread(ctx, {
        siteId: input.siteId,
        text,
        authorName: document.authorName,
        clearanceNote: document.clearanceNote,
      }),
    );
  }
  return loaded;
}
