package dev.aegis.admin;

import java.util.List;
import java.util.Objects;

/**
 * What a reload did ({@link AdminEndpoints#reload()}): whether the new config was applied, or why it was not.
 *
 * @param errors one {@code file:line:col: path: message} line per problem; empty when applied
 */
public record ReloadResult(boolean applied, List<String> errors) {

    public ReloadResult {
        errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
    }
}
