package ft.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.RemoteException;
import ft.protocol.ErrorCode;
import ft.protocol.ListItem;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ft ls [-l] [-h] [-R] [PATH]}. */
@Command(
        name = "ls",
        description = {
            "List a remote directory, sorted by name; directories end in '/'.",
            "Large directories stream page by page; nothing waits for the whole listing."
        },
        footer = {
            "",
            "Examples:",
            "  ft ls                           the served root (also: ft ls /)",
            "  ft ls -lh logs/                 type, size (KiB, MiB…), modification time, name",
            "  ft ls -R photos                 every file and directory below photos, as paths",
            "  ft ls --json logs | jq -r 'select(.type == \"file\") | .name'"
        })
final class LsCommand extends ClientCommand {
    // -h is ls's "human sizes", as in ls(1); help is --help only here.
    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "Directory (default: the root).")
    String path = "/";

    @Option(names = "-l", description = "Long form: type, size, modification time, name.")
    boolean longForm;

    @Option(
            names = {"-h", "--human-readable"},
            description = "With -l: sizes in KiB, MiB, GiB.")
    boolean human;

    @Option(
            names = {"-R", "--recursive"},
            description = "Everything below PATH, one path (relative to PATH) per line.")
    boolean recursive;

    @Option(names = "--json", description = "One JSON object per entry and line: name, type, size, mtime.")
    boolean json;

    @Override
    public Integer call() throws FtException {
        RemotePath dir = ft.remote(path);
        PrintWriter out = spec.commandLine().getOut();
        Listing.Format format = json
                ? Listing.Format.JSON
                : longForm ? (human ? Listing.Format.LONG_HUMAN : Listing.Format.LONG) : Listing.Format.SHORT;
        Function<ListItem.Entry, String> line = format::line;
        try (FtClient client = ft.connect()) {
            if (recursive) {
                client.find(dir.path(), null, e -> out.println(line.apply(Listing.relativeTo(dir.path(), e))));
            } else {
                try {
                    client.list(dir.path(), e -> out.println(line.apply(e)));
                } catch (RemoteException e) {
                    if (e.error() != ErrorCode.NOT_A_DIRECTORY) {
                        throw e;
                    }
                    // Like ls(1): a file operand lists the file itself.
                    out.println(line.apply(Listing.entryOf(client.stat(dir.path()))));
                }
            }
            out.flush();
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("ls " + dir, e);
        }
    }
}
