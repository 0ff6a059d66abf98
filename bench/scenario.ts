import type { CapturedResponse } from './send-request.js';

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
  /** Values `setup` hands to a `requests` function: an id it created, a session cookie. */
  state: Map<string, string>;
}

/**
 * A benchmark scenario. Add one by writing a module in `bench/scenarios/` and listing it in
 * `bench/scenario-registry.ts`. `requests` may be a function when paths or headers depend on
 * what `setup` created; it is called once, after `setup`.
 */
export interface Scenario {
  /** Name used on the command line and in the results; kebab-case. */
  name: string;
  setup?(ctx: ScenarioContext): Promise<void> | void;
  requests: readonly BenchRequest[] | ((ctx: ScenarioContext) => readonly BenchRequest[]);
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
