package dev.aegis.config;

import java.util.Collection;
import java.util.Locale;

/** Finds the name a user most likely meant, for "did you mean" hints on unknown keys, values and references. */
final class Suggestions {

    private static final int MAX_DISTANCE = 2;

    private Suggestions() {
    }

    /**
     * The candidate closest to {@code input}: edit distance at most 2 (but less than the input's length, so
     * {@code x} does not suggest {@code id}), else one being a prefix of the other; null when nothing is close.
     */
    static String closest(String input, Collection<String> candidates) {
        String typed = input.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            int d = distance(typed, c);
            if (d <= MAX_DISTANCE && d < typed.length() && d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best != null) {
            return best;
        }
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            if (Math.min(typed.length(), c.length()) >= 3 && (c.startsWith(typed) || typed.startsWith(c))) {
                return candidate;
            }
        }
        return null;
    }

    /** Levenshtein distance, or {@link Integer#MAX_VALUE} when the lengths alone rule out a close match. */
    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > MAX_DISTANCE) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** {@code a, b, c} in backquotes, for the "valid keys" part of a message. */
    static String list(Collection<String> names) {
        StringBuilder b = new StringBuilder();
        for (String name : names) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append('`').append(name).append('`');
        }
        return b.toString();
    }
}
