import { describe, expect, it } from 'vitest';
import { fieldName } from '../../../src/spec/naming';

describe('fieldName', () => {
  it.each([
    ['CertId', 'certId'],
    ['SSLDeployTime', 'sslDeployTime'],
    ['IsDV', 'isDV'],
    ['IsDv', 'isDv'],
    ['CAEndTimes', 'caEndTimes'],
    ['CLB', 'clb'],
    ['APIGATEWAY', 'apigateway'],
    ['TCBType', 'tcbType'],
    ['DvAuthMethod', 'dvAuthMethod'],
    ['IsDNSPODResolve', 'isDNSPODResolve'],
  ])('%s → %s', (doc, gql) => expect(fieldName(doc)).toBe(gql));
});
