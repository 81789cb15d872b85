package dev.aegis.cli;

import dev.aegis.config.ConfigError;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ConfigResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code aegis check-config FILE}: prints every error of a config file and exits 1, or exits 0 when valid. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate a config file: print all errors (file:line:column: path: message) and exit 1, "
                + "or print 'ok' and exit 0.")
final class CheckConfigCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "The YAML config file.")
    Path file;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        ConfigResult result = ConfigLoader.load(file);
        if (result instanceof ConfigResult.Invalid invalid) {
            for (ConfigError e : invalid.errors()) {
                out.println(e);
            }
            out.println(invalid.errors().size() + (invalid.errors().size() == 1 ? " error" : " errors")
                    + " in " + file);
            out.flush();
            return 1;
        }
        out.println(file + ": ok");
        out.flush();
        return 0;
    }
}
