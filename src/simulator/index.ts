/**
 * The SSL API simulator. See server.ts for the request pipeline, faults.ts for fault injection,
 * state.ts for the state model and seed.ts for the demo data.
 */
export { createSimulator, DEMO_CREDENTIAL, DEFAULT_OWNER_UIN, DOCUMENTED_REGIONS } from './server';
export type { Simulator, SimulatorOptions, SimCredential, FaultSpec, FaultKind, ActiveFault, TaskDurations } from './server';
export { FaultController, parseFaultEnv } from './faults';
export { CallRecorder, type CallRecord } from './calls';
export { SimState, DEFAULT_DURATIONS, RESOURCE_TYPES } from './state';
export { verifyTc3, computeSignature, buildCanonicalRequest, parseAuthorization } from './tc3';
export { issueCertificate, parseCertificate, simulatorRootPem, type IssuedCertificate } from './x509';
export { readZip } from './zip';
