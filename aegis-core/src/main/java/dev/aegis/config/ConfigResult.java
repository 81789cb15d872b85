package dev.aegis.config;

import java.util.List;
import java.util.Objects;

/** The outcome of loading a config file: a validated {@link AegisConfig}, or every error found in it. */
public sealed interface ConfigResult {

    /** The file is valid; {@code config} has every default filled in. */
    record Valid(AegisConfig config) implements ConfigResult {
        public Valid {
            Objects.requireNonNull(config, "config");
        }
    }

    /** The file is not valid; {@code errors} holds all problems found (never empty), in file order. */
    record Invalid(List<ConfigError> errors) implements ConfigResult {
        public Invalid {
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("an Invalid result needs at least one error");
            }
        }
    }
}
