package ft.client.cli;

import ft.client.FtClient;
import ft.client.FtException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ft mv FROM TO}. */
@Command(name = "mv",
        description = {"Rename or move a remote file or directory, atomically.",
                "If TO is an existing directory, FROM moves into it; an existing file TO is replaced."},
        footer = {"", "Examples:",
                "  ft mv upload.tmp final.iso",
                "  ft mv report.pdf archive/"})
final class MvCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Parameters(index = "0", paramLabel = "FROM", description = "What to move.")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "New name, or a directory to move into.")
    String to;

    @Override
    public Integer call() throws FtException {
        String target = to.endsWith("/") && to.length() > 1 ? to.substring(0, to.length() - 1) : to;
        try (FtClient client = ft.connect()) {
            client.move(from, target);
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("mv " + from + " " + to, e);
        }
    }
}
