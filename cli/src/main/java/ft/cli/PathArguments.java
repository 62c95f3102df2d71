package ft.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Which arguments of ft are local paths and which remote ones, for the completion script
 * ({@link CompletionScript}). Picocli's model cannot say: a {@code String} is a {@code String}.
 * Keyed by command path ("get", "user add") and an option's name or {@link #POSITIONALS};
 * anything not here completes nothing (or its enum's values). {@code PathArgumentsTest} fails
 * when the live command tree has a path-like argument (by its label) that is not classified.
 */
final class PathArguments {
    private PathArguments() {}

    /** How an argument's values complete; {@link #word()} is the script's name for it. */
    enum Kind {
        LOCAL("local"),
        LOCAL_DIR("local-dir"),
        REMOTE("remote"),
        REMOTE_DIR("remote-dir"),
        /** Looks like a path by its label but is none: completes nothing. */
        NONE("none");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        String word() {
            return word;
        }
    }

    /** The key that stands for every positional parameter of a command. */
    static final String POSITIONALS = "@";

    private static final Map<String, Kind> TABLE = Map.ofEntries(
            Map.entry("get @", Kind.REMOTE),
            Map.entry("get --output", Kind.LOCAL),
            Map.entry("get --input", Kind.LOCAL),
            Map.entry("get --target-directory", Kind.LOCAL_DIR),
            // The last may be the remote destination; the sources are what people type most.
            Map.entry("put @", Kind.LOCAL),
            Map.entry("put --target-directory", Kind.REMOTE_DIR),
            Map.entry("ls @", Kind.REMOTE),
            Map.entry("stat @", Kind.REMOTE),
            Map.entry("rm @", Kind.REMOTE),
            Map.entry("mkdir @", Kind.REMOTE),
            Map.entry("mv @", Kind.REMOTE),
            Map.entry("serve --root", Kind.LOCAL_DIR),
            Map.entry("serve --users", Kind.LOCAL),
            Map.entry("serve --cert", Kind.LOCAL),
            Map.entry("serve --key", Kind.LOCAL),
            Map.entry("user add --users", Kind.LOCAL),
            Map.entry("user add --root", Kind.LOCAL_DIR),
            Map.entry("user list --users", Kind.LOCAL),
            Map.entry("user remove --users", Kind.LOCAL));

    /** Labels that say an argument is a path of some kind, so it must be in the table. */
    static final List<String> PATH_LIKE_LABELS = List.of("LOCAL", "FILE", "DIR", "PATH", "REMOTE", "FROM", "TO");

    static Map<String, Kind> table() {
        return TABLE;
    }

    /** The kind of {@code option} of the command at {@code commandPath}, or null when it is not in the table. */
    static Kind of(String commandPath, OptionSpec option) {
        for (String name : option.names()) {
            Kind kind = TABLE.get(key(commandPath, name));
            if (kind != null) {
                return kind;
            }
        }
        return null;
    }

    /** The kind of the positional parameters of the command at {@code commandPath}, or null. */
    static Kind ofPositionals(String commandPath) {
        return TABLE.get(key(commandPath, POSITIONALS));
    }

    static String key(String commandPath, String argument) {
        return commandPath + " " + argument;
    }

    static boolean looksLikePath(String paramLabel) {
        return PATH_LIKE_LABELS.stream().anyMatch(paramLabel::contains);
    }
}
