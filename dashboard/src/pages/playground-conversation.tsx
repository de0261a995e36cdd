import { useEffect, useRef, useState } from 'preact/hooks';
import { Card, Link, useId } from '../ui/components';
import { int, ms, usd } from '../ui/format';
import { recordedUsage, streamChat, type CallMeta, type CallUsage, type ChatMessage } from './playground-call';

interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  reasoning?: string;
  meta?: CallMeta;
  usage?: CallUsage;
  pending?: boolean;
}

let nextTurn = 0;

/** What is sent as the history: the turns so far, without answers that failed before saying anything. */
function history(turns: Turn[]): ChatMessage[] {
  return turns.filter((turn) => turn.role === 'user' || turn.content !== '').map((turn) => ({ role: turn.role, content: turn.content }));
}

/**
 * The conversation: messages, the box to write in, and the streamed answers. Each answer
 * ends with what the gateway said about it: the model that served, the attempts, the
 * request id (to its log), tokens and cost.
 */
export function Conversation(props: { token: string; model: string; canReadUsage: boolean }) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [draft, setDraft] = useState('');
  const [status, setStatus] = useState('');
  const call = useRef<AbortController | null>(null);
  // Usage look-ups run after an answer; Clear and leaving the page end them.
  const lookups = useRef(new AbortController());
  const box = useRef<HTMLTextAreaElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const id = useId('message');
  const [busy, setBusy] = useState(false);

  useEffect(
    () => () => {
      call.current?.abort();
      lookups.current.abort();
    },
    [],
  );
  // Keep the latest words in view while they stream in.
  useEffect(() => end.current?.scrollIntoView({ block: 'nearest' }), [turns]);

  const update = (turnId: number, change: (turn: Turn) => Turn) => setTurns((all) => all.map((turn) => (turn.id === turnId ? change(turn) : turn)));

  async function send() {
    const text = draft.trim();
    if (!text || busy || !props.token) return;
    const user: Turn = { id: ++nextTurn, role: 'user', content: text };
    const answer: Turn = { id: ++nextTurn, role: 'assistant', content: '', pending: true };
    const messages = [...history(turns), { role: 'user' as const, content: text }];
    setTurns((all) => [...all, user, answer]);
    setDraft('');
    setStatus('Answering…');
    const controller = new AbortController();
    call.current = controller;
    setBusy(true);
    const meta = await streamChat(
      { token: props.token, model: props.model, messages, signal: controller.signal },
      {
        onText: (chunk) => update(answer.id, (turn) => ({ ...turn, content: turn.content + chunk })),
        onReasoning: (chunk) => update(answer.id, (turn) => ({ ...turn, reasoning: (turn.reasoning ?? '') + chunk })),
      },
    );
    // Clear ends the call and empties the conversation: nothing of this answer is left to show.
    if (call.current !== controller) return;
    call.current = null;
    setBusy(false);
    update(answer.id, (turn) => ({ ...turn, meta, pending: false }));
    setStatus(meta.aborted ? 'Stopped.' : meta.error ? 'The call failed.' : `Answered${meta.model ? ' by ' + meta.model : ''}.`);
    box.current?.focus();
    // Only a call that reached a model has usage records: a refused token or budget has none to wait for.
    if (props.canReadUsage && meta.requestId && meta.attempts) {
      const usage = await recordedUsage(meta.requestId, lookups.current.signal);
      if (usage) update(answer.id, (turn) => ({ ...turn, usage }));
    }
  }

  function stop() {
    call.current?.abort();
  }

  function clear() {
    call.current?.abort();
    call.current = null;
    setBusy(false);
    lookups.current.abort();
    lookups.current = new AbortController();
    setTurns([]);
    setStatus('Conversation cleared.');
    box.current?.focus();
  }

  return (
    <Card title="Conversation">
      <div class="chat playground-chat" role="log" aria-label="Conversation" aria-busy={busy}>
        {turns.length === 0 && <p class="empty">No messages yet. Write one below; Enter sends, Shift+Enter starts a new line.</p>}
        {turns.map((turn) => (
          <article key={turn.id} class={`message ${turn.role}`} aria-label={turn.role === 'user' ? 'You' : 'Assistant'}>
            <div class="message-who muted">{turn.role === 'user' ? 'You' : 'Assistant'}</div>
            {turn.reasoning && (
              <details class="playground-reasoning">
                <summary>Thinking</summary>
                <div class="muted">{turn.reasoning}</div>
              </details>
            )}
            <div class="message-text">{turn.content || (turn.pending ? '…' : '')}</div>
            {turn.meta && <TurnMeta meta={turn.meta} usage={turn.usage} linkToLog={props.canReadUsage} />}
          </article>
        ))}
        <div ref={end} />
      </div>
      <form
        class="form playground-compose"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <div class="field">
          <label for={id}>Message</label>
          <textarea
            id={id}
            ref={box}
            rows={3}
            value={draft}
            aria-describedby={id + '-hint'}
            onInput={(event) => setDraft(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Enter sends; Shift+Enter is a new line; an IME composing text keeps its Enter.
              if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                void send();
              }
            }}
          />
          <small id={id + '-hint'} class="hint">
            {props.token ? 'Enter sends, Shift+Enter starts a new line.' : 'Paste a project token above (or create one) to send.'}
          </small>
        </div>
        <div class="row">
          <button type="submit" class="primary" disabled={busy || !props.token || draft.trim() === ''}>
            Send
          </button>
          <button type="button" onClick={stop} disabled={!busy}>
            Stop
          </button>
          <button type="button" class="ghost" onClick={clear} disabled={!busy && turns.length === 0}>
            Clear
          </button>
          <span role="status" class="muted">
            {status}
          </span>
        </div>
      </form>
    </Card>
  );
}

/** What the gateway said about one answer. */
function TurnMeta(props: { meta: CallMeta; usage?: CallUsage; linkToLog: boolean }) {
  const { meta, usage } = props;
  const inputTokens = meta.usage?.inputTokens ?? usage?.inputTokens;
  const outputTokens = meta.usage?.outputTokens ?? usage?.outputTokens;
  return (
    <div class="playground-meta">
      {meta.error && (
        <p class="error" role="alert">
          {meta.error}
        </p>
      )}
      {meta.aborted && <p class="muted">Stopped before the end.</p>}
      <dl class="facts">
        {meta.model && (
          <>
            <dt>Served by</dt>
            <dd class="mono">{meta.model}</dd>
          </>
        )}
        {meta.attempts && (
          <>
            <dt>Attempts</dt>
            <dd class="mono">{meta.attempts}</dd>
          </>
        )}
        {meta.requestId && (
          <>
            <dt>Request</dt>
            <dd class="mono">{props.linkToLog ? <Link to={`/logs/${encodeURIComponent(meta.requestId)}`}>{meta.requestId}</Link> : meta.requestId}</dd>
          </>
        )}
        {(inputTokens !== undefined || outputTokens !== undefined) && (
          <>
            <dt>Tokens</dt>
            <dd>
              {int(inputTokens)} in, {int(outputTokens)} out
            </dd>
          </>
        )}
        {usage && (
          <>
            <dt>Cost</dt>
            <dd>{usd(usage.costUsd)}</dd>
          </>
        )}
        <dt>Time</dt>
        <dd>
          {ms(usage?.latencyMs ?? meta.elapsedMs)}
          {usage?.ttftMs != null && <span class="muted"> (first token {ms(usage.ttftMs)})</span>}
        </dd>
        {meta.finishReason && meta.finishReason !== 'stop' && (
          <>
            <dt>Finish</dt>
            <dd class="mono">{meta.finishReason}</dd>
          </>
        )}
      </dl>
    </div>
  );
}
