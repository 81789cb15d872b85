package dev.aegis.config;

import java.util.List;
import java.util.Objects;

/**
 * One rule of {@code waf.custom_rules}, validated: what it inspects, how each value is transformed and tested, and
 * what a match does. The WAF compiles it next to the built-in rules.
 *
 * @param message free text for whoever reads the config; empty when not given
 * @param transformations applied in order to each value before the operator tests it
 * @param severity what a match adds to the anomaly score (0..1000) with the actions {@code score} and {@code block}
 * @param paranoia the rule runs when the route's paranoia level is at least this (1..4)
 * @param line where the rule starts in the file
 */
public record CustomRule(int id, String message, List<Target> targets, List<Transformation> transformations,
                         Operator operator, Operand operand, int severity, int paranoia, Action action, int line) {

    public CustomRule {
        if (id < 1) {
            throw new IllegalArgumentException("a rule id is at least 1, got " + id);
        }
        message = message == null ? "" : message;
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a rule needs at least one target");
        }
        transformations = List.copyOf(transformations);
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(operand, "operand");
        Objects.requireNonNull(action, "action");
        if (!operator.accepts(operand)) {
            throw new IllegalArgumentException("operator " + operator + " can not take " + operand);
        }
        if (severity < 0 || severity > 1000) {
            throw new IllegalArgumentException("severity must be between 0 and 1000, got " + severity);
        }
        if (paranoia < 1 || paranoia > 4) {
            throw new IllegalArgumentException("paranoia must be between 1 and 4, got " + paranoia);
        }
    }

    /** A collection of request values ({@code ARGS}), or one member of it ({@code ARGS:user}, member non-null). */
    public record Target(Collection collection, String member) {
        public Target {
            Objects.requireNonNull(collection, "collection");
            if (member != null && (member.isEmpty() || !collection.hasMembers())) {
                throw new IllegalArgumentException(collection + " can not have the member `" + member + "`");
            }
        }

        /** The whole collection. */
        public Target(Collection collection) {
            this(collection, null);
        }

        /** As written in a config: {@code ARGS:user}, {@code REQUEST_PATH}. */
        @Override
        public String toString() {
            return member == null ? collection.name() : collection.name() + ":" + member;
        }
    }

    /** The request values a custom rule can inspect; the members of those that have some are named after a colon. */
    public enum Collection {
        ARGS(true), ARGS_NAMES(true), REQUEST_HEADERS(true), REQUEST_HEADERS_NAMES(true), REQUEST_COOKIES(true),
        REQUEST_COOKIES_NAMES(true), REQUEST_URI(false), REQUEST_PATH(false), REQUEST_METHOD(false),
        REQUEST_BODY(false), FILES(true), JSON(true), REMOTE_ADDR(false);

        private final boolean members;

        Collection(boolean members) {
            this.members = members;
        }

        /** Whether a target may name one member ({@code ARGS:user}); the single-valued ones may not. */
        public boolean hasMembers() {
            return members;
        }
    }

    /** Transformations a rule may apply to a value before testing it, in the order it lists them. */
    public enum Transformation {
        URL_DECODE, URL_DECODE_UNI, HTML_ENTITY_DECODE, LOWERCASE, REMOVE_NULLS, COMPRESS_WHITESPACE,
        REMOVE_WHITESPACE, NORMALIZE_PATH, REMOVE_COMMENTS, CMD_LINE, BASE64_DECODE, TRIM, LENGTH
    }

    /** How a rule tests a (transformed) value; each operator takes one kind of {@link Operand}. */
    public enum Operator {
        CONTAINS, STARTS_WITH, ENDS_WITH, EQUALS, REGEX, PHRASE_LIST, IP_IN, GT, GE, LT, LE, EQ;

        /** Whether {@code operand} is the kind of value this operator compares with. */
        public boolean accepts(Operand operand) {
            return switch (this) {
                case CONTAINS, STARTS_WITH, ENDS_WITH, EQUALS, REGEX -> operand instanceof Text;
                case PHRASE_LIST -> operand instanceof Phrases;
                case IP_IN -> operand instanceof Networks;
                case GT, GE, LT, LE, EQ -> operand instanceof Numeric;
            };
        }
    }

    /** What a match does to the request's verdict. */
    public enum Action {
        /** Adds the severity to the anomaly score. */
        SCORE,
        /** Adds the severity and blocks in block mode whatever the score. */
        BLOCK,
        /** Lets the request pass whatever else matched; adds nothing. */
        ALLOW,
        /** Only recorded among the matches; adds nothing. */
        LOG
    }

    /** The {@code value} a rule's operator compares with. */
    public sealed interface Operand permits Text, Phrases, Networks, Numeric {
    }

    /** A string, for {@code contains}, {@code starts_with}, {@code ends_with}, {@code equals} and {@code regex}. */
    public record Text(String text) implements Operand {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Phrases for {@code phrase_list}: Latin-1 text, compared ignoring ASCII case. */
    public record Phrases(List<String> phrases) implements Operand {
        public Phrases {
            phrases = List.copyOf(phrases);
            if (phrases.isEmpty()) {
                throw new IllegalArgumentException("phrase_list needs at least one phrase");
            }
        }
    }

    /** Addresses and networks for {@code ip_in}. */
    public record Networks(List<Cidr> networks) implements Operand {
        public Networks {
            networks = List.copyOf(networks);
            if (networks.isEmpty()) {
                throw new IllegalArgumentException("ip_in needs at least one network");
            }
        }
    }

    /** A number for {@code gt}, {@code ge}, {@code lt}, {@code le} and {@code eq}. */
    public record Numeric(double value) implements Operand {
        public Numeric {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("not a finite number: " + value);
            }
        }
    }
}
