/**
 * A GraphQL gateway over HTTP in front of an in-process simulator, for integration tests.
 *
 * Time: `awaitCompletion` waits use a virtual clock whose `sleep` advances the simulator's
 * business time instead of waiting, so asynchronous flows run instantly and deterministically.
 * Request deadlines run on the same clock: whenever it moves past one, its signal aborts, as the
 * real timer does. `delayAnswers` makes upstream answers take virtual time.
 */
import { startStandaloneServer } from '@apollo/server/standalone';
import { ANONYMOUS } from '../../src/auth/identity';
import type { GraphQLLimits } from '../../src/graphql/limits/config';
import { createGraphQLServer, type GatewayGraphQL } from '../../src/graphql/server';
import { UpstreamClient, specPolicyLookup, unlimited, type UpstreamClientOptions } from '../../src/upstream';
import { createRequestDeadline, type RequestDeadline } from '../../src/http/deadline';
import type { UpstreamCaller } from '../../src/upstream/caller';
import { DEFAULT_WAIT_POLICY, type WaitClock, type WaitPolicy } from '../../src/tasks/wait';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator';

export interface TestGateway {
  sim: Simulator;
  client: UpstreamClient;
  graphql: GatewayGraphQL;
  url: string;
  /** Virtual milliseconds slept by waits (and passed by `advance` and delayed answers) so far. */
  slept(): number;
  /** Moves the virtual clock (and the simulator's time); request deadlines it passes abort. */
  advance(ms: number): void;
  /**
   * The next answers of `action` take these virtual milliseconds each: the simulator executes the
   * call at once (its state changes), the answer arrives that much later. A request deadline that
   * passes meanwhile cuts the call in flight: the caller gets the abort reason, as from the real
   * client when its signal aborts after the request was written.
   */
  delayAnswers(action: string, ...ms: number[]): void;
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ status: number; data?: T; errors?: any[] }>;
  /** Upstream calls per action since the last `resetCalls()`. */
  calls(): Record<string, number>;
  resetCalls(): void;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  sim?: SimulatorOptions;
  client?: Partial<UpstreamClientOptions>;
  wait?: Partial<WaitPolicy>;
  /** GraphQL limits replacing the defaults. */
  limits?: Partial<GraphQLLimits>;
  /** Pace upstream calls with the documented limits (default false: tests measure calls, not pacing). */
  rateLimited?: boolean;
  /**
   * Each request's time budget in virtual milliseconds (the invocation's remaining time minus the
   * margin), measured on the same virtual clock as the waits. @default none (unbounded)
   */
  deadlineMs?: number;
  /** Write and wait reserves of that deadline (src/http/deadline.ts). */
  deadlineReserves?: { writeReserveMs?: number; waitReserveMs?: number };
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const sim = await startSimulator({ rateLimits: options.rateLimited ?? false, ...options.sim });
  const cred = sim.credentials[0];
  const client = new UpstreamClient({
    endpoint: sim.url,
    credentials: { secretId: cred.secretId, secretKey: cred.secretKey },
    policies: specPolicyLookup({}),
    ...(options.rateLimited ? {} : { limiter: unlimited }),
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...options.client,
  });
  let virtual = 0;
  const deadlines = new Set<RequestDeadline>();
  const advance = (ms: number) => {
    virtual += ms;
    sim.advance(ms);
    // The deadline's timer on the virtual clock: a check aborts the signal once the time passed.
    for (const d of deadlines) if (d.expired()) deadlines.delete(d);
  };
  const waitClock: WaitClock = {
    now: () => virtual,
    sleep: async (ms) => advance(ms),
  };
  const delays = new Map<string, number[]>();
  const upstream: UpstreamCaller = {
    async call(action, params, options) {
      const answer = await client.call(action, params, options);
      const ms = delays.get(action)?.shift();
      if (ms !== undefined) {
        advance(ms);
        if (options?.signal?.aborted) throw options.signal.reason;
      }
      return answer;
    },
  };
  const graphql = createGraphQLServer({ upstream, defaultIdentity: ANONYMOUS, limits: options.limits, waitPolicy: { ...DEFAULT_WAIT_POLICY, ...options.wait }, waitClock });
  const { url } = await startStandaloneServer(graphql.server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async () => {
      if (options.deadlineMs === undefined) return graphql.context();
      const deadline = createRequestDeadline({ budgetMs: options.deadlineMs, clock: waitClock, ...options.deadlineReserves });
      deadlines.add(deadline);
      return graphql.context(deadline);
    },
  });
  return {
    sim,
    client,
    graphql,
    url,
    slept: () => virtual,
    advance,
    delayAnswers(action, ...ms) {
      delays.set(action, [...(delays.get(action) ?? []), ...ms]);
    },
    async query(query, variables) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: any[] };
      return { status: res.status, ...body };
    },
    calls: () => sim.calls.counts(),
    resetCalls: () => sim.calls.reset(),
    async close() {
      await graphql.server.stop();
      await client.close();
      await sim.close();
    },
  };
}
