package ft.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand that moves or manages files on a server is handed: ft, its own spec, the client options. */
abstract class ClientCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    /**
     * Runs {@code action} on each of the remote {@code paths} (below the root) over one
     * connection, as {@link EachPath#run} does, reporting on this command's stderr.
     */
    int eachPath(String op, List<String> paths, boolean ignoreNotFound, EachPath.Action action) {
        List<RemotePath> remote = paths.stream().map(ft::remoteBelowRoot).toList();
        return EachPath.run(ft, op, remote, ignoreNotFound, spec.commandLine().getErr(), action);
    }
}
