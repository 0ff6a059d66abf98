/**
 * The memory behind fast discussion pages: a small LRU bounded by bytes, and rendered HTML with
 * holes for a per-request value (the CSRF token), filled with one copy per response.
 */

/** A least-recently-used cache bounded by the total weight (bytes) of what it holds. */
export class LruCache<V> {
  private entries = new Map<string, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Re-inserting moves it to the end: Map keeps insertion order, oldest first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const weight = this.weigh(value);
    this.delete(key);
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxWeight) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.weight;
  }

  get size(): number {
    return this.entries.size;
  }

  get weight(): number {
    return this.total;
  }
}

/**
 * Rendered HTML as UTF-8 with holes where a per-request value (the CSRF token) goes. Filling it
 * copies one template and writes the value into each hole: one large copy per response, however
 * many forms the page has, instead of joining a thousand pieces.
 */
export class HoleyHtml {
  private readonly parts: Buffer[];
  /** The parts joined by filler as long as the last value filled in, and where the holes are. */
  private template: { buffer: Buffer; holes: number[]; holeLength: number } | undefined;
  /** The size of the HTML without its holes, which is what the cache is charged. */
  readonly bytes: number;

  constructor(html: string, placeholder: string) {
    this.parts = html.split(placeholder).map((part) => Buffer.from(part, 'utf8'));
    this.bytes = this.parts.reduce((sum, part) => sum + part.length, 0);
  }

  /** The length of the HTML with a value of `valueLength` bytes in every hole. */
  byteLength(valueLength: number): number {
    return this.bytes + (this.parts.length - 1) * valueLength;
  }

  /** Writes the HTML with `value` in every hole into `out`, starting at `offset`. */
  writeInto(out: Buffer, offset: number, value: Buffer): void {
    const template = this.templateFor(value.length);
    template.buffer.copy(out, offset);
    for (const hole of template.holes) value.copy(out, offset + hole);
  }

  private templateFor(holeLength: number) {
    if (this.template?.holeLength === holeLength) return this.template;
    const buffer = Buffer.alloc(this.byteLength(holeLength));
    const holes: number[] = [];
    let at = 0;
    this.parts.forEach((part, i) => {
      if (i > 0) {
        holes.push(at);
        at += holeLength;
      }
      part.copy(buffer, at);
      at += part.length;
    });
    this.template = { buffer, holes, holeLength };
    return this.template;
  }
}
