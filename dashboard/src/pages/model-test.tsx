import { ErrorNote } from '../ui/components';
import { int, ms, usd } from '../ui/format';
import type { TestResult } from './model-form-state';

/**
 * What a test call answered (src/proxy/test-call.ts): the model's text, latency, tokens and
 * cost, or the provider's own error. The call itself is made by the form, with its values.
 */
export function TestOutcome(props: { running: boolean; result: TestResult | undefined; error: unknown }) {
  if (props.running) {
    return (
      <p role="status" aria-busy="true">
        Testing: one short call to the provider…
      </p>
    );
  }
  if (props.error) return <ErrorNote error={props.error} />;
  const result = props.result;
  if (!result) return null;
  if (!result.ok) {
    const what = [result.status ? `HTTP ${result.status}` : undefined, result.error.type].filter(Boolean).join(', ');
    return (
      <div class="test-outcome bad" role="alert">
        <p>
          <strong>Test failed</strong>
          {what ? ` (${what})` : ''} after {ms(result.latencyMs)}:
        </p>
        <pre>{result.error.message}</pre>
      </div>
    );
  }
  return (
    <div class="test-outcome ok" role="status">
      <p>
        <strong>Test passed</strong> in {ms(result.latencyMs)}.
      </p>
      <dl class="facts">
        <dt>Answer</dt>
        <dd>{result.text ? <q>{result.text}</q> : <span class="muted">(empty)</span>}</dd>
        <dt>Tokens</dt>
        <dd>{result.usage ? `${int(result.usage.inputTokens)} in, ${int(result.usage.outputTokens)} out` : 'not reported by the provider'}</dd>
        <dt>Cost</dt>
        <dd>{result.costUsd === null ? 'unknown (no usage reported)' : usd(result.costUsd)}</dd>
      </dl>
    </div>
  );
}
