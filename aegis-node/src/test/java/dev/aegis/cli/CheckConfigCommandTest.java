package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code aegis check-config}: all errors at once with their lines, exit 1; or ok, exit 0. */
class CheckConfigCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out) {
    }

    private Run run(String... args) {
        StringWriter sw = new StringWriter();
        CommandLine cmd = AegisCommand.commandLine();
        cmd.setOut(new PrintWriter(sw, true));
        int exit = cmd.execute(args);
        return new Run(exit, sw.toString());
    }

    @Test
    void threeMistakesGiveThreeErrorsWithLinesAndExit1() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                node:
                  listen: 0.0.0.0:8080
                  wrokers: 2
                upstreams:
                  app:
                    servers: [ { address: "127.0.0.1:9000" } ]
                routes:
                  - name: api
                    match: { path: { prefix: /api/ } }
                    upstream: ap
                  - name: bad-regex
                    match: { path: { regex: "(unclosed" } }
                    upstream: app
                """);
        Run r = run("check-config", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).hasSize(4); // three errors and the count
        assertThat(lines[0]).contains("bad.yaml:3:").contains("wrokers").contains("workers");
        assertThat(lines[1]).contains("bad.yaml:10:").contains("ap").contains("app");
        assertThat(lines[2]).contains("bad.yaml:12:").contains("regex");
        assertThat(lines[3]).isEqualTo("3 errors in " + file);
    }

    @Test
    void aValidFileIsOkAndExit0() throws Exception {
        Path file = dir.resolve("good.yaml");
        Files.writeString(file, """
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:9000" } ] }
                routes:
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                """);
        Run r = run("check-config", file.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("ok");
    }

    @Test
    void aMissingFileIsAClearError() {
        Run r = run("check-config", dir.resolve("nope.yaml").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("nope.yaml");
    }

    @Test
    void versionAndHelpWork() {
        assertThat(run("version").exit()).isZero();
        assertThat(run("--help").exit()).isZero();
        assertThat(run("run", "--help").exit()).isZero();
        assertThat(run("mock-origin", "--help").exit()).isZero();
    }
}
