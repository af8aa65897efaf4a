type EventMap<E> = {
    [K in keyof E]: (...args: any[]) => void;
};
/**
 * Minimal typed event emitter (the SDK runs in browsers, so no node:events).
 * A listener that throws does not stop the others; its error is rethrown
 * asynchronously, as `EventTarget` does.
 */
export declare class Emitter<E extends EventMap<E>> {
    #private;
    /** Adds a listener; returns the function that removes it. */
    on<K extends keyof E>(event: K, listener: E[K]): () => void;
    emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void;
    /** Listeners of `event`, or of all events when omitted. */
    count(event?: keyof E): number;
}
export {};
//# sourceMappingURL=emitter.d.ts.map