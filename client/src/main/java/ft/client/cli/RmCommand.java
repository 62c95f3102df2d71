package ft.client.cli;

import ft.client.FtClient;
import ft.client.FtException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ft rm [-r] PATH}. */
@Command(name = "rm",
        description = {"Remove a remote file or empty directory; -r removes a whole tree.",
                "A symlink is removed itself, never what it points to. The root cannot be removed."},
        footer = {"", "Examples:",
                "  ft rm old.iso",
                "  ft rm -r logs/2023"})
final class RmCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Parameters(index = "0", paramLabel = "PATH", description = "What to remove.")
    String path;

    @Option(names = {"-r", "--recursive"}, description = "Remove a directory and everything in it.")
    boolean recursive;

    @Override
    public Integer call() throws FtException {
        try (FtClient client = ft.connect()) {
            client.remove(path, recursive);
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("rm " + path, e);
        }
    }
}
