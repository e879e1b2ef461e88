/** A request the GraphQL HTTP adapter answers with 400 instead of running it (`code`: `extensions.code`). */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly code: string = 'BAD_REQUEST',
  ) {
    super(message);
  }
}
