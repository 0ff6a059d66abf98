/**
 * The JSON shape every API error has, as `toErrorResponse` (server.ts) makes it: one schema for
 * every route's error responses, so the OpenAPI document describes them all alike.
 */
import { Type } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { description: 'What went wrong: a stable `code` and a message for people.' },
);
