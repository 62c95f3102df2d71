package ft.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.RemoteException;
import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ft mv FROM TO}. */
@Command(
        name = "mv",
        description = {
            "Rename or move a remote file or directory, atomically.",
            "If TO is an existing directory, FROM moves into it; an existing file TO is replaced.",
            "TO ending in '/' means into that directory, which must exist (as with mv(1))."
        },
        footer = {"", "Examples:", "  ft mv upload.tmp final.iso", "  ft mv report.pdf archive/"})
final class MvCommand extends ClientCommand {
    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "FROM", description = "What to move.")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "New name, or a directory to move into.")
    String to;

    @Override
    public Integer call() throws FtException {
        RemotePath source = ft.remoteBelowRoot(from);
        RemotePath target = ft.remote(to);
        try (FtClient client = ft.connect()) {
            String destination = target.path();
            if (target.trailingSlash() || target.isRoot()) {
                // "into this directory": it must exist, and nothing named like it is replaced.
                if (!target.isRoot()) {
                    requireDirectory(client, target);
                }
                destination = target.child(source.baseName());
            }
            client.move(source.path(), destination);
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("mv " + source + " " + to, e);
        }
    }

    private static void requireDirectory(FtClient client, RemotePath dir) throws FtException {
        EntryType type;
        try {
            type = client.stat(dir.path()).type();
        } catch (RemoteException e) {
            if (e.error() == ErrorCode.NOT_FOUND) {
                throw new RemoteException(ErrorCode.NOT_FOUND, "no directory '" + dir.path() + "' to move into");
            }
            throw e;
        }
        if (type != EntryType.DIR) {
            throw new RemoteException(ErrorCode.NOT_A_DIRECTORY, "'" + dir.path() + "' is not a directory");
        }
    }
}
