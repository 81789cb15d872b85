package dev.aegis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code aegis} command line: the entry point of the node's jar. */
@Command(name = "aegis", mixinStandardHelpOptions = true, versionProvider = AegisCommand.Version.class,
        description = "AEGIS Node: an edge security reverse proxy.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, MockOriginCommand.class,
                AegisCommand.VersionCommand.class, CommandLine.HelpCommand.class})
public final class AegisCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        return new CommandLine(new AegisCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static String version() {
        try (InputStream in = AegisCommand.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Supplies {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"aegis " + version() + " (Java " + Runtime.version() + ")"};
        }
    }

    /** {@code aegis version}. */
    @Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
    static final class VersionCommand implements Runnable {
        @Override
        public void run() {
            System.out.println(new Version().getVersion()[0]);
        }
    }
}
