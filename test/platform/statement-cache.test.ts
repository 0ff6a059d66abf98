import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cachingStatements } from '../../src/platform/database/statement-cache.js';

describe('cachingStatements', () => {
  const connection = new SqliteDatabase(':memory:');
  connection.exec('create table t (n integer)');
  connection.exec('insert into t values (1), (2), (3)');
  afterAll(() => connection.close());

  it('prepares a text once and gives the same statement back', () => {
    const cached = cachingStatements(connection);
    const first = cached.prepare('select n from t order by n');
    expect(cached.prepare('select n from t order by n')).toBe(first);
    expect(first.all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(cached.prepare('select n from t where n > ?').all([1])).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('prepares afresh while the kept statement is being iterated', () => {
    const cached = cachingStatements(connection);
    const text = 'select n from t order by n';
    const streaming = cached.prepare(text);
    const rows = streaming.iterate([]);
    expect(rows.next().value).toEqual({ n: 1 });
    const meanwhile = cached.prepare(text);
    expect(meanwhile).not.toBe(streaming);
    expect(meanwhile.all([])).toHaveLength(3);
    expect([...rows]).toEqual([{ n: 2 }, { n: 3 }]);
    // Once the stream has ended, the kept statement is given out again.
    expect(cached.prepare(text)).toBe(streaming);
  });

  it('forgets the least recently used texts beyond its budget of characters', () => {
    const cached = cachingStatements(connection, 64); // eight texts of eight characters
    const [a, b] = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => cached.prepare(`select ${n}`));
    expect(cached.prepare('select 1')).toBe(a); // now "select 2" is the least recent
    cached.prepare('select 9');
    expect(cached.prepare('select 1')).toBe(a);
    expect(cached.prepare('select 2')).not.toBe(b);
  });

  it('does not keep a text longer than an eighth of its budget', () => {
    const cached = cachingStatements(connection, 64);
    const text = 'select n from t where n > 0'; // 27 characters
    expect(cached.prepare(text)).not.toBe(cached.prepare(text));
  });
});
