package dev.aegis.waf;

/** A rule over the request as a whole (protocol enforcement, method, headers presence). */
record RequestRule(int id, String family, int severity, int paranoia, int kinds, Check check) {
    /** Report each finding with its target name and fragment. */
    interface Sink {
        void match(String target, String fragment);
    }

    @FunctionalInterface
    interface Check {
        void test(Targets t, Sink sink);
    }
}
