package dev.aegis.waf;

/**
 * Cross-site-scripting detector built on an HTML / attribute / URI tokenizer. Placeholder until the detector
 * lands.
 */
public final class CrossSiteScripting {
    private CrossSiteScripting() {
    }

    /** A finding when {@code input} (already URL/entity-decoded) would run script in a browser; null when clean. */
    public static Finding detect(CharSequence input) {
        return null;
    }
}
