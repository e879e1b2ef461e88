/**
 * API errors as the SSL service reports them: HTTP 200 with
 * `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function fail(code: string, message: string): never {
  throw new ApiError(code, message);
}

export function errorEnvelope(code: string, message: string, requestId: string): { Response: unknown } {
  return { Response: { Error: { Code: code, Message: message }, RequestId: requestId } };
}

export function successEnvelope(body: Record<string, unknown>, requestId: string): { Response: unknown } {
  return { Response: { ...body, RequestId: requestId } };
}
