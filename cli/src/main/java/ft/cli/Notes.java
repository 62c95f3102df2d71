package ft.cli;

import ft.client.Progress;
import ft.client.Transfer;
import java.io.PrintWriter;

/** When stderr is not a terminal: notes only, one line each, no bar. */
final class Notes implements Progress {
    private final PrintWriter err;
    private final String prefix;

    Notes(PrintWriter err) {
        this(err, "ft: ");
    }

    private Notes(PrintWriter err, String prefix) {
        this.err = err;
        this.prefix = prefix;
    }

    /** In a batch, notes from several files mix: each names its file. */
    static Notes naming(PrintWriter err, Transfer t) {
        return new Notes(err, "ft: " + Terminal.safe(t.source()) + ": ");
    }

    @Override
    public void note(String message) {
        synchronized (err) {
            // A note may carry a server's words (a retry's cause): never raw to the terminal.
            err.println(prefix + Terminal.safe(message));
            err.flush();
        }
    }

    /** Quiet gets nothing, a terminal gets a bar, anything else gets plain notes. */
    static Progress choose(FtCommand ft, PrintWriter err) {
        if (ft.quiet) {
            return Progress.NONE;
        }
        return onTerminal(ft) ? new ProgressBar(StatusLine.onStderr(err, ft.env())) : new Notes(err);
    }

    /** The launcher knows whether fd 2 is a terminal ([ -t 2 ]); the JVM cannot tell reliably. */
    static boolean onTerminal(FtCommand ft) {
        return "1".equals(ft.env().get("FT_STDERR_TTY"));
    }
}
