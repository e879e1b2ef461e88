/**
 * A GraphQL gateway over HTTP in front of an in-process simulator, for integration tests.
 *
 * Time: `awaitCompletion` waits use a virtual clock whose `sleep` advances the simulator's
 * business time instead of waiting, so asynchronous flows run instantly and deterministically.
 */
import { startStandaloneServer } from '@apollo/server/standalone';
import { ANONYMOUS } from '../../src/auth/identity';
import type { GraphQLLimits } from '../../src/graphql/limits/config';
import { createGraphQLServer, type GatewayGraphQL } from '../../src/graphql/server';
import { UpstreamClient, specPolicyLookup, unlimited, type UpstreamClientOptions } from '../../src/upstream';
import { createRequestDeadline } from '../../src/http/deadline';
import { DEFAULT_WAIT_POLICY, type WaitClock, type WaitPolicy } from '../../src/tasks/wait';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator';

export interface TestGateway {
  sim: Simulator;
  client: UpstreamClient;
  graphql: GatewayGraphQL;
  url: string;
  /** Virtual milliseconds slept by waits so far. */
  slept(): number;
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
  const waitClock: WaitClock = {
    now: () => virtual,
    sleep: async (ms) => {
      virtual += ms;
      sim.advance(ms);
    },
  };
  const graphql = createGraphQLServer({ upstream: client, defaultIdentity: ANONYMOUS, limits: options.limits, waitPolicy: { ...DEFAULT_WAIT_POLICY, ...options.wait }, waitClock });
  const { url } = await startStandaloneServer(graphql.server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async () =>
      graphql.context(
        options.deadlineMs === undefined ? undefined : createRequestDeadline({ budgetMs: options.deadlineMs, clock: waitClock, ...options.deadlineReserves }),
      ),
  });
  return {
    sim,
    client,
    graphql,
    url,
    slept: () => virtual,
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
