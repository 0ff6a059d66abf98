/** Awaits a promise that must fail with a coded AppError, and returns the error to inspect. */
import { expect } from 'vitest';
import { AppError } from '../../src/platform/errors.js';

export async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}
