package dev.aegis.pipeline;

/**
 * One step of the request path (client IP, route, rate limit, WAF, ...). Phases are built once per config
 * snapshot and shared by all event loops, so they are stateless or thread-safe, and they never block.
 */
public interface Phase {

    /** A short name for logs and metrics. */
    String name();

    /** Decides about {@code head}, writes the decision into {@code record}, and says what happens next. */
    Outcome apply(RequestHead head, RequestRecord record);
}
