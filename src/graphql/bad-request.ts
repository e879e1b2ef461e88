import { ErrorCode } from '../errors';

/** A request the GraphQL HTTP adapter answers without running it (`code`: `extensions.code`, with its catalogue status). */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = ErrorCode.BAD_REQUEST,
  ) {
    super(message);
  }
}
