package ft.client.cli;

import ft.client.FtException;
import ft.server.ServeCommand;
import ft.server.UserCommand;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/** Entry point of the {@code ft} jar. */
public final class Main {
    private Main() {}

    /** The subcommands of {@code ft} by name, in the order help lists them. */
    private static final Map<String, Class<?>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("serve", ServeCommand.class);
        SUBCOMMANDS.put("get", GetCommand.class);
        SUBCOMMANDS.put("put", PutCommand.class);
        SUBCOMMANDS.put("ls", LsCommand.class);
        SUBCOMMANDS.put("stat", StatCommand.class);
        SUBCOMMANDS.put("rm", RmCommand.class);
        SUBCOMMANDS.put("mkdir", MkdirCommand.class);
        SUBCOMMANDS.put("mv", MvCommand.class);
        SUBCOMMANDS.put("ping", PingCommand.class);
        SUBCOMMANDS.put("user", UserCommand.class);
        SUBCOMMANDS.put("completion", CompletionCommand.class);
        // Hidden (never in help): what the completion script runs to list remote paths.
        SUBCOMMANDS.put("complete-remote", CompleteRemoteCommand.class);
    }

    /** Global options that may come before the subcommand's name, and those of them that take a value. */
    private static final Set<String> GLOBAL_FLAGS = Set.of("-q", "--quiet", "--tls", "--trust");
    private static final Set<String> GLOBAL_WITH_VALUE = Set.of("-s", "--server", "--timeout");

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err, System.getenv()));
    }

    /** Runs one command line and returns its exit code; never calls {@code System.exit}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        FtCommand top = new FtCommand(env);
        String only = subcommandOf(args);
        CommandLine cmd = commandLine(top, only);
        if (only != null) {
            // An error of the ft command itself prints its usage, which lists every subcommand.
            CommandLine.IParameterExceptionHandler standard = cmd.getParameterExceptionHandler();
            cmd.setParameterExceptionHandler((e, rest) -> {
                if (e.getCommandLine() == cmd) {
                    completeTree(cmd);
                }
                return standard.handleParseException(e, rest);
            });
        }
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

    /** The whole {@code ft} command tree around {@code top}. */
    static CommandLine commandLine(FtCommand top) {
        return commandLine(top, null);
    }

    /**
     * The {@code ft} command with only subcommand {@code only}, or with all when it is null.
     * Picocli builds each subcommand's model by reflection when it is added; a command line
     * that names its subcommand plainly needs only that one.
     */
    private static CommandLine commandLine(FtCommand top, String only) {
        CommandLine cmd = new CommandLine(top);
        for (Map.Entry<String, Class<?>> e : SUBCOMMANDS.entrySet()) {
            if (only == null || only.equals(e.getKey())) {
                cmd.addSubcommand(e.getKey(), e.getValue());
            }
        }
        return cmd;
    }

    /**
     * Gives {@code cmd} every subcommand, in the usual order, for the usage an error of the ft
     * command itself prints; the one it had is replaced (its options were inherited already).
     */
    private static void completeTree(CommandLine cmd) {
        for (String name : List.copyOf(cmd.getSubcommands().keySet())) {
            cmd.getCommandSpec().removeSubcommand(name);
        }
        for (Map.Entry<String, Class<?>> e : SUBCOMMANDS.entrySet()) {
            cmd.addSubcommand(e.getKey(), e.getValue());
        }
        if (cmd.getDefaultValueProvider() != null) {
            cmd.setDefaultValueProvider(cmd.getDefaultValueProvider());
        }
    }

    /**
     * The subcommand {@code args} run, when that is certain from a plain reading: only known
     * global options before a known subcommand's name. Null (build them all) for anything else,
     * such as help, a typo or completion (whose script lists every subcommand), so that what
     * picocli prints in those cases is exactly what it prints with the whole tree.
     */
    static String subcommandOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (GLOBAL_FLAGS.contains(a)) {
                continue;
            }
            if (GLOBAL_WITH_VALUE.contains(a)) {
                i++;
                continue;
            }
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0 && GLOBAL_WITH_VALUE.contains(a.substring(0, eq))) {
                continue;
            }
            return SUBCOMMANDS.containsKey(a) && !a.equals("completion") ? a : null;
        }
        return null;
    }
}
