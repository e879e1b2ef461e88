/**
 * The hello-world app of bench/coldstart.ts: the gateway's stack and dependency versions
 * (@apollo/server + @as-integrations/aws-lambda, graphql, undici, dataloader) with nothing of the
 * gateway, written the textbook way: `typeDefs` + `resolvers`, one DataLoader per request, undici's
 * `request` for its one upstream field. It answers `{ __typename }` and `{ hello }`; `status`
 * (an HTTP status of HELLO_UPSTREAM_URL) exists so undici is used, as it would be.
 */
import { ApolloServer } from '@apollo/server';
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import DataLoader from 'dataloader';
import { request } from 'undici';

interface Context {
  greetings: DataLoader<string, string>;
}

const typeDefs = /* GraphQL */ `
  type Query {
    "A greeting."
    hello(name: String = "world"): String!
    "HTTP status of HELLO_UPSTREAM_URL."
    status: Int
  }
`;

const resolvers = {
  Query: {
    hello: (_: unknown, args: { name: string }, ctx: Context) => ctx.greetings.load(args.name),
    status: async () => (await request(process.env.HELLO_UPSTREAM_URL ?? 'http://127.0.0.1:9/')).statusCode,
  },
};

const server = new ApolloServer<Context>({ typeDefs, resolvers });

export const handler = startServerAndCreateLambdaHandler(server, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
  context: async () => ({ greetings: new DataLoader<string, string>(async (names) => names.map((n) => `hello, ${n}`)) }),
});
