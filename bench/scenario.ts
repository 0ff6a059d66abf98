import type { ImportResult } from './report.js';
import type { SeededThread, SeedOptions } from './seed-process.js';
import type { CapturedResponse } from './send-request.js';
import type { ThroughputResult, ThroughputSettings } from './throughput.js';

/** HTTP methods a benchmark request may use. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** A request as sent on the wire: the same bytes are sent for every repetition. */
export interface RequestSpec {
  method: HttpMethod;
  /** Path and query string, starting with `/`. */
  path: string;
  body?: string | Buffer;
  headers?: Readonly<Record<string, string>>;
}

/** One request target of a scenario, measured on its own under load. */
export interface BenchRequest extends RequestSpec {
  /** Short name shown in the results table; unique within its scenario. */
  label: string;
  /** Status every response must have (e.g. 303 after a form POST); by default any 2xx. */
  expectStatus?: number;
  /**
   * Replace every {@link ID_PLACEHOLDER} in the body with a fresh unique id for each request
   * (autocannon's `idReplacement`), so that every POST creates something new. The body must be
   * a string.
   */
  idReplacement?: boolean;
}

/** The text that {@link BenchRequest.idReplacement} replaces: autocannon's `[<id>]`. */
export const ID_PLACEHOLDER = '[<id>]';

/** What a scenario's `seed` can use: it runs before the server starts, on the same DATA_DIR. */
export interface SeedContext {
  /**
   * Publishes a statement with a thread of `options.comments` comments, through the real
   * services of the built server, in a process of its own that has exited when this resolves.
   */
  seedThread(options: SeedOptions): Promise<SeededThread>;
  /** The scenario's state, handed on to `setup` and `requests`. */
  state: Map<string, string>;
  /** Repository root, for running the built command in a child process. */
  repoRoot: string;
  /** A directory of this run's own, removed when the run ends. */
  tempDir: string;
  /** The server's environment (SECRET…), for commands run against other data directories. */
  serverEnv: Readonly<Record<string, string>>;
  /** Adds a measured import to the report (see `scenarios/import-wxr.ts`). */
  recordImport(result: ImportResult): void;
}

/** What a scenario's `setup` and `requests` can use: the running server and its environment. */
export interface ScenarioContext {
  /** `http://127.0.0.1:<port>` of the server under test. */
  baseUrl: string;
  /** Repository root, the server's working directory. */
  repoRoot: string;
  /** The variables the server was started with (DATA_DIR, SECRET…), for setup steps that run the CLI. */
  serverEnv: Readonly<Record<string, string>>;
  /** Sends one request to the server and returns the whole response, e.g. to seed data or sign in. */
  send(request: RequestSpec): Promise<CapturedResponse>;
  /** Values `seed` and `setup` hand to a `requests` function: an id, a session cookie. */
  state: Map<string, string>;
}

/**
 * A benchmark scenario. Add one by writing a module in `bench/scenarios/` and listing it in
 * `bench/scenario-registry.ts`. `seed` runs before the server starts (data too large to create
 * over HTTP in reasonable time); `setup` runs against the running server. `requests` may be a
 * function when paths or headers depend on what they created; it is called once, after `setup`.
 */
export interface Scenario {
  /** Name used on the command line and in the results; kebab-case. */
  name: string;
  seed?(ctx: SeedContext): Promise<void>;
  setup?(ctx: ScenarioContext): Promise<void> | void;
  requests: readonly BenchRequest[] | ((ctx: ScenarioContext) => readonly BenchRequest[]);
  /**
   * Work measured in the bench process itself, without the server (e.g. the moderation
   * pipeline's verdicts per second on one core), each beside a baseline measured in the same
   * run; see `throughput.ts`. Runs after the scenario's requests.
   */
  throughput?(settings: ThroughputSettings): ThroughputResult[] | Promise<ThroughputResult[]>;
}

/** True when `status` is what `request` expects: its `expectStatus`, or else any 2xx. */
export function isExpectedStatus(request: BenchRequest, status: number): boolean {
  return request.expectStatus === undefined
    ? status >= 200 && status < 300
    : status === request.expectStatus;
}

/** Describes the expectation for messages: `303` or `2xx`. */
export function describeExpectedStatus(request: BenchRequest): string {
  return request.expectStatus === undefined ? '2xx' : String(request.expectStatus);
}
