/**
 * Registry of action handlers, split by domain. Every action of the spec must have exactly one
 * handler (checked at simulator start-up and by the test suite).
 */
import { certificateHandlers } from './certificates';
import type { Handler } from './common';
import { deployHandlers } from './deploy';
import { hostHandlers } from './hosts';
import { managerHandlers } from './managers';
import { orderHandlers } from './orders';
import { taskHandlers } from './tasks';

export type { Handler, HandlerContext } from './common';

const groups: Record<string, Handler>[] = [certificateHandlers, orderHandlers, taskHandlers, hostHandlers, deployHandlers, managerHandlers];

export const handlers: Record<string, Handler> = {};
for (const group of groups) {
  for (const [name, handler] of Object.entries(group)) {
    if (handlers[name]) throw new Error(`duplicate simulator handler for ${name}`);
    handlers[name] = handler;
  }
}

/** Actions of the spec without a handler, and handlers for actions the spec does not know. */
export function coverage(actionNames: readonly string[]): { missing: string[]; extra: string[] } {
  const known = new Set(actionNames);
  return {
    missing: actionNames.filter((a) => !handlers[a]),
    extra: Object.keys(handlers).filter((h) => !known.has(h)),
  };
}
