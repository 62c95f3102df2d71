package ft.client.cli;

import ft.client.FtClient;
import ft.client.FtException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ft mkdir [-p] PATH}. */
@Command(name = "mkdir",
        description = "Create a remote directory.",
        footer = {"", "Examples:",
                "  ft mkdir incoming",
                "  ft mkdir -p data/2026/11"})
final class MkdirCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Parameters(index = "0", paramLabel = "PATH", description = "Directory to create.")
    String path;

    @Option(names = {"-p", "--parents"}, description = "Create missing parents; an existing directory is fine.")
    boolean parents;

    @Override
    public Integer call() throws FtException {
        try (FtClient client = ft.connect()) {
            client.mkdir(path, parents);
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("mkdir " + path, e);
        }
    }
}
