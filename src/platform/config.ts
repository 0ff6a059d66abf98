/**
 * Configuration from environment variables, validated once at start. A wrong value throws a
 * ConfigError whose message is one line naming the variable and what is wrong with it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { DEFAULT_ADDRESS_SALT_DAYS } from './address-hash.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Config {
  port: number;
  host: string;
  baseUrl: URL;
  dataDir: string;
  database: DatabaseTarget;
  /** Undefined until resolved by `resolveSecret` (which may generate and persist one). */
  secret: string | undefined;
  smtpUrl: URL | undefined;
  logLevel: LogLevel;
  /** Whether to believe X-Forwarded-For: true, false, or the proxies' addresses / CIDR ranges. */
  trustProxy: boolean | number | string[];
  /** Requests per minute per address across the whole site (sign-in has its own, lower limits). */
  rateLimitPerMinute: number;
  /** New comments one address may post a minute through the JSON API. */
  commentRateLimitPerMinute: number;
  /**
   * DEMO_CONTENT (default true): `serve` loads the two sample documents when the site has no
   * statements at all (the first start); false starts empty.
   */
  demoContent: boolean;
  /** An Akismet-compatible spam classifier (CLASSIFIER_URL and CLASSIFIER_KEY); off when unset. */
  classifier: ClassifierConfig | undefined;
  /** CLASSIFIER_TIMEOUT_MS: how long a comment waits for the classifier before it is held. */
  classifierTimeoutMs: number;
  /**
   * IP_HASH_SALT_DAYS (default 90): how many days one salt of the stored address hashes lasts (see
   * platform/address-hash.ts).
   */
  ipHashSaltDays: number;
}

export interface ClassifierConfig {
  /** The service's base, e.g. https://rest.akismet.com/1.1/ (always ending in `/`). */
  url: URL;
  key: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export const SQLITE_FILE_NAME = 'broadside.db';
const SECRET_FILE_NAME = 'secret';
const MIN_SECRET_LENGTH = 32;

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; pure apart from resolving DATA_DIR against `cwd`. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const port = parsePort(env.PORT);
  const host = nonEmpty(env.HOST) ?? '127.0.0.1';
  const dataDir = path.resolve(cwd, nonEmpty(env.DATA_DIR) ?? './data');
  const baseUrl = parseBaseUrl(env.BASE_URL, host, port);
  return {
    port,
    host,
    baseUrl,
    dataDir,
    database: parseDatabaseUrl(env.DATABASE_URL, dataDir),
    secret: parseSecret(env.SECRET),
    smtpUrl: parseSmtpUrl(env.SMTP_URL),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    rateLimitPerMinute: parsePositiveInt('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, 600),
    commentRateLimitPerMinute: parsePositiveInt(
      'COMMENT_RATE_LIMIT_PER_MINUTE',
      env.COMMENT_RATE_LIMIT_PER_MINUTE,
      20,
    ),
    demoContent: parseSwitch('DEMO_CONTENT', env.DEMO_CONTENT, true),
    classifier: parseClassifier(env.CLASSIFIER_URL, env.CLASSIFIER_KEY),
    classifierTimeoutMs: parseTimeoutMs(env.CLASSIFIER_TIMEOUT_MS),
    ipHashSaltDays: parsePositiveInt(
      'IP_HASH_SALT_DAYS',
      env.IP_HASH_SALT_DAYS,
      DEFAULT_ADDRESS_SALT_DAYS,
    ),
  };
}

function parseClassifier(
  rawUrl: string | undefined,
  rawKey: string | undefined,
): ClassifierConfig | undefined {
  const value = nonEmpty(rawUrl);
  const key = nonEmpty(rawKey);
  if (value === undefined) {
    if (key !== undefined) {
      throw new ConfigError(
        'CLASSIFIER_KEY',
        'is set but CLASSIFIER_URL is not; set both to use a spam classifier (e.g. CLASSIFIER_URL=https://rest.akismet.com/1.1), or neither',
      );
    }
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'CLASSIFIER_URL',
      `"${value}" is not a URL; use the service's API base, e.g. https://rest.akismet.com/1.1`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      'CLASSIFIER_URL',
      `must start with http:// or https://, not ${url.protocol}//`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(
      'CLASSIFIER_URL',
      'must not contain a query string, a fragment or credentials; put the key in CLASSIFIER_KEY',
    );
  }
  if (key === undefined) {
    throw new ConfigError('CLASSIFIER_KEY', 'must be set when CLASSIFIER_URL is (the API key)');
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { url, key };
}

function parseTimeoutMs(raw: string | undefined): number {
  const value = nonEmpty(raw);
  if (value === undefined) return 2000;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 60_000) {
    throw new ConfigError(
      'CLASSIFIER_TIMEOUT_MS',
      `"${value}" is not a number of milliseconds from 1 to 60000`,
    );
  }
  return Number(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parsePort(raw: string | undefined): number {
  const value = nonEmpty(raw);
  if (value === undefined) return 8080;
  if (!/^\d+$/.test(value)) {
    throw new ConfigError('PORT', `"${value}" is not a number; use a port between 1 and 65535`);
  }
  const port = Number(value);
  // Port 0 would listen on a random port that no link (BASE_URL, the setup link) could name.
  if (port < 1 || port > 65535)
    throw new ConfigError('PORT', `${port} is out of range; use 1–65535`);
  return port;
}

function parsePositiveInt(name: string, raw: string | undefined, fallback: number): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new ConfigError(name, `"${value}" is not a positive whole number`);
  }
  return Number(value);
}

function parseBaseUrl(raw: string | undefined, host: string, port: number): URL {
  const value = nonEmpty(raw);
  if (value === undefined) {
    const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    return new URL(`http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'BASE_URL',
      `"${value}" is not a URL; use e.g. https://statements.example.org`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('BASE_URL', `must start with http:// or https://, not ${url.protocol}//`);
  }
  if (url.search || url.hash) {
    throw new ConfigError('BASE_URL', 'must not contain a query string or a fragment');
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function parseDatabaseUrl(raw: string | undefined, dataDir: string): DatabaseTarget {
  const value = nonEmpty(raw);
  if (value === undefined) return { kind: 'sqlite', file: path.join(dataDir, SQLITE_FILE_NAME) };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    try {
      new URL(value);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: value };
  }
  throw new ConfigError(
    'DATABASE_URL',
    `unsupported database "${scheme ?? value}"; use postgres://user:password@host:5432/name, or leave it unset for SQLite in DATA_DIR`,
  );
}

function parseSecret(raw: string | undefined): string | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return undefined;
  if (value.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      'SECRET',
      `is ${value.length} characters long; use at least ${MIN_SECRET_LENGTH} random characters (or unset it to have one generated)`,
    );
  }
  return value;
}

function parseSmtpUrl(raw: string | undefined): URL | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'SMTP_URL',
      'is not a URL; use smtp://user:password@host:587 or smtps://…',
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError('SMTP_URL', `must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  return url;
}

function parseSwitch(name: string, raw: string | undefined, fallback: boolean): boolean {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ConfigError(name, `"${nonEmpty(raw)}" is not true or false`);
}

function parseLogLevel(raw: string | undefined): LogLevel {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined) return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConfigError('LOG_LEVEL', `"${value}" is not one of ${LOG_LEVELS.join(', ')}`);
}

function parseTrustProxy(raw: string | undefined): boolean | number | string[] {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined || value === 'false') return false;
  // Believes any X-Forwarded-For: only safe when every request passes through the proxy.
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value); // the number of proxy hops in front
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const version = isIP(address);
    const maxPrefix = version === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (version === 0 || !prefixOk || rest.length > 0) {
      throw new ConfigError(
        'TRUST_PROXY',
        `"${entry}" is not an IP address or CIDR range; use the proxy's address (e.g. 10.0.0.5 or 10.0.0.0/8), a hop count, true or false`,
      );
    }
  }
  return entries;
}

/**
 * Returns the configured SECRET, or the one persisted in DATA_DIR, or generates, persists
 * (mode 0600) and returns a new one. Sessions and CSRF tokens survive restarts this way.
 */
export function resolveSecret(config: Config): string {
  if (config.secret) return config.secret;
  const file = path.join(config.dataDir, SECRET_FILE_NAME);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= MIN_SECRET_LENGTH) return stored;
    throw new ConfigError(
      'SECRET',
      `the secret stored in ${file} is too short; delete the file to generate a new one`,
    );
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((error as { code?: string }).code === 'EEXIST') return resolveSecret(config);
    throw error;
  }
  chmodSync(file, 0o600);
  return secret;
}
