/** Builders for statements in tests: a publishable statement with sensible defaults. */
import type { PublishStatementInput } from '../../src/statements/service.js';

let made = 0;

/** A statement to publish; every call a new title unless one is given. */
export function buildStatement(
  siteId: string,
  overrides: Partial<PublishStatementInput> = {},
): PublishStatementInput {
  made += 1;
  return {
    siteId,
    title: `Statement number ${made}`,
    subtitle: 'A subtitle',
    body: 'We write **together**.\n\n## What we say\n\nSomething worth arguing about.',
    authorName: 'Jim Denham',
    clearanceNote: 'Personal statement, not cleared',
    ...overrides,
  };
}
