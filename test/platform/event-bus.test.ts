import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../../src/platform/event-bus.js';
import { createInProcessEventBus } from '../../src/platform/event-bus.js';

describe('in-process event bus', () => {
  it('delivers events to subscribers of the topic only, until they unsubscribe', async () => {
    const bus = createInProcessEventBus();
    const seen: BusEvent[] = [];
    const unsubscribe = bus.subscribe('thread:1', (event) => seen.push(event));
    bus.subscribe('thread:2', () => {
      throw new Error('must not be called');
    });
    await bus.publish({ type: 'comment.created', topic: 'thread:1', payload: { id: 'c1' } });
    unsubscribe();
    await bus.publish({ type: 'comment.created', topic: 'thread:1', payload: { id: 'c2' } });
    expect(seen).toEqual([{ type: 'comment.created', topic: 'thread:1', payload: { id: 'c1' } }]);
  });

  it('hands listeners a JSON copy, as a cross-process bus would', async () => {
    const bus = createInProcessEventBus();
    const payload = { at: new Date('2026-01-01T00:00:00Z') as unknown, nested: { n: 1 } };
    let delivered: BusEvent | undefined;
    bus.subscribe('t', (event) => (delivered = event));
    await bus.publish({ type: 'x', topic: 't', payload });
    expect(delivered?.payload).toEqual({ at: '2026-01-01T00:00:00.000Z', nested: { n: 1 } });
    expect(delivered?.payload.nested).not.toBe(payload.nested);
  });

  it('keeps delivering when one listener throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const bus = createInProcessEventBus((error) => errors.push(error));
    const seen: string[] = [];
    bus.subscribe('t', () => {
      throw new Error('broken listener');
    });
    bus.subscribe('t', (event) => seen.push(event.type));
    await bus.publish({ type: 'ok', topic: 't', payload: {} });
    expect(seen).toEqual(['ok']);
    expect(errors).toHaveLength(1);
  });
});
