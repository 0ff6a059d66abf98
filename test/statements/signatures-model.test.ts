// Co-signature rules: validation, who is listed and in what order, the CSV export.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Signature } from '../../src/statements/signatures-model.js';
import {
  compareSignatories,
  csvCell,
  isListed,
  signatureProblem,
  signaturesCsv,
  tidySignature,
} from '../../src/statements/signatures-model.js';
import {
  basedOnWording,
  isPartialDate,
  sourceProblem,
  tidySource,
} from '../../src/statements/provenance.js';

let made = 0;
function signature(overrides: Partial<Signature> = {}): Signature {
  made += 1;
  return {
    id: `s${made}`,
    statementId: 'st',
    kind: 'person',
    name: `Person ${made}`,
    organisation: undefined,
    roleTitle: undefined,
    email: `p${made}@example.org`,
    country: undefined,
    status: 'verified',
    createdAt: new Date(Date.UTC(2026, 10, 24, 10, made)),
    verifiedAt: new Date(Date.UTC(2026, 10, 24, 11, made)),
    decidedAt: undefined,
    decidedByAccountId: undefined,
    ...overrides,
  };
}

describe('signatures', () => {
  it('tidies the input and refuses an address we cannot mail', () => {
    const tidy = tidySignature({
      kind: 'person',
      name: '  Rosa   L. ',
      email: ' Rosa@Example.ORG ',
      country: ' ',
    });
    expect(tidy).toEqual({
      kind: 'person',
      name: 'Rosa L.',
      email: 'rosa@example.org',
      organisation: undefined,
      roleTitle: undefined,
      country: undefined,
    });
    expect(signatureProblem(tidy)).toBeUndefined();
    for (const email of ['rosa', 'rosa@example', 'ro sa@example.org', 'rosa@@example.org', ''])
      expect(signatureProblem({ ...tidy, email })?.code).toBe('invalid-email');
    expect(signatureProblem({ ...tidy, name: '' })?.code).toBe('name-missing');
  });

  it('lists people once verified, organisations once approved too', () => {
    expect(isListed({ kind: 'person', status: 'unverified' })).toBe(false);
    expect(isListed({ kind: 'person', status: 'verified' })).toBe(true);
    expect(isListed({ kind: 'organisation', status: 'verified' })).toBe(false);
    expect(isListed({ kind: 'organisation', status: 'approved' })).toBe(true);
    expect(isListed({ kind: 'person', status: 'rejected' })).toBe(false);
  });

  it('puts organisations first, each kind in the order of confirmation', () => {
    const person1 = signature();
    const org = signature({ kind: 'organisation', status: 'approved' });
    const person2 = signature();
    expect([person2, org, person1].sort(compareSignatories)).toEqual([org, person1, person2]);
  });
});

describe('CSV export', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell('+33 1 23')).toBe("'+33 1 23");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('Rosa, Berlin')).toBe('"Rosa, Berlin"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('round-trips any cell through an RFC 4180 reader, never starting with a formula sign', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const cell = csvCell(value);
        expect(cell).not.toMatch(/^"?[=+\-@\t\r]/);
        const read = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
        expect(read === value || read === `'${value}`).toBe(true);
      }),
    );
  });

  it('has a header row and one CRLF-terminated row per signature', () => {
    const csv = signaturesCsv([signature({ name: '=cmd', organisation: 'Union, Local 1' })]);
    const [header, row, end] = csv.split('\r\n');
    expect(header).toBe(
      'kind,name,organisation,role_title,email,country,status,signed_at,verified_at',
    );
    expect(row?.startsWith('person,\'=cmd,"Union, Local 1",,')).toBe(true);
    expect(end).toBe('');
  });
});

describe('provenance', () => {
  it('cites a source with its author and date', () => {
    expect(
      basedOnWording({
        kind: 'source',
        title: 'Statement on 9/11',
        author: 'AWL',
        date: '2001-09',
        href: undefined,
      }),
    ).toBe('Based in part on “Statement on 9/11” (AWL, September 2001)');
    expect(
      basedOnWording({
        kind: 'statement',
        title: 'Earlier',
        author: undefined,
        date: undefined,
        href: '/s/x',
      }),
    ).toBe('Based in part on “Earlier”');
  });

  it('checks a source’s date, URL and text', () => {
    expect(isPartialDate('2001')).toBe(true);
    expect(isPartialDate('2001-02-29')).toBe(false);
    expect(isPartialDate('12/09/2001')).toBe(false);
    const source = tidySource({ title: ' T ', text: ' text ', url: 'javascript:alert(1)' });
    expect(sourceProblem(source)?.code).toBe('invalid-source-url');
    expect(sourceProblem({ ...source, url: undefined, text: '' })?.code).toBe(
      'source-text-missing',
    );
    expect(sourceProblem({ ...source, url: 'https://example.org/x' })).toBeUndefined();
  });
});
