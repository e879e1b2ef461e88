/**
 * A minimal typed GraphQL client over `fetch`: the generated `…Document` constants carry their
 * result and variable types, so `request` checks both at compile time. Apollo Client, urql and
 * graphql-request accept the same documents.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GatewayClientOptions {
  /** e.g. `http://localhost:4000/graphql` */
  endpoint: string;
  /** Sent as `x-api-key` (the gateway also accepts `Authorization: Bearer <key>`). */
  apiKey: string;
  fetch?: typeof fetch;
}

/** A GraphQL error as the gateway reports it: `extensions.code` is the stable part. */
export interface GatewayGraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export class GatewayError extends Error {
  constructor(readonly errors: GatewayGraphQLError[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
}

export interface GatewayClient {
  /** The data of a successful operation; throws `GatewayError` when the answer has errors. */
  request<TResult, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables): Promise<TResult>;
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const doFetch = options.fetch ?? fetch;
  return {
    async request(document, variables) {
      const res = await doFetch(options.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', 'x-api-key': options.apiKey },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: GatewayGraphQLError[] };
      if (body.errors?.length) throw new GatewayError(body.errors);
      if (body.data === undefined || body.data === null) throw new GatewayError([{ message: `HTTP ${res.status} without data` }]);
      return body.data as never;
    },
  };
}
