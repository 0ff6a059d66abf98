/**
 * Publish/subscribe between the parts of the server (live updates, mail). In one process this is
 * an in-memory bus; several instances on one PostgreSQL fill the same interface with
 * LISTEN/NOTIFY, so publishers and subscribers never know which they have.
 */
import { EventEmitter } from 'node:events';

export interface BusEvent {
  /** What happened, e.g. `comment.created`. */
  type: string;
  /** The channel listeners subscribe to, e.g. `thread:<id>`. */
  topic: string;
  /** Plain JSON: it may cross a process boundary. */
  payload: Record<string, unknown>;
}

export type BusListener = (event: BusEvent) => void;

export interface EventBus {
  publish(event: BusEvent): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(topic: string, listener: BusListener): () => void;
  close(): Promise<void>;
}

export function createInProcessEventBus(onListenerError?: (error: unknown) => void): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0); // one listener per open live connection; there is no sane fixed cap
  return {
    async publish(event) {
      // Copy through JSON so that in-process listeners see exactly what a remote one would.
      const delivered = JSON.parse(JSON.stringify(event)) as BusEvent;
      for (const listener of emitter.listeners(event.topic) as BusListener[]) {
        try {
          listener(delivered);
        } catch (error) {
          onListenerError?.(error);
        }
      }
    },
    subscribe(topic, listener) {
      emitter.on(topic, listener);
      return () => emitter.off(topic, listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
