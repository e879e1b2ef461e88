/** Client authentication (API keys, JWT) and scopes (read, write, keys, admin). */
export * from './api-keys';
export * from './authenticator';
export * from './config';
export * from './errors';
export * from './identity';
export * from './jwt';
export * from './scopes';
export * from './gateway';
