package dev.aegis.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Loads and validates the node's YAML config file (DESIGN.md, "Configuration"): the entry point for
 * {@code aegis run}, {@code aegis check-config} and reloads.
 *
 * <p>Nothing here throws for a bad file: every problem (syntax, unknown key, wrong type or range, unset
 * environment variable, dangling reference) comes back in one {@link ConfigResult.Invalid} with its line, so a
 * user fixes them all in one go. The YAML is composed into a node tree rather than loaded into Java objects: the
 * tree keeps each value's position, and no class is ever instantiated from the file.
 */
public final class ConfigLoader {

    /** The largest file accepted, in code points; a config is a few KiB, so this only stops abuse. */
    static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

    /**
     * Aliases to collections allowed per file. Anchors are handy for sharing an upstream's settings, but each
     * alias multiplies what the walker visits ("billion laughs"); a real config needs a handful.
     */
    static final int MAX_COLLECTION_ALIASES = 50;

    private static final String DEFAULT_RESOURCE = "dev/aegis/config/default.yaml";

    private ConfigLoader() {
    }

    /** Loads {@code file}, interpolating {@code ${ENV}} from the process environment. */
    public static ConfigResult load(Path file) {
        return load(file, System::getenv);
    }

    /** Loads {@code file} with {@code env} resolving {@code ${NAME}} (null = unset); tests inject their own. */
    static ConfigResult load(Path file, Function<String, String> env) {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        String text;
        try {
            if (Files.isDirectory(file)) {
                return fileError(source, "is a directory, not a config file");
            }
            // Checked before reading: a code point is at most 4 bytes, so anything larger can not pass anyway.
            if (Files.size(file) > 4L * MAX_CODE_POINTS) {
                return fileError(source, "is too large for a config file (more than " + MAX_CODE_POINTS
                        + " characters)");
            }
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            return fileError(source, "file not found");
        } catch (AccessDeniedException e) {
            return fileError(source, "permission denied; can not read the file");
        } catch (CharacterCodingException e) {
            return fileError(source, "is not valid UTF-8 text");
        } catch (IOException e) {
            return fileError(source, "can not read the file: " + e.getMessage());
        }
        return parse(text, source, env);
    }

    /**
     * Parses and validates {@code yamlText}; {@code sourceName} names it in errors and {@code env} resolves
     * {@code ${NAME}} references (null meaning unset).
     */
    public static ConfigResult parse(String yamlText, String sourceName, Function<String, String> env) {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(env, "env");
        if (yamlText.startsWith("\uFEFF")) {
            yamlText = yamlText.substring(1);
        }
        // SnakeYAML enforces the limit too, but only after scanning up to it, which takes seconds.
        if (yamlText.length() > MAX_CODE_POINTS
                && yamlText.codePointCount(0, yamlText.length()) > MAX_CODE_POINTS) {
            return fileError(sourceName, "is too large for a config file (more than " + MAX_CODE_POINTS
                    + " characters)");
        }
        LoaderOptions options = loaderOptions();
        Node root;
        try {
            root = new Composer(new ParserImpl(new StreamReader(yamlText), options), new Resolver(), options)
                    .getSingleNode();
        } catch (MarkedYAMLException e) {
            return new ConfigResult.Invalid(List.of(syntaxError(sourceName, e)));
        } catch (YAMLException e) {
            return new ConfigResult.Invalid(List.of(new ConfigError(sourceName, 0, 0, "", e.getMessage())));
        }
        ConfigReader reader = new ConfigReader(sourceName, env);
        reader.checkTags(root);
        AegisConfig config;
        try {
            config = new ConfigBinder(reader).bind(root);
        } catch (RuntimeException e) {
            // A bug here must not turn a bad config into a crash: report it like any other problem.
            reader.error(null, "", "internal error while validating (please report it): " + e);
            config = null;
        }
        List<ConfigError> errors = new ArrayList<>(reader.errors());
        if (errors.isEmpty()) {
            return new ConfigResult.Valid(config);
        }
        errors.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
        return new ConfigResult.Invalid(errors);
    }

    /**
     * The config {@code aegis run} uses without a file: the node on :8080 in front of the mock origin on :9000.
     *
     * @throws IllegalStateException if the embedded file is missing or invalid (a build defect, never user input)
     */
    public static AegisConfig embeddedDefault() {
        String text;
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("embedded config " + DEFAULT_RESOURCE + " is missing from the jar");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("can not read embedded config " + DEFAULT_RESOURCE, e);
        }
        return switch (parse(text, DEFAULT_RESOURCE, System::getenv)) {
            case ConfigResult.Valid valid -> valid.config();
            case ConfigResult.Invalid invalid -> throw new IllegalStateException(
                    "embedded config is invalid:\n" + String.join("\n",
                            invalid.errors().stream().map(ConfigError::toString).toList()));
        };
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setNestingDepthLimit(50);
        options.setAllowRecursiveKeys(false);
        // `<<: *defaults` merge keys are resolved while composing, so the binder sees plain mappings.
        options.setMergeOnCompose(true);
        // Global tags such as !!python/object are refused by the composer; local ones by ConfigReader.checkTags.
        options.setTagInspector(tag -> false);
        return options;
    }

    private static ConfigError syntaxError(String source, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem();
        String context = e.getContext();
        String message;
        if (problem == null || context == null) {
            message = problem != null ? problem : context;
        } else if (problem.startsWith("but ")) {
            // SnakeYAML splits some messages in two: "expected a single document" + "but found another document".
            message = context + " " + problem;
        } else {
            message = problem + " (" + context + ")";
        }
        int line = mark == null ? 0 : mark.getLine() + 1;
        int column = mark == null ? 0 : mark.getColumn() + 1;
        return new ConfigError(source, line, column, "", "YAML syntax error: " + message);
    }

    private static ConfigResult fileError(String source, String message) {
        return new ConfigResult.Invalid(List.of(new ConfigError(source, 0, 0, "", message)));
    }
}
