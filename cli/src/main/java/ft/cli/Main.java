package ft.cli;

import ft.client.FtException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

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
        SUBCOMMANDS.put("login", LoginCommand.class);
        SUBCOMMANDS.put("user", UserCommand.class);
        SUBCOMMANDS.put("completion", CompletionCommand.class);
        // Hidden (never in help): what the completion script runs to list remote paths.
        SUBCOMMANDS.put("complete-remote", CompleteRemoteCommand.class);
    }

    /** Options that may come before the subcommand's name, and those of them that take a value. */
    private static final Set<String> GLOBAL_FLAGS = Set.of("-q", "--quiet", "--tls", "--trust", "--trust-ca");

    private static final Set<String> GLOBAL_WITH_VALUE = Set.of("-s", "--server", "--timeout");

    /** What {@link #subcommandOf} says when the command line needs none of them built. */
    static final String NO_SUBCOMMAND = "";

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        // No failure of any thread may end in exit 0: one that escapes everything is reported on
        // one line and the process ends with OTHER (the main thread's are handled in run()).
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            err.println("ft: internal error in " + thread.getName() + ": " + Terminal.safe(e.toString()));
            err.flush();
            Runtime.getRuntime().halt(ExitStatus.OTHER.code());
        });
        int exit = run(
                args,
                out,
                err,
                System.getenv(),
                new FileInputStream(FileDescriptor.in),
                new FileOutputStream(FileDescriptor.out));
        out.flush();
        System.exit(exit);
    }

    /** Runs one command line and returns its exit code; never calls {@code System.exit}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        return run(args, out, err, env, InputStream.nullInputStream(), OutputStream.nullOutputStream());
    }

    /**
     * As above, with the byte streams {@code get -o -} writes to and {@code put -} reads from
     * ({@code out} is for text and is flushed before {@code stdout} is written).
     */
    public static int run(
            String[] args,
            PrintWriter out,
            PrintWriter err,
            Map<String, String> env,
            InputStream stdin,
            OutputStream stdout) {
        FtCommand top = new FtCommand(env, stdin, stdout);
        ConfigDefaults config;
        try {
            config = new ConfigDefaults(env);
            top.token(config);
            for (String warning : config.warnings()) {
                err.println("ft: " + warning);
            }
        } catch (ConfigDefaults.BadConfigException e) {
            err.println("ft: " + e.getMessage() + " (" + e.code() + ")");
            err.flush();
            return ExitStatus.MAPPER.getExitCode(e);
        }
        if (versionOnly(args)) {
            // What picocli prints for it, without building the command's model: that takes
            // reflection over every annotated field (a third of a small command's start-up).
            for (String line : new FtCommand.Version().getVersion()) {
                out.println(line);
            }
            out.flush();
            return 0;
        }
        CommandLine cmd = commandLine(top, subcommandOf(args));
        cmd.setOut(out);
        cmd.setErr(err);
        // Every way a command ends in failure exits through the one table, on either side.
        cmd.setExitCodeExceptionMapper(ExitStatus.MAPPER);
        cmd.setParameterExceptionHandler((e, rest) -> {
            usageError(e, err);
            return e.getCommandLine().getExitCodeExceptionMapper().getExitCode(e);
        });
        // After the subcommands exist: the provider is handed down to those present now.
        cmd.setDefaultValueProvider(config);
        cmd.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            List<CommandLine> chain = parsed.asCommandLineList();
            if (chain.size() == 1) {
                throw new ParameterException(cmd, "missing command (" + String.join(", ", commandNames()) + ")");
            }
            top.adopt(chain.getLast().getParseResult());
            return new CommandLine.RunLast().execute(parsed);
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof FtException ft) {
                commandLine.getErr().println("ft: " + Terminal.safe(ft.getMessage()) + " (" + ft.code() + ")");
            } else {
                commandLine.getErr().println("ft: internal error: " + Terminal.safe(e.toString()));
            }
            return commandLine.getExitCodeExceptionMapper().getExitCode(e);
        });
        try {
            return cmd.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * One line saying what is wrong, one pointing at the help of the command concerned; never
     * the whole help, which would bury the line that matters.
     */
    private static void usageError(ParameterException e, PrintWriter err) {
        CommandLine where = e.getCommandLine();
        CommandSpec spec = where.getCommandSpec();
        String name = spec.qualifiedName(" ");
        String what = spec.parent() == null ? "" : name.substring(name.indexOf(' ') + 1) + ": ";
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.getFirst();
            List<String> suggestions = u.getSuggestions();
            if (spec.parent() == null && !first.startsWith("-")) {
                message = "'" + first + "' is not an ft command";
                suggestions = closest(first, commandNames());
            } else if (first.startsWith("-")) {
                message = "unknown option '" + first + "'";
            } else {
                message = "unexpected argument '" + first + "'";
            }
            if (!suggestions.isEmpty()) {
                message += "; did you mean '" + suggestions.getFirst() + "'?";
            }
        }
        err.println("ft: " + what + Terminal.safe(message));
        err.println("ft: see '" + name + " --help'");
        err.flush();
    }

    /** The names at the smallest edit distance from a typo, if it is small (at most 2). */
    static List<String> closest(String typed, List<String> names) {
        int best = 3;
        List<String> found = new java.util.ArrayList<>();
        for (String name : names) {
            int d = distance(typed, name);
            if (d < best) {
                best = d;
                found.clear();
            }
            if (d == best) {
                found.add(name);
            }
        }
        return found;
    }

    /** Levenshtein distance, with a swap of two neighbours counted as one edit ("gte" is one from "get"). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static List<String> commandNames() {
        return List.copyOf(SUBCOMMANDS.keySet());
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

    /** Whether {@code args} only ask for the version ({@code ft --version}, {@code ft -V}). */
    static boolean versionOnly(String[] args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /**
     * The subcommand {@code args} run, when that is certain from a plain reading: only known
     * global options before a known subcommand's name. Null (build them all) for anything else,
     * such as help, a typo or completion (whose script lists every subcommand), so that what
     * picocli prints in those cases is exactly what it prints with the whole tree.
     */
    static String subcommandOf(String[] args) {
        if (versionOnly(args)) {
            return NO_SUBCOMMAND; // scripts ask this often; the version needs no subcommand's model
        }
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
