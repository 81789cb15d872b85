package dev.aegis.waf;

/**
 * SQL-injection detector: classifies an input by the shape of its SQL tokens (the approach of libinjection), so
 * it generalises beyond keyword lists. Placeholder until the detector lands.
 */
public final class SqlInjection {
    private SqlInjection() {
    }

    /** A finding when {@code input} (already URL/entity-decoded) reads as injected SQL; null when clean. */
    public static Finding detect(CharSequence input) {
        return null;
    }
}
