/**
 * globalSetup of the integration project (vitest.config.ts): runs once per `vitest run`, in the
 * main process, before any integration or e2e file. It makes sure the system programs those
 * tests use are there, installing them when missing, and hands their paths to the workers.
 * A failure here fails the run with what to install: nothing is ever skipped.
 */
import type { TestProject } from 'vitest/node';
import { findOrInstallRedisServer } from '../helpers/redis-server-binary';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path (or REDIS_SERVER_BIN) of the redis-server the Redis tests start; unset outside this setup. */
    redisServerBin?: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide('redisServerBin', findOrInstallRedisServer(process.env, (line) => console.log(`[test setup] ${line}`)));
}
