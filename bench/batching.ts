/**
 * Batching: N nested lookups (certificates by id, each with its deployed CLB resources) through
 * the GraphQL server, with the per-request DataLoaders versus a naive per-item resolver (the
 * same resolvers with loaders that fetch one id per upstream call), for N = 10, 100, 1000.
 * The simulator runs without rate limits so the wall time shows the cost of the calls themselves;
 * with the documented 10 calls/s, the naive N = 1000 case would take at least 100 s upstream.
 */
import DataLoader from 'dataloader';
import { ANONYMOUS } from '../src/auth/identity';
import { createGraphQLServer } from '../src/graphql/server';
import type { Json } from '../src/upstream/caller';
import { createSimulator } from '../src/simulator';
import { UpstreamClient, specPolicyLookup, unlimited } from '../src/upstream';
import { median, printTable, saveResult, timeAsync } from './lib';

const QUERY = 'query($ids: [ID!]!) { certificatesByIds(ids: $ids) { certificateId domain deployedResources(resourceType: CLB) { count } } }';

export async function runBatchingBench(sizes = [10, 100, 1000], repeats = 3): Promise<unknown> {
  const sim = await createSimulator({ rateLimits: false, freeCertLimit: 100_000 });
  const cred = sim.credentials[0];
  const upstream = new UpstreamClient({ endpoint: sim.url, credentials: cred, policies: specPolicyLookup({}), limiter: unlimited, maxConnections: 32 });
  try {
    const max = Math.max(...sizes);
    for (let i = 0; i < max; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, max - i) }, (_, k) => upstream.call('ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: `bench${i + k}.example.test` })),
      );
    }
    const all = await upstream.call('DescribeCertificates', { Limit: 1000, Offset: 0 });
    const more = await upstream.call('DescribeCertificates', { Limit: 1000, Offset: 1000 });
    const ids = [...(all.Certificates as Json[]), ...(more.Certificates as Json[])].map((c) => String(c.CertificateId));
    const gql = createGraphQLServer({ upstream, defaultIdentity: ANONYMOUS });
    await gql.server.start();

    const naiveContext = () => {
      const ctx = gql.context();
      ctx.loaders.certificate = new DataLoader(
        async (keys: readonly string[]) => [
          ((await upstream.call('DescribeCertificates', { CertIds: [keys[0]], Limit: 1 })).Certificates as Json[])[0] ?? null,
        ],
        { batch: false },
      );
      ctx.loaders.deployedResources = new DataLoader(
        async (keys: readonly string[]) => {
          const [type, id] = [keys[0].slice(0, keys[0].indexOf('|')), keys[0].slice(keys[0].indexOf('|') + 1)];
          const r = await upstream.call('DescribeDeployedResources', { CertificateIds: [id], ResourceType: type });
          return [((r.DeployedResources as Json[]) ?? [])[0] ?? null];
        },
        { batch: false },
      );
      return ctx;
    };

    const rows: Record<string, string | number>[] = [];
    const results: unknown[] = [];
    for (const n of sizes) {
      const slice = ids.slice(0, n);
      const measure = async (mode: 'loaders' | 'naive') => {
        const times: number[] = [];
        let calls = 0;
        for (let r = 0; r < repeats; r++) {
          sim.calls.reset();
          const ctx = mode === 'loaders' ? gql.context() : naiveContext();
          const { ms, value } = await timeAsync(() => gql.server.executeOperation({ query: QUERY, variables: { ids: slice } }, { contextValue: ctx }));
          const body = value.body as { kind: string; singleResult: { errors?: unknown[]; data?: { certificatesByIds: unknown[] } } };
          if (body.singleResult.errors) throw new Error(JSON.stringify(body.singleResult.errors).slice(0, 300));
          if (body.singleResult.data!.certificatesByIds.length !== n) throw new Error('wrong result size');
          times.push(ms);
          calls = sim.calls.total();
        }
        return { ms: median(times), calls };
      };
      const loaders = await measure('loaders');
      const naive = await measure('naive');
      results.push({ n, loaders, naive, speedup: Number((naive.ms / loaders.ms).toFixed(1)) });
      rows.push({
        N: n,
        'loader calls': loaders.calls,
        'naive calls': naive.calls,
        'loader ms (median)': loaders.ms.toFixed(1),
        'naive ms (median)': naive.ms.toFixed(1),
        'time ratio naive/loader': `${(naive.ms / loaders.ms).toFixed(1)}×`,
        'min naive upstream time at 10/s': `${(naive.calls / 10).toFixed(0)} s`,
      });
    }
    printTable('Batching: N certificates + their deployed CLB resources, DataLoaders vs naive per-item resolvers', rows);
    saveResult('batching', { sizes, repeats, results });
    await gql.server.stop();
    return results;
  } finally {
    await upstream.close();
    await sim.close();
  }
}
