package ft.client.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.RemoteException;
import ft.protocol.ErrorCode;
import ft.protocol.ListItem;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ft ls [PATH]}. */
@Command(name = "ls",
        description = {"List a remote directory, sorted by name; directories end in '/'.",
                "Large directories stream page by page; nothing waits for the whole listing."},
        footer = {"", "Examples:",
                "  ft ls                           the served root",
                "  ft ls -l logs                   type, size, modification time, name",
                "  ft ls --json logs | jq -r 'select(.type == \"file\") | .name'"})
final class LsCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "Directory (default: the root).")
    String path = "";

    @Option(names = "-l", description = "Long form: type, size, modification time, name.")
    boolean longForm;

    @Option(names = "--json", description = "One JSON object per entry and line: name, type, size, mtime.")
    boolean json;

    @Override
    public Integer call() throws FtException {
        PrintWriter out = spec.commandLine().getOut();
        Function<ListItem.Entry, String> format = json ? Listing::json : longForm ? Listing::longForm : Listing::shortForm;
        try (FtClient client = ft.connect()) {
            try {
                client.list(path, e -> out.println(format.apply(e)));
            } catch (RemoteException e) {
                if (e.error() != ErrorCode.NOT_A_DIRECTORY) {
                    throw e;
                }
                // Like ls(1): a file operand lists the file itself.
                out.println(format.apply(Listing.entryOf(client.stat(path))));
            }
            out.flush();
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("ls " + (path.isEmpty() ? "/" : path), e);
        }
    }
}
