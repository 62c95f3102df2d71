package ft.client.cli;

import ft.client.FtException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/** Entry point of the {@code ft} jar. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err, System.getenv()));
    }

    /** Runs one command line and returns its exit code; never calls {@code System.exit}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        FtCommand top = new FtCommand(env);
        CommandLine cmd = new CommandLine(top);
        cmd.setOut(out);
        cmd.setErr(err);
        try {
            ConfigDefaults config = new ConfigDefaults(env);
            // After the subcommands exist: the provider is handed down to those present now.
            cmd.setDefaultValueProvider(config);
            top.token(config.token());
            for (String warning : config.warnings()) {
                err.println("ft: " + warning);
            }
        } catch (ConfigDefaults.BadConfigException e) {
            err.println("ft: " + e.getMessage() + " (" + e.code() + ")");
            err.flush();
            return e.exitCode();
        }
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof FtException ft) {
                commandLine.getErr().println("ft: " + Terminal.safe(ft.getMessage()) + " (" + ft.code() + ")");
                return ft.exitCode();
            }
            commandLine.getErr().println("ft: unexpected error: " + Terminal.safe(e.toString()));
            return 1;
        });
        try {
            return cmd.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }
}
