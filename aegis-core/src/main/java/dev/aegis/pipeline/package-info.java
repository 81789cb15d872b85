/**
 * The phase contract every request goes through, and the record each phase writes its decision into.
 *
 * <p>The order of phases, written once (DESIGN.md, "The request, phase by phase"):
 * <pre>
 * client ──► accept ──► parse+limits ──► client IP ──► blocklist ──► route
 *        ──► rate limit ──► WAF (line+headers) ──► cache lookup ──┬─► HIT: respond
 *                                                                └─► MISS:
 *        ──► WAF (body, bounded) ──► pick upstream ──► pooled connection
 *        ──► forward (streaming) ──► response filter ──► cache store (tee)
 *        ──► client ──► log + metrics
 * </pre>
 * Parsing and limits are enforced by the server's decoder before any phase runs. Each later step is a
 * {@link dev.aegis.pipeline.Phase} that returns an {@link dev.aegis.pipeline.Outcome}: proceed to the next phase,
 * respond itself (404, 403, 429, a cache hit) or fail with a {@link dev.aegis.pipeline.ProxyError}. The node
 * runs the phases of the config snapshot the connection started with, then forwards. Whatever happens, the
 * {@link dev.aegis.pipeline.RequestRecord} ends up in the access log.
 */
package dev.aegis.pipeline;
