package ft.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ft rm [-r] [-f] PATH...}. */
@Command(
        name = "rm",
        description = {
            "Remove remote files or empty directories; -r removes whole trees.",
            "A symlink is removed itself, never what it points to. The root cannot be removed."
        },
        footer = {
            "",
            "Examples:",
            "  ft rm old.iso",
            "  ft rm -r logs/2023 logs/2024",
            "  ft rm -f maybe-there.tmp        no error if it is missing"
        })
final class RmCommand extends ClientCommand {
    @Mixin
    HelpOption help;

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "What to remove.")
    List<String> paths = new ArrayList<>();

    @Option(
            names = {"-r", "--recursive"},
            description = "Remove directories and everything in them.")
    boolean recursive;

    @Option(
            names = {"-f", "--force"},
            description = "Ignore paths that do not exist, and no PATH at all.")
    boolean force;

    @Override
    public Integer call() {
        if (paths.isEmpty()) {
            if (force) {
                return 0; // like rm -f: nothing to remove is not an error
            }
            throw ft.usage("Missing required parameter: 'PATH'");
        }
        return eachPath("rm", paths, force, (client, path) -> client.remove(path.path(), recursive));
    }
}
