/**
 * Conditional GETs: whether the `If-None-Match` a client sent matches the current `ETag`, by the
 * weak comparison RFC 9110 (13.1.2) prescribes for GET and HEAD — a list, `W/` prefixes ignored
 * (proxies that compress weaken an ETag), `*` matching anything.
 *
 * @example
 * if (ifNoneMatchHolds(request.headers['if-none-match'], etag)) return reply.status(304).send();
 */
export function ifNoneMatchHolds(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  const current = bare(etag);
  return ifNoneMatch.split(',').some((tag) => {
    const asked = bare(tag);
    return asked === current || asked === '*';
  });
}
