package dev.aegis.pipeline;

/** What a phase decided: carry on, answer the request itself, or fail it. */
public sealed interface Outcome {

    /** Go on to the next phase. */
    static Outcome proceed() {
        return Proceed.INSTANCE;
    }

    /** Answer with {@code response}; later phases and the upstream are skipped. */
    static Outcome respond(LocalResponse response) {
        return new Respond(response);
    }

    /** Fail with {@code error}; it is turned into a status and body in one place ({@link ProxyError#toResponse}). */
    static Outcome fail(ProxyError error) {
        return new Fail(error);
    }

    /** Continue. */
    enum Proceed implements Outcome { INSTANCE }

    /** Answer locally. */
    record Respond(LocalResponse response) implements Outcome {
    }

    /** Fail. */
    record Fail(ProxyError error) implements Outcome {
    }
}
