/**
 * The scope table: every one of the 68 actions has scopes, derived from its kind plus the keys
 * and admin rules; conditional keys from key-carrying inputs; key-material fields and REST
 * redaction.
 */
import { isObjectType, isNonNullType } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  ACTION_SCOPES,
  KEY_MATERIAL_FIELDS,
  missingScopes,
  possibleScopes,
  redactKeyMaterial,
  requiredScopes,
} from '../../../src/auth/scopes';
import { fieldScopes, isKeyMaterialField, rootFieldScopes } from '../../../src/graphql/scope-guard';
import { buildSchema } from '../../../src/graphql/server';
import { spec } from '../../../src/spec';

const ADMIN = ['DeleteManager', 'DescribeCompanies', 'DescribeManagerDetail', 'DescribeManagers', 'SubmitAuditManager', 'VerifyManager'];
const ALWAYS_KEYS = ['DescribeDownloadCertificateUrl', 'DownloadCertificate', 'UploadCertificate', 'UploadUpdateCertificateInstance'];
const CONDITIONAL_KEYS: Record<string, string> = {
  ApplyCertificate: 'CsrKeyPassword',
  CertificateInfoSubmit: 'KeyPass',
  CreateCertificateByPackage: 'RenewKeyPass',
  ReplaceCertificate: 'CsrkeyPassword',
  SubmitCertificateInformation: 'KeyPassword',
  UpdateCertificateInstance: 'CertificatePrivateKey',
};

describe('action scope table', () => {
  it('covers all 68 actions, each with at least one scope, read/write from the spec kind', () => {
    expect(ACTION_SCOPES.size).toBe(68);
    expect(new Set(ACTION_SCOPES.keys())).toEqual(new Set(Object.keys(spec.actions)));
    for (const [name, a] of Object.entries(spec.actions)) {
      const scopes = requiredScopes(name);
      expect(scopes.length, name).toBeGreaterThan(0);
      expect(scopes, name).toContain(a.kind);
      expect(scopes, name).not.toContain(a.kind === 'read' ? 'write' : 'read');
    }
  });

  it('marks exactly the manager and company actions admin', () => {
    const admin = [...ACTION_SCOPES.values()].filter((r) => r.scopes.includes('admin')).map((r) => r.action).sort();
    expect(admin).toEqual(ADMIN);
    expect(requiredScopes('DescribeManagers')).toEqual(['read', 'admin']);
    expect(requiredScopes('DeleteManager')).toEqual(['write', 'admin']);
  });

  it('requires keys for downloading and uploading key material', () => {
    const always = [...ACTION_SCOPES.values()].filter((r) => r.scopes.includes('keys')).map((r) => r.action).sort();
    expect(always).toEqual(ALWAYS_KEYS);
    expect(requiredScopes('DownloadCertificate')).toEqual(['read', 'keys']);
    expect(requiredScopes('UploadCertificate')).toEqual(['write', 'keys']);
    expect(requiredScopes('UploadUpdateCertificateInstance')).toEqual(['write', 'keys']);
  });

  it('adds keys when an optional key input is present and non-empty (REST or GraphQL names)', () => {
    const conditional = Object.fromEntries([...ACTION_SCOPES.values()].filter((r) => r.keyInputs.length > 0).map((r) => [r.action, r.keyInputs.join(',')]));
    expect(conditional).toEqual(CONDITIONAL_KEYS);
    for (const [action, member] of Object.entries(CONDITIONAL_KEYS)) {
      expect(requiredScopes(action), action).toEqual(['write']);
      expect(requiredScopes(action, { [member]: 'secret' }), action).toEqual(['write', 'keys']);
      expect(requiredScopes(action, { [member]: '' }), action).toEqual(['write']);
      expect(requiredScopes(action, { [member]: null }), action).toEqual(['write']);
      expect(possibleScopes(action), action).toEqual(['write', 'keys']);
    }
    // GraphQL argument names (lowerCamel) work the same
    expect(requiredScopes('UpdateCertificateInstance', { certificatePrivateKey: '-----BEGIN PRIVATE KEY-----' })).toEqual(['write', 'keys']);
    expect(requiredScopes('ApplyCertificate', { csrKeyPassword: 'pw' })).toEqual(['write', 'keys']);
    // a CSR or a public certificate is not key material
    expect(requiredScopes('ReplaceCertificate', { CsrContent: '-----BEGIN CERTIFICATE REQUEST-----' })).toEqual(['write']);
    expect(requiredScopes('CheckCertificateExist', { CertificatePublicKey: 'pem' })).toEqual(['read']);
  });

  it('refuses unknown actions instead of failing open', () => {
    expect(() => requiredScopes('DescribeEverything')).toThrow(/unknown action/);
    expect(() => possibleScopes('__proto__')).toThrow(/unknown action/);
  });

  it('computes missing scopes in canonical order', () => {
    expect(missingScopes(new Set(['read']), ['keys', 'read', 'write'])).toEqual(['write', 'keys']);
    expect(missingScopes(new Set(['read', 'write', 'keys', 'admin']), ['admin'])).toEqual([]);
  });
});

describe('key material in responses', () => {
  it('lists the key-material output paths of each action from the spec', () => {
    const outputs = Object.fromEntries([...ACTION_SCOPES.values()].filter((r) => r.keyOutputs.length > 0).map((r) => [r.action, [...r.keyOutputs].sort()]));
    expect(outputs).toEqual({
      DescribeCertificate: ['SubmittedData.KeyPassword'],
      DescribeCertificateDetail: ['CertificatePrivateKey', 'EncryptPrivateKey', 'SubmittedData.KeyPassword'],
      DescribeDownloadCertificateUrl: ['DownloadCertificateUrl'],
      DownloadCertificate: ['Content'],
    });
  });

  it('names GraphQL fields that exist in the schema', () => {
    const schema = buildSchema();
    expect([...KEY_MATERIAL_FIELDS].sort()).toEqual([
      'DescribeCertificateDetailResponse.certificatePrivateKey',
      'DescribeCertificateDetailResponse.encryptPrivateKey',
      'DescribeDownloadCertificateUrlResponse.downloadCertificateUrl',
      'DownloadCertificateResponse.content',
      'SubmittedData.keyPassword',
    ]);
    for (const key of KEY_MATERIAL_FIELDS) {
      const [type, field] = key.split('.');
      const t = schema.getType(type);
      expect(t && isObjectType(t) && t.getFields()[field], key).toBeTruthy();
    }
    // the fields answered per field (null + error) must be nullable so the parent survives
    const detail = schema.getType('DescribeCertificateDetailResponse');
    if (!isObjectType(detail)) throw new Error('no type');
    expect(isNonNullType(detail.getFields().certificatePrivateKey.type)).toBe(false);
    expect(isNonNullType(detail.getFields().encryptPrivateKey.type)).toBe(false);
  });

  it('fieldScopes: keys for key material, read for navigation, nothing for plain data', () => {
    expect(fieldScopes('DescribeCertificateDetailResponse', 'certificatePrivateKey')).toEqual(['keys']);
    expect(fieldScopes('DescribeCertificateDetailResponse', 'encryptPrivateKey')).toEqual(['keys']);
    expect(fieldScopes('DownloadCertificateResponse', 'content')).toEqual(['keys']);
    expect(fieldScopes('SubmittedData', 'keyPassword')).toEqual(['keys']);
    expect(fieldScopes('DescribeCertificateDetailResponse', 'domain')).toEqual([]);
    expect(fieldScopes('Certificates', 'detail')).toEqual(['read']);
    expect(fieldScopes('DeleteTask', 'state')).toEqual(['read']);
    expect(fieldScopes('DeleteTask', 'id')).toEqual([]);
    expect(isKeyMaterialField('DownloadCertificateResponse', 'contentType')).toBe(false);
  });

  it('redacts key material for REST callers without keys, leaving the rest and the input untouched', () => {
    const res = {
      CertificateId: 'c1',
      CertificatePrivateKey: '-----BEGIN PRIVATE KEY-----x',
      EncryptPrivateKey: null,
      SubmittedData: { KeyPassword: 'pw', Domain: 'a.com' },
      RequestId: 'r',
    };
    const r = redactKeyMaterial('DescribeCertificateDetail', res, new Set(['read']));
    expect(r.value).toEqual({ ...res, CertificatePrivateKey: null, SubmittedData: { KeyPassword: null, Domain: 'a.com' } });
    expect(r.redacted).toEqual(['CertificatePrivateKey', 'SubmittedData.KeyPassword']);
    expect(res.CertificatePrivateKey).toContain('PRIVATE KEY');
    expect(redactKeyMaterial('DescribeCertificateDetail', res, new Set(['read', 'keys']))).toEqual({ value: res, redacted: [] });
    expect(redactKeyMaterial('DescribeCertificates', { Certificates: [] }, new Set())).toEqual({ value: { Certificates: [] }, redacted: [] });
  });
});

describe('GraphQL root fields', () => {
  const schema = buildSchema();

  it('every Query and Mutation field has a scope rule', () => {
    for (const [root, type] of [['Query', schema.getQueryType()!], ['Mutation', schema.getMutationType()!]] as const) {
      for (const field of Object.keys(type.getFields())) {
        const scopes = rootFieldScopes(root, field);
        expect(scopes, `${root}.${field}`).toBeDefined();
        expect(scopes!.length, `${root}.${field}`).toBeGreaterThan(0);
        expect(scopes, `${root}.${field}`).toContain(root === 'Query' ? 'read' : 'write');
      }
    }
    expect(rootFieldScopes('Query', 'notAField')).toBeUndefined();
  });

  it('maps fields to their actions, hand-written ones included', () => {
    expect(rootFieldScopes('Query', 'downloadCertificate')).toEqual(['read', 'keys']);
    expect(rootFieldScopes('Query', 'certificateDownloadUrl')).toEqual(['read', 'keys']);
    expect(rootFieldScopes('Query', 'certificateDetail')).toEqual(['read']);
    expect(rootFieldScopes('Query', 'managers')).toEqual(['read', 'admin']);
    expect(rootFieldScopes('Query', 'companies')).toEqual(['read', 'admin']);
    expect(rootFieldScopes('Query', 'certificate')).toEqual(['read']);
    expect(rootFieldScopes('Query', 'deploymentRecord')).toEqual(['read']);
    expect(rootFieldScopes('Mutation', 'deleteCertificates')).toEqual(['write']);
    expect(rootFieldScopes('Mutation', 'updateCertificateInstances')).toEqual(['write']);
    expect(rootFieldScopes('Mutation', 'updateCertificateInstances', { certificatePrivateKey: 'k' })).toEqual(['write', 'keys']);
    expect(rootFieldScopes('Mutation', 'uploadCertificate')).toEqual(['write', 'keys']);
  });
});
