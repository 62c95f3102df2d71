package ft.cli;

import ft.client.FtClient;
import ft.client.TrustDecision;
import ft.protocol.EntryType;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ft complete-remote [--dirs] PREFIX}, hidden: what the completion script
 * ({@link CompletionScript}) runs to complete a remote path. Lists the remote directory of
 * PREFIX and prints the paths in it that start with PREFIX, one per line, directories with a
 * trailing '/'. It runs on every TAB, so it is quick and quiet: about {@link #TIMEOUT} at most,
 * no prompt (a TLS server not trusted yet is refused), and on any failure nothing at all, exit 0.
 */
@Command(
        name = "complete-remote",
        hidden = true,
        description = "For the completion script: remote paths that start with PREFIX, one per line.")
final class CompleteRemoteCommand implements Callable<Integer> {
    /** Bounds the connect, each wait for the server, and the whole listing. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    @ParentCommand
    FtCommand ft;

    @Spec
    CommandSpec spec;

    @Option(names = "--dirs", description = "Directories only.")
    boolean dirsOnly;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX", description = "What has been typed so far.")
    String prefix = "";

    /** Thrown from the listing's callback when the time is up. */
    private static final class TooSlow extends RuntimeException {
        TooSlow() {
            super(null, null, false, false);
        }
    }

    @Override
    public Integer call() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        // The directory part is kept as typed, so every candidate starts with PREFIX.
        String directory = prefix.substring(0, prefix.lastIndexOf('/') + 1);
        String start = prefix.substring(directory.length());
        List<String> found = new ArrayList<>();
        try (FtClient client = ft.connect(TIMEOUT, TrustDecision.never())) {
            String listed = directory.isEmpty() ? "" : RemotePath.of(directory).path();
            client.list(listed, entry -> {
                if (System.nanoTime() - deadline > 0) {
                    throw new TooSlow();
                }
                String name = entry.path();
                boolean dir = entry.type() == EntryType.DIR;
                // Hidden names only when asked for, as in the shell; a name with a control
                // character (a newline, say) cannot be one line of output.
                if (name.startsWith(start)
                        && (dir || !dirsOnly)
                        && (!name.startsWith(".") || start.startsWith("."))
                        && name.chars().noneMatch(Character::isISOControl)) {
                    found.add(directory + name + (dir ? "/" : ""));
                }
            });
        } catch (Exception e) {
            // Unreachable, slow, refused, untrusted, bad settings: no candidates, and not a word.
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        found.forEach(out::println);
        out.flush();
        return 0;
    }
}
