/**
 * What the public page and the public API show of a statement: the published text, how it was
 * cleared, what it is based on, its correction or withdrawal, its public history and its
 * signatories. Composed from the other use cases; reads only.
 */
import { correctionWording } from './model.js';
import type { Provenance } from './review-service.js';
import { provenanceOf } from './review-service.js';
import type { PublishedStatement } from './service.js';
import { getPublishedStatement } from './service.js';
import type { StatementsContext } from './service-support.js';
import { requireRevisionOf } from './service-support.js';
import type { Signatories } from './signature-service.js';
import { listSignatories } from './signature-service.js';
import * as store from './store.js';
import type { Revision, RevisionSummary } from './store.js';

export interface PublicStatement extends PublishedStatement {
  /** The published revision (its text is also the statement's). */
  revision: Revision;
  /** "Cleared by 2 editors on 14 November 2015", "Personal statement, not cleared" … */
  clearance: string;
  /** "Corrected on 20 November 2015: …" for a corrected statement. */
  correction: string | undefined;
  /** Every revision that has been the published text, oldest first: the public history. */
  history: RevisionSummary[];
  /** What it is based on, cited publicly; undefined when nothing (or nothing the public may read). */
  provenance: Provenance | undefined;
  signatories: Signatories;
}

/** The public view of the statement at /s/:slug; 404 unless published (or withdrawn). */
export async function getPublicStatement(
  ctx: StatementsContext,
  input: { siteId: string; slug: string },
): Promise<PublicStatement> {
  const published = await getPublishedStatement(ctx, input);
  const { statement } = published;
  const revision = await requireRevisionOf(
    ctx.db,
    statement,
    statement.publishedRevisionId ?? statement.currentRevisionId,
  );
  return {
    ...published,
    revision,
    clearance: statement.clearanceNote ?? '',
    correction:
      statement.correctedAt && revision.correctionNote !== undefined
        ? correctionWording(statement.correctedAt, revision.correctionNote)
        : undefined,
    history: await store.listRevisions(ctx.db, statement.id, { publishedOnly: true }),
    provenance: await provenanceOf(ctx, statement, revision, true),
    signatories: await listSignatories(ctx, { siteId: input.siteId, statementId: statement.id }),
  };
}
