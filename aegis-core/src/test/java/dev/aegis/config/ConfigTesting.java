package dev.aegis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Shortcuts for the config tests: parse a text block and get the config or the errors. */
final class ConfigTesting {

    static final Function<String, String> NO_ENV = name -> null;

    private ConfigTesting() {
    }

    static AegisConfig valid(String yaml) {
        return valid(yaml, NO_ENV);
    }

    static AegisConfig valid(String yaml, Map<String, String> env) {
        return valid(yaml, env::get);
    }

    static AegisConfig valid(String yaml, Function<String, String> env) {
        ConfigResult result = ConfigLoader.parse(yaml, "aegis.yaml", env);
        if (result instanceof ConfigResult.Invalid invalid) {
            throw new AssertionError("expected a valid config, got:\n"
                    + String.join("\n", invalid.errors().stream().map(ConfigError::toString).toList()));
        }
        return ((ConfigResult.Valid) result).config();
    }

    static List<ConfigError> errors(String yaml) {
        return errors(yaml, NO_ENV);
    }

    static List<ConfigError> errors(String yaml, Function<String, String> env) {
        ConfigResult result = ConfigLoader.parse(yaml, "aegis.yaml", env);
        assertThat(result).as("expected errors").isInstanceOf(ConfigResult.Invalid.class);
        return ((ConfigResult.Invalid) result).errors();
    }

    /** The only error of {@code yaml}, checked for its line and path. */
    static ConfigError singleError(String yaml, int line, String path) {
        List<ConfigError> errors = errors(yaml);
        assertThat(errors).as(errors.toString()).hasSize(1);
        ConfigError error = errors.get(0);
        assertThat(error.line()).as(error.toString()).isEqualTo(line);
        assertThat(error.yamlPath()).as(error.toString()).isEqualTo(path);
        assertThat(error.file()).isEqualTo("aegis.yaml");
        return error;
    }

    /** A minimal valid head (one upstream {@code app}) that route tests append their routes to. */
    static final String APP = """
            upstreams:
              app:
                servers: [127.0.0.1:9000]
            """;
}
