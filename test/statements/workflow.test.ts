// The statements' use cases on a real database, once per database kind: drafting, review,
// publication, internal comments and co-signatures, each action in one transaction.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/accounts/model.js';
import * as accounts from '../../src/accounts/service.js';
import { accountsContext, statementsContext } from '../../src/runtime.js';
import { fixedClock } from '../../src/platform/clock.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail.js';
import { getPublicStatement } from '../../src/statements/public-service.js';
import * as review from '../../src/statements/review-service.js';
import type { Actor, StatementsContext } from '../../src/statements/service.js';
import * as statements from '../../src/statements/service.js';
import * as signing from '../../src/statements/signature-service.js';
import { databaseKinds } from '../helpers/databases.js';
import { failure } from '../helpers/failure.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import type { SmtpCapture } from '../helpers/smtp.js';
import { startSmtpCapture } from '../helpers/smtp.js';
import { buildStatement } from './factories.js';

const BASE_URL = new URL('https://statements.example.org/');

describe.each(databaseKinds)('statement workflow on $name', (kind) => {
  let smtp: SmtpCapture;
  let test: TestRuntime;
  let ctx: StatementsContext;
  let siteId: string;
  const clock = fixedClock('2026-11-24T10:00:00Z');
  const logger = createLogger('silent');

  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    smtp.received.length = 0;
    test = await createTestRuntime({ kind, clock });
    const mailer = createMailer({ smtpUrl: new URL(smtp.url), from: 'test@example.org', logger });
    ctx = { ...statementsContext(test.runtime), mail: { mailer, baseUrl: BASE_URL, logger } };
    siteId = (await accounts.ensureSite(accountsContext(test.runtime), { name: 'Test' })).id;
  });
  afterEach(async () => {
    ctx.mail?.mailer.close();
    await test.close();
  });

  async function member(role: Role, name: string): Promise<Actor> {
    const { member } = await accounts.addMember(accountsContext(test.runtime), {
      siteId,
      email: `${name.toLowerCase().replace(/\W/g, '')}@example.org`,
      role,
      displayName: name,
    });
    return { accountId: member.id, name, role };
  }

  const count = async (table: string) =>
    Number(
      (
        (await test.runtime.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()) as { n: number | string }
      ).n,
    );

  async function draft(author: Actor, body = 'First paragraph.\n\nSecond paragraph.') {
    return statements.createStatement(ctx, { siteId, actor: author, title: 'On the strike', body });
  }

  async function setPolicy(policy: unknown) {
    return review.setClearancePolicy(ctx, { siteId, policy });
  }

  describe('drafting', () => {
    it('saves a revision only when the text changes, and refuses a save over a newer revision', async () => {
      const author = await member('author', 'Ann Author');
      const { statement, revision } = await draft(author);
      const same = await statements.reviseStatement(ctx, {
        siteId,
        statementId: statement.id,
        actor: author,
        body: 'First paragraph.  \r\n\r\nSecond paragraph.\n',
        eventName: 'The strike',
      });
      expect(same.created).toBe(false);
      expect(same.revision.id).toBe(revision.id);
      expect(same.statement.eventName).toBe('The strike');

      const next = await statements.reviseStatement(ctx, {
        siteId,
        statementId: statement.slug,
        actor: author,
        body: 'First paragraph, changed.\n\nSecond paragraph.',
        baseRevisionId: revision.id,
      });
      expect(next).toMatchObject({ created: true, revision: { number: 2 } });

      const before = await count('statement_revisions');
      const stale = await failure(
        statements.reviseStatement(ctx, {
          siteId,
          statementId: statement.id,
          actor: author,
          body: 'Someone else’s edit.',
          baseRevisionId: revision.id,
        }),
      );
      expect(stale).toMatchObject({ status: 409, code: 'revision-conflict' });
      expect(await count('statement_revisions')).toBe(before);
    });

    it('bases a statement on another statement’s revision, cited publicly only once that one is published', async () => {
      const author = await member('author', 'Ann Author');
      const editor = await member('editor', 'Ed Editor');
      await setPolicy({ kind: 'none' });
      const earlier = await draft(author, 'We condemn the attack and stand with the victims.');
      const later = await statements.createStatement(ctx, {
        siteId,
        actor: author,
        title: 'A later statement',
        body: 'We condemn the attack and stand with the victims, again.',
        basedOn: { kind: 'revision', revisionId: earlier.revision.id },
      });
      const provenance = await review.getProvenance(ctx, {
        siteId,
        statementId: later.statement.id,
      });
      expect(provenance).toMatchObject({ kind: 'statement', citation: { href: undefined } });
      expect(provenance?.reuse.share).toBeGreaterThan(0.8);

      await statements.publishRevision(ctx, {
        siteId,
        statementId: later.statement.id,
        actor: editor,
      });
      const hidden = await getPublicStatement(ctx, { siteId, slug: later.statement.slug });
      expect(hidden.provenance).toBeUndefined(); // a draft is not cited to the public

      await statements.publishRevision(ctx, {
        siteId,
        statementId: earlier.statement.id,
        actor: editor,
      });
      const shown = await getPublicStatement(ctx, { siteId, slug: later.statement.slug });
      expect(shown.provenance?.citation.href).toBe(`/s/${earlier.statement.slug}`);
      expect(shown.provenance?.wording).toBe(
        'Based in part on “On the strike” (Ann Author, 24 November 2026)',
      );

      const unknown = await failure(
        statements.createStatement(ctx, {
          siteId,
          actor: author,
          title: 'Based on nothing',
          body: 'x',
          basedOn: { kind: 'revision', revisionId: 'missing' },
        }),
      );
      expect(unknown).toMatchObject({ status: 422, code: 'based-on-unknown-revision' });
    });

    it('keeps publishing imports in one step, saying how they were cleared', async () => {
      const declared = await statements.publishStatement(ctx, buildStatement(siteId));
      expect(declared.statement).toMatchObject({
        status: 'published',
        clearanceNote: 'Personal statement, not cleared',
        publishedRevisionId: declared.statement.currentRevisionId,
      });
      const unrecorded = await statements.publishStatement(
        ctx,
        buildStatement(siteId, { clearanceNote: undefined }),
      );
      expect(unrecorded.statement.clearanceNote).toBe('Imported — clearance not recorded');
      const view = await getPublicStatement(ctx, { siteId, slug: declared.statement.slug });
      expect(view.history.map((r) => r.number)).toEqual([1]);
      expect(view.revision.clearance).toEqual({
        kind: 'declared',
        note: 'Personal statement, not cleared',
      });
    });
  });

  describe('review', () => {
    it('blocks publication while an objection stands, and lets it go once withdrawn', async () => {
      const author = await member('author', 'Ann Author');
      const [ed, flo] = [await member('editor', 'Ed Editor'), await member('editor', 'Flo Editor')];
      const { statement, revision } = await draft(author);
      await statements.submitForReview(ctx, { siteId, statementId: statement.id, actor: author });
      const noReason = await failure(
        review.objectToRevision(ctx, {
          siteId,
          statementId: statement.id,
          actor: flo,
          revisionId: revision.id,
        }),
      );
      expect(noReason.code).toBe('objection-reason-missing');

      await review.approveRevision(ctx, {
        siteId,
        statementId: statement.id,
        actor: ed,
        revisionId: revision.id,
      });
      const objected = await review.objectToRevision(ctx, {
        siteId,
        statementId: statement.id,
        actor: flo,
        revisionId: revision.id,
        comment: 'The second paragraph overstates it.',
      });
      expect(objected.clearance.state).toBe('blocked');
      const refused = await failure(
        statements.publishRevision(ctx, { siteId, statementId: statement.id, actor: ed }),
      );
      expect(refused).toMatchObject({ status: 409, code: 'clearance-incomplete' });
      expect(refused.message).toContain('Flo Editor objects');

      // Flo withdraws the objection and approves: the two approvals clear it.
      await review.withdrawObjection(ctx, { siteId, statementId: statement.id, actor: flo });
      const approved = await review.approveRevision(ctx, {
        siteId,
        statementId: statement.id,
        actor: flo,
        revisionId: revision.id,
      });
      expect(approved.statement.status).toBe('cleared');
      const published = await statements.publishRevision(ctx, {
        siteId,
        statementId: statement.id,
        actor: ed,
      });
      expect(published.statement.clearanceNote).toBe('Cleared by 2 editors on 24 November 2026');
      expect(published.thread.statementId).toBe(statement.id);

      const again = await failure(
        review.withdrawObjection(ctx, { siteId, statementId: statement.id, actor: flo }),
      );
      expect(again).toMatchObject({ status: 404, code: 'objection-not-found' });
    });

    it('names the approvers a named-approvers policy still waits for, and refuses approvers who cannot approve', async () => {
      const author = await member('author', 'Ann Author');
      const chair = await member('owner', 'Carla Chair');
      const sec = await member('editor', 'Sam Secretary');
      const notAllowed = await failure(
        setPolicy({ kind: 'approvers', accountIds: [chair.accountId, author.accountId] }),
      );
      expect(notAllowed).toMatchObject({ status: 422, code: 'approver-cannot-approve' });
      expect(await review.getClearancePolicy(ctx, siteId)).toEqual({
        kind: 'role',
        role: 'editor',
        count: 2,
      });

      await setPolicy({ kind: 'approvers', accountIds: [chair.accountId, sec.accountId] });
      const { statement, revision } = await draft(author);
      await statements.submitForReview(ctx, { siteId, statementId: statement.id, actor: author });
      const refused = await failure(
        statements.publishRevision(ctx, { siteId, statementId: statement.id, actor: chair }),
      );
      expect(refused.message).toContain(
        'Approvals from Carla Chair and Sam Secretary are missing.',
      );

      clock.set('2026-11-26T09:00:00Z');
      for (const approver of [sec, chair])
        await review.approveRevision(ctx, {
          siteId,
          statementId: statement.id,
          actor: approver,
          revisionId: revision.id,
        });
      const published = await statements.publishRevision(ctx, {
        siteId,
        statementId: statement.id,
        actor: chair,
      });
      expect(published.statement.clearanceNote).toBe(
        'Cleared by Sam Secretary and Carla Chair on 26 November 2026',
      );
    });

    it('refuses a correction whose new text nobody approved, leaving the published text and revisions as they were', async () => {
      const editor = await member('editor', 'Ed Editor');
      await setPolicy({ kind: 'none' });
      const { statement } = await draft(editor);
      await statements.publishRevision(ctx, { siteId, statementId: statement.id, actor: editor });
      await setPolicy({ kind: 'role', role: 'editor', count: 1 });
      const revisions = await count('statement_revisions');
      const refused = await failure(
        statements.correctStatement(ctx, {
          siteId,
          statementId: statement.id,
          actor: editor,
          note: 'typo',
          content: { body: 'First paragraph.\n\nSecond paragraph, corrected.' },
        }),
      );
      expect(refused.code).toBe('clearance-incomplete');
      expect(await count('statement_revisions')).toBe(revisions);
      const unchanged = await statements.getStatement(ctx, { siteId, statementId: statement.id });
      expect(unchanged).toMatchObject({
        correctedAt: undefined,
        currentRevisionId: statement.currentRevisionId,
      });

      // Revised, approved, then published as the correction.
      const revised = await statements.reviseStatement(ctx, {
        siteId,
        statementId: statement.id,
        actor: editor,
        body: 'First paragraph.\n\nSecond paragraph, corrected.',
      });
      expect(revised.statement.status).toBe('published'); // the public text stays until corrected
      expect(revised.statement.body).toBe('First paragraph.\n\nSecond paragraph.');
      await review.approveRevision(ctx, {
        siteId,
        statementId: statement.id,
        actor: editor,
        revisionId: revised.revision.id,
      });
      const corrected = await statements.correctStatement(ctx, {
        siteId,
        statementId: statement.id,
        actor: editor,
        note: 'typo',
      });
      expect(corrected.statement.body).toBe('First paragraph.\n\nSecond paragraph, corrected.');
      expect(corrected.statement.clearanceNote).toBe('Cleared by 1 editor on 24 November 2026');
      const nothing = await failure(
        statements.correctStatement(ctx, {
          siteId,
          statementId: statement.id,
          actor: editor,
          note: 'again',
        }),
      );
      expect(nothing.code).toBe('nothing-to-correct');
    });
  });

  describe('internal comments', () => {
    it('stay on their paragraph while it is unchanged, and are marked "on an earlier revision" otherwise', async () => {
      const author = await member('author', 'Ann Author');
      const ed = await member('editor', 'Ed Editor');
      const { statement, revision } = await draft(author, 'Opening.\n\nThe middle.\n\nThe end.');
      const onMiddle = await review.addInternalComment(ctx, {
        siteId,
        statementId: statement.id,
        revisionId: revision.id,
        paragraphIndex: 1,
        body: 'Too long?',
        actor: ed,
      });
      const onEnd = await review.addInternalComment(ctx, {
        siteId,
        statementId: statement.id,
        revisionId: revision.id,
        paragraphIndex: 2,
        body: 'Say more.',
        actor: ed,
      });
      expect(onMiddle.excerpt).toBe('The middle.');

      await statements.reviseStatement(ctx, {
        siteId,
        statementId: statement.id,
        actor: author,
        body: 'A new opening.\n\nOpening.\n\nThe middle.\n\nThe end, said more fully.',
      });
      const { comments } = await review.listInternalComments(ctx, {
        siteId,
        statementId: statement.id,
      });
      expect(comments.map((c) => [c.id, c.anchor, c.revisionNumber])).toEqual([
        [onMiddle.id, { state: 'attached', paragraphIndex: 2 }, 1],
        [onEnd.id, { state: 'earlier-revision' }, 1],
      ]);

      const outOfRange = await failure(
        review.addInternalComment(ctx, {
          siteId,
          statementId: statement.id,
          revisionId: revision.id,
          paragraphIndex: 3,
          body: 'Where?',
          actor: ed,
        }),
      );
      expect(outOfRange).toMatchObject({ status: 422, code: 'paragraph-not-found' });
      expect(await count('statement_comments')).toBe(2);
    });
  });

  describe('co-signatures', () => {
    async function publishedStatement() {
      await setPolicy({ kind: 'none' });
      const editor = await member('editor', 'Ed Editor');
      const { statement } = await draft(editor);
      await statements.publishRevision(ctx, { siteId, statementId: statement.id, actor: editor });
      return { statement, editor };
    }

    const tokenOf = (address: string) => {
      const text = smtp.mailsTo(address).at(-1)?.text ?? '';
      return /signatures\/confirm\/(\S+)/.exec(text)?.[1] ?? '';
    };

    it('lists an organisation only after it confirms and a moderator approves it, before the people', async () => {
      const { statement } = await publishedStatement();
      const moderator = await member('moderator', 'Mo Derator');
      await signing.signStatement(ctx, {
        siteId,
        statementId: statement.id,
        signature: { kind: 'person', name: 'Rosa Worker', email: 'rosa@example.net' },
      });
      const org = await signing.signStatement(ctx, {
        siteId,
        statementId: statement.slug,
        signature: {
          kind: 'organisation',
          name: 'Tower Hamlets Trades Council',
          organisation: 'Signed by Pat Secretary',
          email: 'secretary@thtc.example',
          country: 'United Kingdom',
        },
      });
      // Describing the link confirms nothing.
      expect((await signing.describeSignatureLink(ctx, tokenOf('rosa@example.net'))).state).toBe(
        'pending',
      );
      await signing.verifySignature(ctx, tokenOf('rosa@example.net'));
      const early = await failure(
        signing.decideSignature(ctx, {
          siteId,
          statementId: statement.id,
          signatureId: org.id,
          decision: 'approve',
          actor: moderator,
        }),
      );
      expect(early.code).toBe('signature-not-verified');
      const confirmed = await signing.verifySignature(ctx, tokenOf('secretary@thtc.example'));
      expect(confirmed).toMatchObject({ state: 'confirmed', signature: { status: 'verified' } });
      expect((await signing.verifySignature(ctx, tokenOf('secretary@thtc.example'))).state).toBe(
        'confirmed',
      );

      let listed = await signing.listSignatories(ctx, { siteId, statementId: statement.id });
      expect(listed.items.map((s) => s.name)).toEqual(['Rosa Worker']);
      await signing.decideSignature(ctx, {
        siteId,
        statementId: statement.id,
        signatureId: org.id,
        decision: 'approve',
        actor: moderator,
      });
      listed = await signing.listSignatories(ctx, { siteId, statementId: statement.id });
      expect(listed.items.map((s) => s.name)).toEqual([
        'Tower Hamlets Trades Council',
        'Rosa Worker',
      ]);
      expect(listed.counts).toEqual({ organisations: 1, people: 1, total: 2 });

      const bogus = await failure(signing.verifySignature(ctx, 'bss_not-a-token'));
      expect(bogus).toMatchObject({ status: 404, code: 'signature-link-invalid' });
    });

    it('expires an unused link after a week', async () => {
      const { statement } = await publishedStatement();
      await signing.signStatement(ctx, {
        siteId,
        statementId: statement.id,
        signature: { kind: 'person', name: 'Slow', email: 'slow@example.net' },
      });
      clock.advance(8 * 24 * 60 * 60_000);
      const expired = await failure(signing.verifySignature(ctx, tokenOf('slow@example.net')));
      expect(expired.code).toBe('signature-link-expired');
    });

    it('refuses signatures while signing is closed, and when no mail can be sent', async () => {
      const { statement, editor } = await publishedStatement();
      await signing.setSigning(ctx, {
        siteId,
        statementId: statement.id,
        open: false,
        actor: editor,
      });
      const closed = await failure(
        signing.signStatement(ctx, {
          siteId,
          statementId: statement.id,
          signature: { kind: 'person', name: 'Late', email: 'late@example.net' },
        }),
      );
      expect(closed).toMatchObject({ status: 409, code: 'signing-closed' });
      await signing.setSigning(ctx, {
        siteId,
        statementId: statement.id,
        open: true,
        actor: editor,
      });

      const noMail = await failure(
        signing.signStatement(
          { ...ctx, mail: undefined },
          {
            siteId,
            statementId: statement.id,
            signature: { kind: 'person', name: 'A', email: 'a@example.net' },
          },
        ),
      );
      expect(noMail.code).toBe('signing-unavailable');

      // The mail server cannot be reached: the signature is taken back, so the person can retry.
      const down = createMailer({
        smtpUrl: new URL('smtp://127.0.0.1:9'),
        from: 'x@example.org',
        logger,
      });
      const failed = await failure(
        signing.signStatement(
          { ...ctx, mail: { mailer: down, baseUrl: BASE_URL, logger } },
          {
            siteId,
            statementId: statement.id,
            signature: { kind: 'person', name: 'B', email: 'b@example.net' },
          },
        ),
      );
      down.close();
      expect(failed).toMatchObject({ status: 503, code: 'mail-failed' });
      expect(await count('statement_signatures')).toBe(0);
      await signing.signStatement(ctx, {
        siteId,
        statementId: statement.id,
        signature: { kind: 'person', name: 'B', email: 'b@example.net' },
      });
      expect(await count('statement_signatures')).toBe(1);
    });

    it('cannot sign a statement that is not published', async () => {
      const author = await member('author', 'Ann Author');
      const { statement } = await draft(author);
      const error = await failure(
        signing.signStatement(ctx, {
          siteId,
          statementId: statement.id,
          signature: { kind: 'person', name: 'Early', email: 'early@example.net' },
        }),
      );
      expect(error).toMatchObject({ status: 404, code: 'statement-not-found' });
    });
  });
});
