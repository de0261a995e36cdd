import { isRecord } from '../json/record.js';

/**
 * Tool-call arguments travel as JSON text in OpenAI-style formats and as objects in
 * Anthropic, Gemini and Cohere results. Text that is not a JSON object (a model can emit
 * broken JSON) is kept under `_raw` rather than lost, so the caller still sees what came.
 */
export function argumentsObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : { _raw: text };
  } catch {
    return { _raw: text };
  }
}

export function argumentsText(value: unknown): string {
  return JSON.stringify(value ?? {});
}
