/**
 * In-process coalescing: identical reads in flight at once share one promise. The flight runs
 * with its creator's abort signal (a request deadline must still stop its own upstream call);
 * `signal` is kept so that a joiner can tell "the creator gave up" from "the call failed".
 */
export interface Flight<T> {
  promise: Promise<T>;
  signal?: AbortSignal;
}

export class Coalescer<T> {
  private readonly flights = new Map<string, Flight<T>>();

  get(key: string): Flight<T> | undefined {
    return this.flights.get(key);
  }

  /** Starts `run` as the flight of `key`; it is forgotten as soon as it settles. */
  start(key: string, run: () => Promise<T>, signal?: AbortSignal): Flight<T> {
    const promise = run().finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    const flight: Flight<T> = { promise, signal };
    this.flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.flights.size;
  }
}

/** `promise`, or a rejection as soon as `signal` aborts. */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
