/**
 * Every one of the 68 actions through `POST /v1/actions/{Action}` against the simulator (strict
 * output shapes): a minimal valid body passes the facade's validation, reaches the upstream
 * unchanged, and the answer is the documented response without the envelope, with RequestId.
 *
 * Bodies come from the shared table of action inputs (test/helpers/action-inputs.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionNames, getAction } from '../../../src/spec';
import { ACTION_INPUTS as builders, clean } from '../../helpers/action-inputs';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

describe('POST /v1/actions/{Action}: every documented action', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway(ISOLATED);
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.sim.reset({ state: true }));

  it('has a body for each of the 68 actions', () => {
    expect(actionNames.length).toBe(68);
    expect(Object.keys(builders).sort()).toEqual([...actionNames].sort());
  });

  for (const action of [...actionNames].sort()) {
    it(action, async () => {
      const body = clean(await builders[action](gw.sim));
      gw.sim.calls.reset();
      const res = await gw.request('POST', `/v1/actions/${action}`, body);
      expect(res.status, JSON.stringify(res.json?.error)).toBe(200);
      // The documented response without the envelope, with the upstream RequestId.
      expect(res.json.Response).toBeUndefined();
      expect(res.json.RequestId).toMatch(/^[0-9a-f-]{36}$/);
      const documented = new Set([...getAction(action)!.outputs.map((m) => m.name), 'RequestId']);
      expect(Object.keys(res.json).filter((k) => !documented.has(k))).toEqual([]);
      // Exactly one upstream call, with the body unchanged.
      const log = gw.sim.calls.log();
      expect(log.map((c) => c.action)).toEqual([action]);
      expect(log[0].params).toEqual(body);
      expect(log[0].requestId).toBe(res.json.RequestId);
    });
  }
});
