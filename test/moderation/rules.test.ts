import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModerationSettings } from '../../src/moderation/model.js';
import { DEFAULT_MODERATION_SETTINGS } from '../../src/moderation/model.js';
import {
  compileRules,
  MAX_LIST_LENGTH,
  parseDomainList,
  parseModerationSettings,
  RulesError,
  settingsFromStored,
  storedSettingsJson,
  validateSettingsInput,
} from '../../src/moderation/rules.js';
import { UnprocessableError } from '../../src/platform/errors.js';

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('compiling the rules', () => {
  it('uses the shipped lists where the site has none', () => {
    const rules = compileRules(DEFAULT_MODERATION_SETTINGS);
    expect(rules.settings).toBe(DEFAULT_MODERATION_SETTINGS);
    expect(rules.blockedDomains).toEqual([]);
    expect(rules.terms.match('a couple of Yids').suspect).toHaveLength(1);
  });

  it("uses the site's own lists instead of the shipped ones", () => {
    const rules = compileRules({
      ...DEFAULT_MODERATION_SETTINGS,
      blockedTerms: 'vermin',
      suspectTerms: '# nothing suspect here\n',
    });
    expect(rules.terms.match('a couple of Yids')).toEqual({ blocked: [], suspect: [] });
    expect(rules.terms.match('vermin').blocked).toHaveLength(1);
  });

  it('refuses a bad term list with every problem by line, as a 422', () => {
    const error = thrown(() =>
      compileRules({ ...DEFAULT_MODERATION_SETTINGS, blockedTerms: 'fine\nb4d\n\nx\n' }),
    );
    expect(error).toBeInstanceOf(RulesError);
    expect(error).toBeInstanceOf(UnprocessableError);
    const rulesError = error as RulesError;
    expect(rulesError.status).toBe(422);
    expect(rulesError.code).toBe('invalid-term-list');
    expect(rulesError.problems.map((p) => [p.field, p.line])).toEqual([
      ['blockedTerms', 2],
      ['blockedTerms', 4],
    ]);
    expect(rulesError.message).toMatch(
      /^Blocked terms: line 2: .*; line 4: .*\. Nothing was changed\.$/,
    );
    expect(rulesError.details).toEqual({ problems: rulesError.problems });
  });

  it('reports problems in every list at once', () => {
    const error = thrown(() =>
      compileRules({
        ...DEFAULT_MODERATION_SETTINGS,
        suspectTerms: 'ok\n~x',
        blockedDomains: 'good.example\nnot a domain',
      }),
    ) as RulesError;
    expect(error.code).toBe('invalid-term-list');
    expect(error.problems.map((p) => `${p.field}:${p.line}`)).toEqual([
      'suspectTerms:2',
      'blockedDomains:2',
    ]);
    expect(error.message).toMatch(/^Suspect terms: line 2: .*\. Blocked domains: line 2: /);
  });

  it('calls a list of domains alone wrong an invalid domain list', () => {
    const error = thrown(() =>
      compileRules({ ...DEFAULT_MODERATION_SETTINGS, blockedDomains: 'https://spam.example/buy' }),
    ) as RulesError;
    expect(error.code).toBe('invalid-domain-list');
    expect(error.message).toBe(
      'Blocked domains: line 1: "https://spam.example/buy" is an address, not a domain; write just the domain: spam.example. Nothing was changed.',
    );
  });
});

describe('the domain block list', () => {
  it('reads one domain a line, with comments, IDN and wildcards', () => {
    const { domains, problems } = parseDomainList(
      [
        '# spam farms',
        'evil.example',
        '',
        '  *.casino.example   # and everything under it',
        'Bücher.example.',
        'EVIL.example',
        '203.0.113.7',
      ].join('\r\n'),
    );
    expect(problems).toEqual([]);
    expect(domains).toEqual([
      'evil.example',
      'casino.example',
      'xn--bcher-kva.example',
      '203.0.113.7',
    ]);
  });

  it('names each bad line', () => {
    const { domains, problems } = parseDomainList(
      [
        'ok.example',
        'two words.example',
        'bad_-.example/x',
        '-dash.example',
        'a..b',
        'spam.example',
      ].join('\n'),
    );
    expect(domains).toEqual(['ok.example', 'spam.example']);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
    expect(problems[0]?.message).toBe('"two words.example" holds spaces; write one domain a line');
    expect(problems[2]?.message).toBe(
      '"-dash.example" is not a domain name; write e.g. spam.example',
    );
  });

  it('accepts what it produces', () => {
    fc.assert(
      fc.property(fc.array(fc.domain(), { maxLength: 10 }), (list) => {
        const first = parseDomainList(list.join('\n'));
        expect(first.problems).toEqual([]);
        expect(parseDomainList(first.domains.join('\n'))).toEqual(first);
      }),
    );
  });
});

describe('settings as stored', () => {
  it('fills in defaults for whatever is missing or unusable', () => {
    expect(parseModerationSettings(undefined)).toEqual(DEFAULT_MODERATION_SETTINGS);
    expect(parseModerationSettings('not json')).toEqual(DEFAULT_MODERATION_SETTINGS);
    expect(parseModerationSettings('[1,2]')).toEqual(DEFAULT_MODERATION_SETTINGS);
    expect(
      parseModerationSettings({
        maxLinks: 7,
        floodPerMinute: 'lots',
        reportsToHold: 1000,
        firstTime: 'sometimes',
        digestAfterMinutes: 30,
        blockedDomains: 'spam.example',
      }),
    ).toEqual({
      ...DEFAULT_MODERATION_SETTINGS,
      maxLinks: 7,
      digestAfterMinutes: 30,
      blockedDomains: 'spam.example',
    });
    expect(parseModerationSettings('{"firstTime":"first-comment"}').firstTime).toBe(
      'first-comment',
    );
  });

  it('round-trips: what is stored reads back the same', () => {
    const arbitrarySettings: fc.Arbitrary<ModerationSettings> = fc.record({
      blockedTerms: fc.option(fc.string(), { nil: undefined }),
      suspectTerms: fc.option(fc.string(), { nil: undefined }),
      blockedDomains: fc.string(),
      maxLinks: fc.integer({ min: 0, max: 100 }),
      firstTime: fc.constantFrom('off' as const, 'first-comment' as const, 'all-comments' as const),
      floodPerMinute: fc.integer({ min: 1, max: 1000 }),
      reportsToHold: fc.integer({ min: 1, max: 100 }),
      digestAfterMinutes: fc.integer({ min: 0, max: 10_080 }),
    });
    fc.assert(
      fc.property(arbitrarySettings, (settings) => {
        const json = JSON.stringify(storedSettingsJson(settings));
        expect(json).not.toMatch(/blockedTerms|suspectTerms/);
        expect(
          settingsFromStored({
            blockedTerms: settings.blockedTerms,
            suspectTerms: settings.suspectTerms,
            settings: JSON.parse(json) as unknown,
          }),
        ).toEqual(settings);
      }),
    );
  });
});

describe('settings as typed by a moderator', () => {
  const current: ModerationSettings = { ...DEFAULT_MODERATION_SETTINGS, blockedTerms: 'vermin' };

  it('changes only what is given', () => {
    expect(validateSettingsInput({ maxLinks: 4 }, current)).toEqual({ ...current, maxLinks: 4 });
    expect(validateSettingsInput({}, current)).toEqual(current);
  });

  it('reads numbers from forms, and null as the shipped list', () => {
    expect(
      validateSettingsInput(
        {
          floodPerMinute: ' 12 ',
          digestAfterMinutes: '0',
          blockedTerms: null,
          firstTime: 'all-comments',
        },
        current,
      ),
    ).toEqual({
      ...current,
      floodPerMinute: 12,
      digestAfterMinutes: 0,
      blockedTerms: undefined,
      firstTime: 'all-comments',
    });
  });

  it.each([
    [
      { maxLinks: 101 },
      'invalid-max-links',
      /^maxLinks must be a whole number from 0 to 100 .*; got 101\.$/,
    ],
    [{ maxLinks: -1 }, 'invalid-max-links', /got -1/],
    [{ maxLinks: 2.5 }, 'invalid-max-links', /got 2\.5/],
    [{ maxLinks: '3 links' }, 'invalid-max-links', /got "3 links"/],
    [
      { floodPerMinute: 0 },
      'invalid-flood-per-minute',
      /^floodPerMinute must be a whole number from 1 to 1000/,
    ],
    [{ floodPerMinute: 1001 }, 'invalid-flood-per-minute', /got 1001/],
    [
      { reportsToHold: 0 },
      'invalid-reports-to-hold',
      /^reportsToHold must be a whole number from 1 to 100/,
    ],
    [{ reportsToHold: null }, 'invalid-reports-to-hold', /got null/],
    [{ digestAfterMinutes: 10_081 }, 'invalid-digest-after-minutes', /from 0 to 10080/],
    [
      { firstTime: 'first' },
      'invalid-first-time',
      /^firstTime must be one of off, first-comment, all-comments; got "first"\.$/,
    ],
    [
      { blockedTerms: ['a'] },
      'invalid-term-list',
      /^blockedTerms must be text, one entry a line, or null/,
    ],
    [{ blockedDomains: null }, 'invalid-domain-list', /^blockedDomains must be text/],
    [
      { suspectTerms: 'x'.repeat(MAX_LIST_LENGTH + 1) },
      'invalid-term-list',
      /^suspectTerms is 100,001 characters long; the most is 100,000\.$/,
    ],
    [{ maxlinks: 3 }, 'unknown-setting', /^Unknown setting "maxlinks"; the settings are /],
  ])('refuses %o', (input, code, message) => {
    const error = thrown(() => validateSettingsInput(input, current));
    expect(error).toBeInstanceOf(UnprocessableError);
    expect(error).toMatchObject({ status: 422, code });
    expect((error as Error).message).toMatch(message);
  });

  it('refuses what is not an object of settings', () => {
    for (const input of [null, 'maxLinks=3', [1], 3]) {
      expect(thrown(() => validateSettingsInput(input))).toMatchObject({
        code: 'invalid-settings',
      });
    }
  });
});
