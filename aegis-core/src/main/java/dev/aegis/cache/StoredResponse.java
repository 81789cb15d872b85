package dev.aegis.cache;

import java.util.List;
import java.util.Map;

/**
 * One cached object: the response (status, end-to-end headers without framing or hop-by-hop fields, the whole
 * body) and the times RFC 9111 §4.2.3 computes its age from. Immutable, shared by every event loop that answers
 * from it.
 *
 * <p>A response whose {@code Vary} names request headers is stored as a variant under its own key; its URL's
 * primary key then holds a marker ({@link #isVariantMarker()}) that lists the header names, so the next request
 * knows which of its headers pick the variant.
 *
 * @param url the normalised URL ({@link CacheKey#text}), checked on every hit and used by purges
 * @param requestTimeMillis when the request that fetched it was sent to the origin
 * @param responseTimeMillis when its response arrived
 * @param dateMillis the response's {@code Date}, or its arrival when it had none
 * @param ageSeconds the response's {@code Age}, 0 without one
 * @param freshnessMillis its freshness lifetime (§4.2.1)
 * @param staleWhileRevalidateMillis how long past freshness it may answer while a refresh runs (-1: never)
 * @param staleIfErrorMillis how long past freshness it may answer when the origin fails (-1: never)
 * @param mustRevalidate never answered stale without the origin's word (must-revalidate, proxy-revalidate, s-maxage)
 * @param noCache revalidated before every use (response {@code no-cache})
 */
public record StoredResponse(String url, int status, List<Map.Entry<String, String>> headers, byte[] body,
                             long requestTimeMillis, long responseTimeMillis, long dateMillis, long ageSeconds,
                             long freshnessMillis, long staleWhileRevalidateMillis, long staleIfErrorMillis,
                             boolean mustRevalidate, boolean noCache, List<String> vary, String etag,
                             String lastModified) {

    public StoredResponse {
        headers = List.copyOf(headers);
        vary = List.copyOf(vary);
    }

    /** The marker stored under a URL's primary key when its responses vary by {@code vary}. */
    public static StoredResponse variantMarker(String url, List<String> vary, long freshnessMillis, long now) {
        return new StoredResponse(url, 0, List.of(), new byte[0], now, now, now, 0, freshnessMillis, -1, -1, false,
                false, vary, null, null);
    }

    public boolean isVariantMarker() {
        return status == 0;
    }

    /** Its age at {@code nowMillis}, in milliseconds (RFC 9111 §4.2.3). */
    public long ageMillis(long nowMillis) {
        long apparent = Math.max(0, responseTimeMillis - dateMillis);
        long responseDelay = responseTimeMillis - requestTimeMillis;
        long correctedAgeValue = ageSeconds * 1000 + responseDelay;
        long correctedInitial = Math.max(apparent, correctedAgeValue);
        return correctedInitial + Math.max(0, nowMillis - responseTimeMillis);
    }

    /** Whether it is fresh at {@code nowMillis}. */
    public boolean freshAt(long nowMillis) {
        return ageMillis(nowMillis) < freshnessMillis;
    }

    /** How far past its freshness it is at {@code nowMillis} (0 while fresh). */
    public long staleMillis(long nowMillis) {
        return Math.max(0, ageMillis(nowMillis) - freshnessMillis);
    }

    /** Whether it has a validator to revalidate with. */
    public boolean hasValidator() {
        return etag != null || lastModified != null;
    }

    /** Bytes it takes in memory, roughly: what the memory tier weighs it by. */
    public int weight() {
        int w = 256 + url.length() * 2 + body.length;
        for (Map.Entry<String, String> h : headers) {
            w += 48 + 2 * (h.getKey().length() + h.getValue().length());
        }
        return w;
    }
}
