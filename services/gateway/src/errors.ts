import { defineError } from '@primaries/service-kit';

/**
 * The gateway's error catalogue. Codes are stable and listed in
 * docs/api.md (a test checks that). Add, never rename. The common ones the
 * shared error handler emits (GATEWAY_ERR_NOT_FOUND, GATEWAY_ERR_VALIDATION…) come from
 * service-kit's commonErrorCodes('GATEWAY').
 */
export const GatewayErrors = {
  UNKNOWN_HOST: defineError('GATEWAY_ERR_UNKNOWN_HOST', 'No site is served at this host name', 404),
  RATE_LIMITED: defineError('GATEWAY_ERR_RATE_LIMITED', 'Too many requests from this address; retry in %s s', 429),
  /** The upstream refused the connection or could not be resolved: it is down or restarting. */
  UPSTREAM_UNAVAILABLE: defineError('GATEWAY_ERR_UPSTREAM_UNAVAILABLE', 'The %s service is unavailable; retry shortly', 503),
  /** No connection or no response headers within the configured time. */
  UPSTREAM_TIMEOUT: defineError('GATEWAY_ERR_UPSTREAM_TIMEOUT', 'The %s service did not answer in time', 504),
  /** The connection broke or the upstream answered something that is not HTTP. */
  UPSTREAM_FAILED: defineError('GATEWAY_ERR_UPSTREAM_FAILED', 'The %s service failed to answer', 502),
  /** The path cannot be forwarded (malformed percent-encoding, `..` segments). */
  BAD_PATH: defineError('GATEWAY_ERR_BAD_PATH', 'The request path cannot be forwarded', 400),
  /** Request headers larger than the gateway forwards (limits.ts), or than Node reads. */
  HEADERS_TOO_LARGE: defineError('GATEWAY_ERR_HEADERS_TOO_LARGE', 'The request headers are too large', 431),
} as const;

/** Every code the gateway can answer with (for the docs check). */
export const GATEWAY_ERROR_CODES = [
  ...Object.values(GatewayErrors).map((E) => new E().code),
  'GATEWAY_ERR_NOT_FOUND',
  'GATEWAY_ERR_VALIDATION',
  'GATEWAY_ERR_INTERNAL',
  'GATEWAY_ERR_PAYLOAD_TOO_LARGE',
  'GATEWAY_ERR_BAD_CONTENT_TYPE',
  'GATEWAY_ERR_BAD_REQUEST',
] as const;
// Also GATEWAY_ERR_BAD_REQUEST, _REQUEST_TIMEOUT and _URI_TOO_LONG: Node's own refusals in the
// error shape (errorShapeOptions in service-kit), listed in docs/api.md under every service.
