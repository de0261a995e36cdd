import { describe, expect, it } from 'vitest';
import { codeForStatus, ERROR_TABLE, errorBody, errorResponse, GatewayError, toGatewayError } from '../../src/errors.js';

describe('error table', () => {
  it('renders each client format in its documented shape', () => {
    const error = new GatewayError('rate_limited', 'slow down', { param: 'model' });
    expect(errorBody(error, 'openai')).toEqual({ error: { message: 'slow down', type: 'rate_limit_error', param: 'model', code: 'rate_limited' } });
    expect(errorBody(error, 'anthropic')).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    expect(errorBody(error, 'api')).toEqual({ error: { code: 'rate_limited', message: 'slow down' } });
  });

  it('uses only the error types Anthropic documents', () => {
    const documented = new Set(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'request_too_large', 'rate_limit_error', 'api_error', 'timeout_error', 'overloaded_error']);
    for (const entry of Object.values(ERROR_TABLE)) expect(documented).toContain(entry.anthropic);
  });

  it('sets the status and extra headers on the response', async () => {
    const response = errorResponse(new GatewayError('payload_too_large', 'big', { headers: { 'retry-after': '3' } }), 'anthropic');
    expect(response.status).toBe(413);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'request_too_large', message: 'big' } });
  });

  it('hides the details of unexpected errors', () => {
    const error = toGatewayError(new Error('ECONNREFUSED with secrets in it'));
    expect(error.status).toBe(500);
    expect(error.message).toBe('internal error');
  });

  it('maps bare statuses to the matching code', () => {
    expect(codeForStatus(429)).toBe('rate_limited');
    expect(codeForStatus(400)).toBe('invalid_request');
    // A provider's statuses never take the gateway's own codes (internal, not_ready).
    expect(codeForStatus(529)).toBe('upstream_overloaded');
    expect(codeForStatus(500)).toBe('upstream_error');
    expect(codeForStatus(503)).toBe('upstream_error');
    expect(codeForStatus(504)).toBe('upstream_timeout');
    expect(codeForStatus(499)).toBe('invalid_request');
    expect(codeForStatus(418)).toBe('invalid_request');
  });
});
