package ft.client.cli;

import ft.client.Progress;
import java.io.PrintWriter;

/** When stderr is not a terminal: notes only, one line each, no bar. */
final class Notes implements Progress {
    private final PrintWriter err;

    Notes(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void note(String message) {
        err.println("ft: " + message);
    }

    /** Quiet gets nothing, a terminal gets a bar, anything else gets plain notes. */
    static Progress choose(FtCommand ft, PrintWriter err) {
        if (ft.quiet) {
            return Progress.NONE;
        }
        // The launcher knows whether fd 2 is a terminal ([ -t 2 ]); the JVM cannot tell reliably.
        return "1".equals(ft.env().get("FT_STDERR_TTY")) ? new ProgressBar(err) : new Notes(err);
    }
}
