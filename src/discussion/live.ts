/**
 * Live updates of threads, as Server-Sent Events. Each process keeps one event-bus subscription
 * per thread, shared by every open stream of that thread, and loads the comment an event is about
 * once for all of them. The public never receives a comment it could not read through the API: a
 * held comment reaches moderators' streams only, and everyone else gets just the new event id.
 */
import type { BusEvent, EventBus } from '../platform/event-bus.js';
import type { CommentStatus } from './model.js';
import { isPublicStatus } from './model.js';
import type { PresentedComment } from './presenters.js';
import { presentComment } from './presenters.js';
import type { Comment } from './store.js';

/** What a stream writes to: the HTTP response, or anything shaped like it in tests. */
export interface LiveSink {
  write(chunk: string): unknown;
  end(): void;
  /** Bytes accepted but not yet sent; a stream past the limit is closed (the client reconnects). */
  readonly writableLength?: number;
}

export interface LiveHubOptions {
  bus: EventBus;
  /** The comment an event is about, as stored now; undefined when it no longer exists. */
  loadComment(commentId: string): Promise<Comment | undefined>;
  /** The comment line that keeps proxies from closing an idle stream. Default 25 s. */
  heartbeatMs?: number;
  /** How long a disconnected browser waits before reconnecting (the `retry:` hint). Default 3 s. */
  retryMs?: number;
  /** A client this far behind (bytes unsent) is cut off rather than buffered for. Default 1 MiB. */
  maxBufferedBytes?: number;
  onError?(error: unknown): void;
}

export interface OpenStreamInput {
  threadId: string;
  /** Moderators also see held (pending, rejected, spam) comments. */
  canModerate: boolean;
  /** The `Last-Event-ID` a reconnecting browser sent: the thread version it had seen. */
  lastEventId: number | undefined;
  /** Reads the thread's version now (after subscribing, so nothing falls in between). */
  currentVersion(): Promise<number>;
  sink: LiveSink;
}

export interface LiveStream {
  /** Unsubscribes and ends the response; safe to call more than once. */
  close(): void;
  /** Settles once the opening lines are written (or the stream failed to open and was closed). */
  readonly opened: Promise<void>;
}

export interface LiveHub {
  open(input: OpenStreamInput): LiveStream;
  /** Open streams in this process. */
  streamCount(): number;
  /** Ends every stream, e.g. when the server shuts down. */
  closeAll(): void;
}

/** The data of a comment event. */
export interface LiveEventData {
  commentId: string;
  status: string;
  version?: number;
  /** The comment as the API presents it, so a client can show it without another request. */
  comment?: PresentedComment;
}

/** One Server-Sent Events message. `data` is JSON, which never contains a raw line break. */
export function sseMessage(message: {
  event?: string;
  id?: number | string;
  data?: unknown;
  retry?: number;
}): string {
  let text = '';
  if (message.retry !== undefined) text += `retry: ${message.retry}\n`;
  if (message.event !== undefined) text += `event: ${message.event}\n`;
  if (message.id !== undefined) text += `id: ${message.id}\n`;
  if (message.data !== undefined) text += `data: ${JSON.stringify(message.data)}\n`;
  return `${text}\n`;
}

/** A comment line: ignored by browsers, but traffic for proxies that close idle connections. */
export const HEARTBEAT = ': keep-alive\n\n';

/** Parses a `Last-Event-ID` header: a thread version, or undefined when absent or not one. */
export function parseLastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

interface Stream {
  canModerate: boolean;
  sink: LiveSink;
  /** Events that arrived while the opening lines were being prepared. */
  pending: Prepared[] | undefined;
  closed: boolean;
  close(): void;
}

interface Room {
  streams: Set<Stream>;
  unsubscribe: () => void;
  /** Events are delivered one after another, in the order the bus gave them. */
  queue: Promise<void>;
}

interface Prepared {
  type: string;
  commentId: string;
  version: number | undefined;
  comment: Comment | undefined;
}

export function createLiveHub(options: LiveHubOptions): LiveHub {
  const heartbeatMs = options.heartbeatMs ?? 25_000;
  const retryMs = options.retryMs ?? 3_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const onError = options.onError ?? (() => {});
  const rooms = new Map<string, Room>();
  let streamCount = 0;
  let heartbeat: NodeJS.Timeout | undefined;

  function write(stream: Stream, chunk: string) {
    if (stream.closed) return;
    try {
      stream.sink.write(chunk);
    } catch (error) {
      onError(error);
      stream.close();
      return;
    }
    if ((stream.sink.writableLength ?? 0) > maxBufferedBytes) stream.close();
  }

  function send(stream: Stream, event: Prepared) {
    const { comment } = event;
    const visible = comment !== undefined && (stream.canModerate || isPublicStatus(comment.status));
    if (!visible) {
      // Only the id: the browser records it as seen without dispatching an event, so a later
      // reconnect does not ask for a needless resync, and nothing about the comment leaks.
      if (event.version !== undefined) write(stream, sseMessage({ id: event.version }));
      return;
    }
    const data: LiveEventData = {
      commentId: event.commentId,
      status: comment.status,
      version: event.version,
      comment: presentComment(comment),
    };
    write(stream, sseMessage({ event: event.type, id: event.version, data }));
  }

  async function deliver(room: Room, event: BusEvent) {
    const { commentId, version } = event.payload;
    if (typeof commentId !== 'string' || !event.type.startsWith('comment.')) return;
    if (room.streams.size === 0) return;
    const { status } = event.payload;
    const anyoneMaySee =
      (typeof status === 'string' && isPublicStatus(status as CommentStatus)) ||
      [...room.streams].some((stream) => stream.canModerate);
    const prepared: Prepared = {
      type: event.type,
      commentId,
      version: typeof version === 'number' ? version : undefined,
      // As it is now, not as the event describes it: a comment removed or held since is not sent.
      comment: anyoneMaySee ? await options.loadComment(commentId) : undefined,
    };
    for (const stream of room.streams) {
      if (stream.pending) stream.pending.push(prepared);
      else send(stream, prepared);
    }
  }

  function join(threadId: string, stream: Stream) {
    let room = rooms.get(threadId);
    if (!room) {
      const created: Room = { streams: new Set(), unsubscribe: () => {}, queue: Promise.resolve() };
      created.unsubscribe = options.bus.subscribe(`thread:${threadId}`, (event) => {
        created.queue = created.queue.then(() => deliver(created, event)).catch(onError);
      });
      rooms.set(threadId, created);
      room = created;
    }
    room.streams.add(stream);
    streamCount++;
    heartbeat ??= setInterval(() => {
      for (const each of rooms.values()) for (const s of each.streams) write(s, HEARTBEAT);
    }, heartbeatMs).unref();
  }

  function leave(threadId: string, stream: Stream) {
    const room = rooms.get(threadId);
    if (!room?.streams.delete(stream)) return;
    streamCount--;
    if (room.streams.size === 0) {
      room.unsubscribe();
      rooms.delete(threadId);
    }
    if (streamCount === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  }

  async function start(stream: Stream, input: OpenStreamInput) {
    const version = await input.currentVersion();
    if (stream.closed) return;
    const opening =
      input.lastEventId !== undefined && input.lastEventId !== version
        ? // The client missed something (or comes from another database): it must refetch.
          sseMessage({ retry: retryMs, event: 'resync', id: version, data: { version } })
        : sseMessage({ retry: retryMs, event: 'ready', id: version, data: { version } });
    write(stream, opening);
    const pending = stream.pending ?? [];
    stream.pending = undefined;
    for (const event of pending) {
      if (event.version === undefined || event.version > version) send(stream, event);
    }
  }

  return {
    open(input) {
      const stream: Stream = {
        canModerate: input.canModerate,
        sink: input.sink,
        pending: [],
        closed: false,
        close() {
          if (stream.closed) return;
          stream.closed = true;
          leave(input.threadId, stream);
          try {
            input.sink.end();
          } catch (error) {
            onError(error);
          }
        },
      };
      join(input.threadId, stream);
      const opened = start(stream, input).catch((error: unknown) => {
        onError(error);
        stream.close();
      });
      return { close: () => stream.close(), opened };
    },
    streamCount: () => streamCount,
    closeAll() {
      for (const room of [...rooms.values()])
        for (const stream of [...room.streams]) stream.close();
    },
  };
}
