/**
 * A created id always reaches the caller: on the objects a write returns, the only non-null
 * fields with their own resolver are the ids (and kind) taken from the creation answer. Every
 * field that reads the upstream afterwards is nullable, so a read that fails or that the
 * request's deadline cuts is null with its own error instead of nulling the object, and with it
 * the mutation's result (GraphQL propagates a null up to the nearest nullable field).
 * The behaviour itself is tested in test/integration/graphql/deadline-keeps-created-ids.test.ts.
 */
import { isNonNullType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../../src/graphql/server';

const schema = buildSchema();

/** The objects that carry what a write created (certificate, task and deployment record ids). */
const CREATED = ['CertificateIssuance', 'BindResourceTask', 'DeleteTask', 'DeploymentRecord', 'DeploymentStarted', 'DeploymentAlreadyRunning', 'DeleteCertificatesOutcome'];

describe('objects returned by writes', () => {
  it('have no non-null field that reads the upstream: only the ids and kind from the creation answer are non-null resolved fields', () => {
    const nonNullResolved: string[] = [];
    for (const name of CREATED) {
      const type = schema.getType(name);
      if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
      for (const field of Object.values(type.getFields())) {
        if (isNonNullType(field.type) && typeof field.resolve === 'function') nonNullResolved.push(`${name}.${field.name}`);
      }
    }
    expect(nonNullResolved.sort()).toEqual(['BindResourceTask.id', 'CertificateIssuance.certificateId', 'DeleteTask.id', 'DeploymentRecord.id', 'DeploymentRecord.kind']);
  });
});
