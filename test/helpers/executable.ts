import { accessSync, constants } from 'node:fs';

/** Whether `path` exists and this process may execute it (how the tests find Redis and Chromium). */
export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
