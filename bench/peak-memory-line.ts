/** How `peak-memory.ts` marks its line on standard error, for the harness to find it. */
export const PEAK_MEMORY_PREFIX = 'bench-peak-memory:';
