/**
 * The built-in mock origin: a small, fast keep-alive HTTP/1.1 server on Netty that stands behind the proxy in
 * the quick start ({@code aegis run} starts it on :9000), in the load tests and in the integration tests. It
 * serves fixed bodies without copying, streams arbitrarily large downloads and echoes uploads with
 * backpressure both ways (auto-read off, reads follow writes), answers any status, delay, cacheable resource
 * or dropped/reset connection on demand, and echoes each request's head as JSON so tests can see exactly what
 * the proxy forwarded. {@link dev.aegis.origin.MockOrigin} is the whole public surface; it counts connections
 * and requests and records request targets and the last complete request for assertions.
 */
package dev.aegis.origin;
