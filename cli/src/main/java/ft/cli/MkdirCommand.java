package ft.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ft mkdir [-p] PATH...}. */
@Command(
        name = "mkdir",
        description = "Create remote directories.",
        footer = {"", "Examples:", "  ft mkdir incoming outgoing", "  ft mkdir -p data/2026/11"})
final class MkdirCommand extends ClientCommand {
    @Mixin
    HelpOption help;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Directories to create.")
    List<String> paths;

    @Option(
            names = {"-p", "--parents"},
            description = "Create missing parents; an existing directory is fine.")
    boolean parents;

    @Override
    public Integer call() {
        return eachPath("mkdir", paths, false, (client, path) -> client.mkdir(path.path(), parents));
    }
}
