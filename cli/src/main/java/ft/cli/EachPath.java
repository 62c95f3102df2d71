package ft.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.RemoteException;
import ft.protocol.ErrorCode;
import java.io.PrintWriter;
import java.util.List;

/**
 * Runs one remote operation on each of several paths over one connection (rm, mkdir, stat):
 * a refusal of one path is reported and the next one goes on; a broken connection fails the
 * rest. The exit status follows {@link Tally}.
 */
final class EachPath {
    /** What to do to one path. */
    @FunctionalInterface
    interface Action {
        void apply(FtClient client, RemotePath path) throws FtException;
    }

    private EachPath() {}

    /**
     * @param op              the command's name, as error lines show it
     * @param ignoreNotFound  whether a missing path counts as done (rm -f)
     */
    static int run(
            FtCommand ft, String op, List<RemotePath> paths, boolean ignoreNotFound, PrintWriter err, Action action) {
        Tally tally = new Tally();
        FtClient client = null;
        try {
            for (int i = 0; i < paths.size(); i++) {
                RemotePath path = paths.get(i);
                try {
                    if (client == null) {
                        client = ft.connect();
                    }
                    action.apply(client, path);
                    tally.succeeded();
                } catch (RemoteException e) {
                    if (ignoreNotFound && e.error() == ErrorCode.NOT_FOUND) {
                        tally.succeeded();
                    } else {
                        report(err, op, path, e);
                        tally.failed(e);
                    }
                } catch (FtException e) {
                    // Not a refusal: the connection is gone, and with it every path left.
                    report(err, op, paths.size() == 1 ? path.toString() : pathsFrom(paths, i), e);
                    for (int rest = i; rest < paths.size(); rest++) {
                        tally.failed(e);
                    }
                    break;
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
        return tally.exitCode();
    }

    private static String pathsFrom(List<RemotePath> paths, int from) {
        return String.join(
                " ",
                paths.subList(from, paths.size()).stream()
                        .map(RemotePath::toString)
                        .toList());
    }

    private static void report(PrintWriter err, String op, Object what, FtException e) {
        err.println("ft: " + op + " " + Terminal.safe(what.toString()) + ": " + Terminal.safe(e.getMessage()) + " ("
                + e.code() + ")");
        err.flush();
    }
}
