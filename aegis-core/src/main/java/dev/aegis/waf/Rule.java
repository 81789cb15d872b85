package dev.aegis.waf;

/**
 * One detection rule: id, family, severity, paranoia level, the kinds of values it inspects, the byte classes of
 * which at least one must be present in the raw value (the prefilter), and the detector.
 */
record Rule(int id, String family, int severity, int paranoia, int kinds, int trigger, Detector detector) {
    static final int CRITICAL = 5;
    static final int ERROR = 4;
    static final int WARNING = 3;
    static final int NOTICE = 2;

    /** Returns the matched fragment, or null. */
    @FunctionalInterface
    interface Detector {
        String test(Value v);

        /**
         * Literals of which at least one is in {@link #view()} whenever the detector can match, or null when
         * there is no such set (then only the byte-class trigger filters).
         */
        default String[] literals() {
            return null;
        }

        /**
         * Sets of byte classes in whose presence (all of one set) {@link #literals()} do not filter (null: they
         * always do): for a detector whose structural matches need such characters, and whose other matches need
         * one of the literals.
         */
        default int[] literalBypass() {
            return null;
        }

        /** Byte classes that must all be present for a match (0: none). */
        default int requiredClasses() {
            return 0;
        }

        /**
         * Alternative sets of byte classes, one of which must be wholly present for a match (null: none); derived
         * from a regex by {@link RequiredLiterals#classMasks}.
         */
        default int[] classMasks() {
            return null;
        }

        /** The view the literals are found in. */
        default Rules.View view() {
            return Rules.View.LOW;
        }

        /**
         * A cheap test the prefilter runs before looking for {@link #literals()}: true when the detector cannot match
         * {@code v} whatever literals it holds, so the literals' view need not be built nor scanned.
         */
        default boolean precludes(Value v) {
            return false;
        }
    }

    /** Whether this rule could match {@code v}: right kind and (prefilter) a triggering byte class present in the
     * raw or the decoded value. */
    boolean applies(Value v) {
        return (v.kind & kinds) != 0 && (v.classes & trigger) != 0;
    }
}
