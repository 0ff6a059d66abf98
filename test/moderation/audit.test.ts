// The audit log: CSV cells as RFC 4180 has them with formulas defused (pure), and on a real
// database the log filtered by action, actor, comment and dates, paged newest first, and
// exported whole in batches.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../src/moderation/csv.js';
import {
  AUDIT_CSV_HEADER,
  automaticEntry,
  exportAuditCsv,
  listAudit,
  moderateComments,
  moderatorEntry,
} from '../../src/moderation/service.js';
import type { AuditEntry } from '../../src/moderation/store.js';
import { insertAuditEntries } from '../../src/moderation/store.js';
import { databaseKinds } from '../helpers/databases.js';
import { failure } from '../helpers/failure.js';
import type { ModerationFixture } from './fixture.js';
import { moderationFixture } from './fixture.js';

describe('CSV cells', () => {
  it('quotes what must be quoted and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(
      `"'=HYPERLINK(""http://evil.example"",""click"")"`,
    );
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('ends every record with CRLF', () => {
    expect(csvRow(['a', 'b,c', undefined])).toBe('a,"b,c",\r\n');
  });
});

/** Reads CSV text back (quoted fields with doubled quotes, CRLF records), to check a round trip. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe.each(databaseKinds)('the audit log on $name', (kind) => {
  let f: ModerationFixture;
  beforeEach(async () => {
    f = await moderationFixture(kind);
  });
  afterEach(async () => {
    await f.close();
  });

  const collect = async (query: Parameters<typeof exportAuditCsv>[1]) => {
    let text = '';
    for await (const chunk of exportAuditCsv(f.ctx, query)) text += chunk;
    return text;
  };

  it('filters by action, actor, comment and dates, newest first', async () => {
    const thread = await f.openThread();
    const held = await f.post(thread, 'Held [hold]');
    f.clock.advance(3_600_000);
    await moderateComments(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      action: 'approve',
      commentIds: [held],
    });
    const other = await f.addMember('other@example.org', 'editor', 'Other');
    f.clock.set('2026-11-25T09:00:00.000Z');
    const second = await f.post(thread, 'Second [hold]');
    await moderateComments(f.ctx, {
      siteId: f.siteId,
      actor: other,
      action: 'spam',
      commentIds: [second],
    });
    await insertAuditEntries(f.ctx.db, [
      automaticEntry(f.ctx, f.siteId, 'rules', {
        action: 'auto-hold',
        commentId: second,
        reasonCodes: ['suspect-term'],
      }),
    ]);
    const list = async (query: Partial<Parameters<typeof listAudit>[1]>) =>
      (await listAudit(f.ctx, { siteId: f.siteId, ...query })).items.map((e) => [
        e.action,
        e.actorName,
        e.commentId,
      ]);

    expect(await list({})).toEqual([
      ['auto-hold', 'Rules', second],
      ['spam', 'Other', second],
      ['approve', 'Mo Derator', held],
    ]);
    expect(await list({ action: 'approve' })).toEqual([['approve', 'Mo Derator', held]]);
    expect(await list({ actor: 'rules' })).toEqual([['auto-hold', 'Rules', second]]);
    expect(await list({ actor: 'member' })).toHaveLength(2);
    expect(await list({ actor: other.accountId })).toEqual([['spam', 'Other', second]]);
    expect(await list({ commentId: held })).toEqual([['approve', 'Mo Derator', held]]);
    expect(await list({ to: new Date('2026-11-25T00:00:00Z') })).toEqual([
      ['approve', 'Mo Derator', held],
    ]);
    expect(await list({ from: new Date('2026-11-25T09:00:00Z') })).toHaveLength(2);
  });

  it('pages newest first with a cursor, and refuses a forged one', async () => {
    const entries: AuditEntry[] = [];
    for (let i = 0; i < 5; i++) {
      entries.push(
        moderatorEntry(f.ctx, f.siteId, f.moderator, { action: 'approve', reason: `n${i}` }),
      );
      if (i !== 2) f.clock.advance(1000); // two share a time
    }
    await insertAuditEntries(f.ctx.db, entries);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAudit(f.ctx, { siteId: f.siteId, cursor, limit: 2 });
      seen.push(...page.items.map((e) => e.reason ?? ''));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['n4', 'n3', 'n2', 'n1', 'n0']);
    expect((await failure(listAudit(f.ctx, { siteId: f.siteId, cursor: 'abc' }))).code).toBe(
      'invalid-cursor',
    );
  });

  it('exports every entry as CSV, in batches, round-tripping awkward text', async () => {
    const entries: AuditEntry[] = [];
    for (let i = 0; i < 1203; i++) {
      entries.push(
        moderatorEntry(f.ctx, f.siteId, f.moderator, {
          action: 'reject',
          commentId: `c${i}`,
          reason: i === 0 ? '=cmd|"/c calc"!A1, and a\nnew line' : `reason ${i}`,
          reasonCodes: ['suspect-term', 'too-many-links'],
          statusBefore: 'pending',
          statusAfter: 'rejected',
        }),
      );
      f.clock.advance(10);
    }
    for (let i = 0; i < entries.length; i += 400)
      await insertAuditEntries(f.ctx.db, entries.slice(i, i + 400));
    const text = await collect({ siteId: f.siteId });
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...AUDIT_CSV_HEADER]);
    expect(rows).toHaveLength(1204);
    expect(new Set(rows.slice(1).map((r) => r[5])).size).toBe(1203);
    const first = rows.at(-1);
    expect(first).toEqual([
      entries[0]?.at.toISOString(),
      'member',
      'Mo Derator',
      f.moderator.accountId,
      'reject',
      'c0',
      '',
      '',
      `'=cmd|"/c calc"!A1, and a\nnew line`,
      'suspect-term too-many-links',
      'pending',
      'rejected',
    ]);
    // Filters apply to the export as to the list.
    expect(parseCsv(await collect({ siteId: f.siteId, commentId: 'c7' }))).toHaveLength(2);
    expect(await collect({ siteId: 'another-site' })).toBe(`${AUDIT_CSV_HEADER.join(',')}\r\n`);
  });
});
