// A minimal typed event emitter for framework-free modules (engine, sessions): listeners are keyed by event
// name and receive that event's payload type, so a misspelt event or payload is a compile error.

/** Map from event name to payload type, e.g. `{ ready: AdapterReport; lost: string }`. */
export type EventMap = Record<string, unknown>;

export class Emitter<E extends EventMap> {
  private readonly listeners: { [K in keyof E]?: Set<(payload: E[K]) => void> } = {};

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof E>(event: K, fn: (payload: E[K]) => void): () => void {
    const set = (this.listeners[event] ??= new Set());
    set.add(fn);
    return () => set.delete(fn);
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    for (const fn of this.listeners[event] ?? []) fn(payload);
  }
}
