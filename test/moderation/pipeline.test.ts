import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  AuthorHistory,
  ClassifierOutcome,
  CommentUnderReview,
  Decision,
  ModerationSettings,
} from '../../src/moderation/model.js';
import {
  BANNED_MESSAGE,
  DEFAULT_MODERATION_SETTINGS,
  NO_HISTORY,
  stricter,
} from '../../src/moderation/model.js';
import type { ActiveBan, Phase, PipelineContext } from '../../src/moderation/pipeline.js';
import {
  bans,
  blockedDomains,
  blockedTerms,
  classifier,
  closedThread,
  duplicate,
  EDIT_PHASES,
  firstTime,
  flood,
  PHASES,
  phasesFor,
  REVIEW_PHASES,
  runPhases,
  runPipeline,
  suspectTerms,
  tooManyLinks,
} from '../../src/moderation/pipeline.js';
import type { CompiledRules } from '../../src/moderation/rules.js';
import { compileRules } from '../../src/moderation/rules.js';

// Small lists of our own, so that each expectation follows from what is written here.
const SETTINGS: ModerationSettings = {
  ...DEFAULT_MODERATION_SETTINGS,
  blockedTerms: 'vermin\n',
  suspectTerms: 'yid\nscum\n',
  blockedDomains: 'evil.example\n',
};
const RULES = compileRules(SETTINGS);

function rulesWith(overrides: Partial<ModerationSettings>): CompiledRules {
  return compileRules({ ...SETTINGS, ...overrides });
}

function comment(overrides: Partial<CommentUnderReview> = {}): CommentUnderReview {
  return {
    siteId: 'site',
    threadId: 'thread',
    body: 'Arm the Kurds and then what, allow them to set up an independent state?',
    authorName: 'Political Tourist',
    authorEmail: 'tourist@example.org',
    authorAccountId: undefined,
    ipHash: 'hash-of-an-address',
    threadStatus: 'open',
    origin: 'local',
    history: { ...NO_HISTORY, approved: 3, emailVerified: true },
    now: new Date('2026-11-24T12:00:00Z'),
    ...overrides,
  };
}

function history(overrides: Partial<AuthorHistory>): AuthorHistory {
  return { ...NO_HISTORY, approved: 3, emailVerified: true, ...overrides };
}

const BAN: ActiveBan = { kind: 'email', reason: 'Slurs, twice', expiresAt: undefined };

function ctx(
  commentOverrides: Partial<CommentUnderReview> = {},
  more: Partial<Omit<PipelineContext, 'comment'>> = {},
): PipelineContext {
  return {
    comment: comment(commentOverrides),
    rules: RULES,
    ban: undefined,
    classifier: undefined,
    ...more,
  };
}

const SLUR_REPLY =
  'But then they went onwards to kill Jews in a supermarket. Who cares about free speech but they got a couple of Yids. They cannae be that bad.';

describe('each phase alone', () => {
  it('bans: rejects with the neutral message, naming nothing', () => {
    expect(bans(ctx())).toEqual({ reasons: [] });
    expect(bans(ctx({}, { ban: BAN }))).toEqual({
      decision: 'reject',
      reasons: [{ code: 'banned', message: BANNED_MESSAGE }],
    });
    expect(JSON.stringify(bans(ctx({}, { ban: BAN })))).not.toContain('Slurs');
  });

  it('closed thread: rejects', () => {
    expect(closedThread(ctx())).toEqual({ reasons: [] });
    expect(closedThread(ctx({ threadStatus: 'closed' }))).toMatchObject({
      decision: 'reject',
      reasons: [{ code: 'thread-closed' }],
    });
  });

  it('blocked terms: rejects, with where each matched', () => {
    expect(blockedTerms(ctx())).toEqual({ reasons: [] });
    const body = 'They are v3rmin, all of them.';
    const outcome = blockedTerms(ctx({ body }));
    expect(outcome).toMatchObject({
      decision: 'reject',
      reasons: [{ code: 'blocked-term', message: 'Contains “vermin”, a blocked term' }],
    });
    const [match] = outcome.reasons[0]?.matches ?? [];
    expect(match?.term).toBe('vermin');
    expect(body.slice(match?.start, match?.end)).toBe('v3rmin');
  });

  it('blocked domains: rejects a link to a listed domain or a subdomain of one', () => {
    expect(blockedDomains(ctx({ body: 'see https://notevil.example/x' }))).toEqual({ reasons: [] });
    expect(blockedDomains(ctx({ body: 'see https://shop.evil.example/x' }))).toEqual({
      decision: 'reject',
      reasons: [{ code: 'blocked-domain', message: 'Links to evil.example, a blocked domain' }],
    });
    // A bare mention is not a link, but readers can still type it in.
    expect(
      blockedDomains(
        ctx(
          { body: 'go to Shop.Scam.com/offer' },
          { rules: rulesWith({ blockedDomains: 'scam.com' }) },
        ),
      ),
    ).toMatchObject({ decision: 'reject' });
    expect(
      blockedDomains(
        ctx(
          { body: 'https://a.evil.example https://bücher.example' },
          {
            rules: rulesWith({ blockedDomains: 'evil.example\nbücher.example' }),
          },
        ),
      ).reasons[0]?.message,
    ).toBe('Links to evil.example, xn--bcher-kva.example, blocked domains');
    expect(
      blockedDomains(
        ctx({ body: 'https://evil.example' }, { rules: rulesWith({ blockedDomains: '' }) }),
      ),
    ).toEqual({ reasons: [] });
  });

  it('duplicate: rejects the same body again from the same author', () => {
    expect(duplicate(ctx())).toEqual({ reasons: [] });
    expect(duplicate(ctx({ history: history({ sameBodyBefore: true }) }))).toMatchObject({
      decision: 'reject',
      reasons: [{ code: 'duplicate' }],
    });
  });

  it('suspect terms: holds, naming the term and where it is', () => {
    expect(suspectTerms(ctx())).toEqual({ reasons: [] });
    const outcome = suspectTerms(ctx({ body: SLUR_REPLY }));
    expect(outcome).toMatchObject({
      decision: 'hold',
      reasons: [{ code: 'suspect-term', message: 'Contains “yid”, a term on the suspect list' }],
    });
    const [match] = outcome.reasons[0]?.matches ?? [];
    expect(SLUR_REPLY.slice(match?.start, match?.end)).toBe('Yids');
    expect(suspectTerms(ctx({ body: 'yid and scum' })).reasons[0]?.message).toBe(
      'Contains “yid” and “scum”, terms on the suspect list',
    );
  });

  it('too many links: holds above the site maximum', () => {
    const links = (n: number) =>
      Array.from({ length: n }, (_, i) => `https://site${i}.example.org/`).join(' ');
    expect(tooManyLinks(ctx({ body: links(2) }))).toEqual({ reasons: [] });
    expect(tooManyLinks(ctx({ body: links(4) }))).toEqual({
      decision: 'hold',
      reasons: [
        { code: 'too-many-links', message: "4 links; more than 2 need a moderator's look" },
      ],
    });
    const none = rulesWith({ maxLinks: 0 });
    expect(tooManyLinks(ctx({ body: links(1) }, { rules: none })).reasons[0]?.message).toBe(
      "1 link; links need a moderator's look",
    );
    const one = rulesWith({ maxLinks: 1 });
    expect(tooManyLinks(ctx({ body: links(2) }, { rules: one })).reasons[0]?.message).toBe(
      "2 links; more than 1 needs a moderator's look",
    );
  });

  describe('first-time commenters', () => {
    const policy = (firstTime: ModerationSettings['firstTime']) => rulesWith({ firstTime });
    const judge = (
      firstTimePolicy: ModerationSettings['firstTime'],
      c: Partial<CommentUnderReview>,
    ) => firstTime(ctx(c, { rules: policy(firstTimePolicy) })).decision;

    it('off: never holds', () => {
      expect(judge('off', { history: history({ approved: 0 }) })).toBeUndefined();
    });

    it('all comments: holds every one', () => {
      expect(
        judge('all-comments', { authorAccountId: 'acc', history: history({ approved: 50 }) }),
      ).toBe('hold');
    });

    it('first comment: holds until an earlier comment was approved', () => {
      expect(judge('first-comment', { history: history({ approved: 0 }) })).toBe('hold');
      expect(judge('first-comment', { history: history({ approved: 1 }) })).toBeUndefined();
      expect(
        judge('first-comment', {
          authorAccountId: 'acc',
          authorEmail: undefined,
          history: history({ approved: 1, emailVerified: false }),
        }),
      ).toBeUndefined();
    });

    it('first comment: an unverified e-mail proves nothing, whatever its history', () => {
      expect(
        judge('first-comment', { history: history({ approved: 9, emailVerified: false }) }),
      ).toBe('hold');
      expect(
        judge('first-comment', {
          authorEmail: undefined,
          history: history({ approved: 0, emailVerified: false }),
        }),
      ).toBe('hold');
    });

    it('says why', () => {
      expect(
        firstTime(ctx({ history: history({ approved: 0 }) }, { rules: policy('first-comment') })),
      ).toEqual({
        decision: 'hold',
        reasons: [
          {
            code: 'first-time-commenter',
            message: "A first comment waits for a moderator's approval",
          },
        ],
      });
    });
  });

  it('flood: holds once an author or an address reaches the limit in a minute', () => {
    // The default limit is 5 a minute: the sixth comment is held.
    expect(
      flood(ctx({ history: history({ lastMinuteByAuthor: 4, lastMinuteByAddress: 4 }) })),
    ).toEqual({
      reasons: [],
    });
    expect(flood(ctx({ history: history({ lastMinuteByAuthor: 5 }) }))).toEqual({
      decision: 'hold',
      reasons: [
        {
          code: 'flood',
          message:
            '6 comments in a minute from this author; more than 5 a minute wait for a moderator',
        },
      ],
    });
    expect(flood(ctx({ history: history({ lastMinuteByAddress: 7 }) })).reasons[0]?.message).toBe(
      '8 comments in a minute from this address; more than 5 a minute wait for a moderator',
    );
  });

  it('classifier: spam is spam, unavailable is held, ham and none are nothing', () => {
    expect(classifier(ctx())).toEqual({ reasons: [] });
    expect(classifier(ctx({}, { classifier: { kind: 'ham' } }))).toEqual({ reasons: [] });
    expect(classifier(ctx({}, { classifier: { kind: 'spam', name: 'Akismet' } }))).toEqual({
      decision: 'spam',
      reasons: [{ code: 'classifier', message: 'Akismet classed this comment as spam' }],
    });
    expect(
      classifier(
        ctx({}, { classifier: { kind: 'unavailable', name: 'Akismet', problem: 'timeout' } }),
      ),
    ).toEqual({
      decision: 'hold',
      reasons: [
        {
          code: 'classifier-unavailable',
          message:
            'The spam classifier could not be reached; a moderator will look at this comment',
        },
      ],
    });
  });
});

describe('the pipeline', () => {
  it('approves an ordinary, heated comment', () => {
    expect(runPipeline(ctx())).toEqual({ decision: 'approve', reasons: [] });
  });

  it('collects every reason and takes the strictest decision', () => {
    const verdict = runPipeline(
      ctx(
        { body: `${SLUR_REPLY} https://a.example.org https://b.example.org https://c.example.org` },
        { classifier: { kind: 'spam', name: 'Akismet' } },
      ),
    );
    expect(verdict.decision).toBe('spam');
    expect(verdict.reasons.map((reason) => reason.code)).toEqual([
      'suspect-term',
      'too-many-links',
      'classifier',
    ]);
  });

  it('stops at a reject: a banned author is told nothing else', () => {
    expect(runPipeline(ctx({ body: SLUR_REPLY, threadStatus: 'closed' }, { ban: BAN }))).toEqual({
      decision: 'reject',
      reasons: [{ code: 'banned', message: BANNED_MESSAGE }],
    });
    expect(
      runPipeline(ctx({ body: `vermin ${SLUR_REPLY}` })).reasons.map((reason) => reason.code),
    ).toEqual(['blocked-term']);
  });

  it('reviews imports on their content only', () => {
    const imported = ctx(
      {
        origin: 'import',
        body: SLUR_REPLY,
        threadStatus: 'closed',
        history: history({ sameBodyBefore: true, lastMinuteByAuthor: 99, approved: 0 }),
      },
      {
        ban: BAN,
        classifier: { kind: 'spam', name: 'Akismet' },
        rules: rulesWith({ firstTime: 'all-comments' }),
      },
    );
    expect(runPipeline(imported)).toMatchObject({
      decision: 'hold',
      reasons: [{ code: 'suspect-term' }],
    });
    expect(phasesFor(imported.comment)).toBe(REVIEW_PHASES);
  });

  it('judges edits without the duplicate, flood and first-time checks', () => {
    const edit = ctx(
      {
        isEdit: true,
        history: history({ sameBodyBefore: true, lastMinuteByAuthor: 99, approved: 0 }),
      },
      { rules: rulesWith({ firstTime: 'all-comments' }) },
    );
    expect(runPipeline(edit)).toEqual({ decision: 'approve', reasons: [] });
    expect(runPipeline({ ...edit, comment: { ...edit.comment, body: SLUR_REPLY } }).decision).toBe(
      'hold',
    );
    expect(EDIT_PHASES).not.toContain(duplicate);
    expect(EDIT_PHASES).toContain(bans);
  });
});

describe('properties', () => {
  const SEVERITY: Record<Decision, number> = { approve: 0, hold: 1, spam: 2, reject: 3 };
  const decisions: Decision[] = ['approve', 'hold', 'spam', 'reject'];

  const arbitraryClassifier: fc.Arbitrary<ClassifierOutcome | undefined> = fc.constantFrom(
    undefined,
    { kind: 'ham' },
    { kind: 'spam', name: 'Akismet' },
    { kind: 'unavailable', name: 'Akismet', problem: 'timeout' },
  );
  const arbitraryContext = fc.record({
    body: fc.constantFrom<string>(
      'Arm the Kurds.',
      SLUR_REPLY,
      'They are vermin.',
      'see https://evil.example/x',
      'https://a.example.org https://b.example.org https://c.example.org',
    ),
    closed: fc.boolean(),
    banned: fc.boolean(),
    origin: fc.constantFrom('local' as const, 'import' as const, 'federation' as const),
    isEdit: fc.boolean(),
    sameBodyBefore: fc.boolean(),
    approved: fc.nat(3),
    emailVerified: fc.boolean(),
    account: fc.boolean(),
    lastMinuteByAuthor: fc.nat(8),
    lastMinuteByAddress: fc.nat(8),
    firstTime: fc.constantFrom('off' as const, 'first-comment' as const, 'all-comments' as const),
    classifier: arbitraryClassifier,
  });
  type Flags = typeof arbitraryContext extends fc.Arbitrary<infer T> ? T : never;

  const rulesByPolicy = {
    off: rulesWith({ firstTime: 'off' }),
    'first-comment': rulesWith({ firstTime: 'first-comment' }),
    'all-comments': rulesWith({ firstTime: 'all-comments' }),
  };
  const build = (f: Flags): PipelineContext =>
    ctx(
      {
        body: f.body,
        threadStatus: f.closed ? 'closed' : 'open',
        origin: f.origin,
        isEdit: f.isEdit,
        authorAccountId: f.account ? 'acc' : undefined,
        history: history({
          sameBodyBefore: f.sameBodyBefore,
          approved: f.approved,
          emailVerified: f.emailVerified,
          lastMinuteByAuthor: f.lastMinuteByAuthor,
          lastMinuteByAddress: f.lastMinuteByAddress,
        }),
      },
      {
        ban: f.banned ? BAN : undefined,
        classifier: f.classifier,
        rules: rulesByPolicy[f.firstTime],
      },
    );

  it('decides the strictest of what its phases decide', () => {
    fc.assert(
      fc.property(arbitraryContext, (flags) => {
        const context = build(flags);
        const expected = phasesFor(context.comment)
          .map((phase) => phase(context).decision ?? 'approve')
          .reduce(stricter, 'approve');
        expect(runPipeline(context).decision).toBe(expected);
      }),
    );
  });

  it('never loosens a decision when something more is wrong', () => {
    const aggravations: ((f: Flags) => Flags)[] = [
      (f) => ({ ...f, banned: true }),
      (f) => ({ ...f, closed: true }),
      (f) => ({ ...f, sameBodyBefore: true }),
      (f) => ({ ...f, lastMinuteByAuthor: f.lastMinuteByAuthor + 3 }),
      (f) => ({ ...f, approved: 0 }),
      (f) => ({ ...f, emailVerified: false, account: false }),
      (f) => ({ ...f, body: `${f.body} ${SLUR_REPLY}` }),
      (f) => ({
        ...f,
        body: `${f.body} https://x.example.org https://y.example.org https://z.example.org`,
      }),
      (f) => ({ ...f, classifier: { kind: 'spam', name: 'Akismet' } }),
      // A classifier that answers nothing is worse than one that says ham, not than one that says spam.
      (f) =>
        f.classifier?.kind === 'spam'
          ? f
          : { ...f, classifier: { kind: 'unavailable', name: 'Akismet', problem: 'down' } },
      (f) => ({ ...f, firstTime: 'all-comments' }),
    ];
    fc.assert(
      fc.property(arbitraryContext, fc.constantFrom(...aggravations), (flags, worsen) => {
        const before = runPipeline(build(flags)).decision;
        const after = runPipeline(build(worsen(flags))).decision;
        expect(SEVERITY[after]).toBeGreaterThanOrEqual(SEVERITY[before]);
      }),
    );
  });

  it('keeps every reason up to the first reject, and nothing after it', () => {
    const arbitraryPhase = fc
      .record({
        decision: fc.option(fc.constantFrom(...decisions), { nil: undefined }),
        messages: fc.array(fc.string(), { maxLength: 2 }),
      })
      .map(({ decision, messages }): Phase => {
        const outcome = {
          ...(decision === undefined ? {} : { decision }),
          reasons: messages.map((message) => ({ code: 'reported' as const, message })),
        };
        return () => outcome;
      });
    fc.assert(
      fc.property(fc.array(arbitraryPhase, { maxLength: 8 }), (phases) => {
        const context = ctx();
        const verdict = runPhases(context, phases);
        const outcomes = phases.map((phase) => phase(context));
        const stop = outcomes.findIndex((outcome) => outcome.decision === 'reject');
        const counted = stop < 0 ? outcomes : outcomes.slice(0, stop + 1);
        expect(verdict.decision).toBe(
          counted.map((outcome) => outcome.decision ?? 'approve').reduce(stricter, 'approve'),
        );
        expect(verdict.reasons).toEqual(counted.flatMap((outcome) => outcome.reasons));
      }),
    );
  });

  it('runs every phase for a new local comment, in the documented order', () => {
    expect(phasesFor(comment())).toBe(PHASES);
    expect(PHASES).toEqual([
      bans,
      closedThread,
      blockedTerms,
      blockedDomains,
      duplicate,
      suspectTerms,
      tooManyLinks,
      firstTime,
      flood,
      classifier,
    ]);
  });
});

describe('with the shipped lists', () => {
  const shipped = compileRules(DEFAULT_MODERATION_SETTINGS);

  it('holds the sample thread’s slur and names the term', () => {
    const verdict = runPipeline(ctx({ body: SLUR_REPLY }, { rules: shipped }));
    expect(verdict.decision).toBe('hold');
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0]).toMatchObject({ code: 'suspect-term' });
    expect(verdict.reasons[0]?.message).toMatch(/^Contains “yids?”, a term on the suspect list$/);
  });

  it('lets heated argument naming religions, peoples and countries through', () => {
    for (const body of [
      'Not all Middle Eastern people are Muslims, most Muslims are not Islamic fundamentalists.',
      'But then they went onwards to kill Jews in a supermarket.',
      'Kurds good Jocks bad. No mention of arming the Iraqi army.',
      'Scunthorpe, Essex and Middlesex: assassinate the character of nobody.',
    ]) {
      expect(runPipeline(ctx({ body }, { rules: shipped })), body).toEqual({
        decision: 'approve',
        reasons: [],
      });
    }
  });
});
