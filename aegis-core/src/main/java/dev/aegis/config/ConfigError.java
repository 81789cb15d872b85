package dev.aegis.config;

import java.util.Objects;

/**
 * One problem found while loading a config file, pointing at the offending YAML node.
 *
 * <p>{@code line} and {@code column} are 1-based; both are 0 when the problem is not tied to a place in the file
 * (the file is missing or unreadable). {@link #toString()} is the form {@code aegis check-config} prints, the
 * compiler-style {@code file:line:column: yamlPath: message} that editors know how to jump to.
 *
 * @param yamlPath where in the document, for example {@code routes[1].match.path}; empty for the whole file
 */
public record ConfigError(String file, int line, int column, String yamlPath, String message) {

    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(yamlPath, "yamlPath");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        String where = file + ":" + line + ":" + column + ": ";
        return yamlPath.isEmpty() ? where + message : where + yamlPath + ": " + message;
    }
}
