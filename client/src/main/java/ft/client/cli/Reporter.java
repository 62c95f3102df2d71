package ft.client.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ft.client.Outcome;
import ft.client.Transfer;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Tells people and scripts what happened to each file: JSON Lines on stdout with
 * {@code --json}, else md5sum-style lines on stdout for files that are in place and one error
 * line each on stderr; a summary on stderr after a human batch.
 */
final class Reporter implements Consumer<Outcome> {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean quiet;
    private final long startNanos = System.nanoTime();
    private int ok;
    private int unchanged;
    private int failed;
    private long bytes;
    private int firstExitCode;
    private boolean mixedExitCodes;

    Reporter(PrintWriter out, PrintWriter err, boolean json, boolean quiet) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.quiet = quiet;
    }

    @Override
    public synchronized void accept(Outcome o) {
        Transfer t = o.transfer();
        switch (o.status()) {
            case OK -> ok++;
            case UNCHANGED -> unchanged++;
            case ERROR -> {
                if (failed > 0 && o.exitCode() != firstExitCode) {
                    mixedExitCodes = true;
                }
                if (failed == 0) {
                    firstExitCode = o.exitCode();
                }
                failed++;
            }
        }
        bytes += o.bytesTransferred();
        if (json) {
            out.println(jsonLine(o));
        } else if (o.failed()) {
            err.println("ft: " + t.op().wire() + " " + Terminal.safe(t.op() == Transfer.Op.GET ? t.remote()
                    : t.local().toString()) + ": " + Terminal.safe(o.message()) + " (" + o.code() + ")");
        } else {
            String where = Terminal.safe(t.op() == Transfer.Op.GET ? t.local().toString() : t.remote());
            out.println(o.md5() + "  " + where);
            if (o.status() == Outcome.Status.UNCHANGED && !quiet) {
                err.println("ft: " + where + " unchanged");
            }
        }
        out.flush();
        err.flush();
    }

    private static String jsonLine(Outcome o) {
        Transfer t = o.transfer();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("op", t.op().wire());
        n.put("remote", t.remote());
        n.put("local", t.local().toString());
        if (o.size() >= 0) {
            n.put("size", o.size());
        } else {
            n.putNull("size");
        }
        n.put("md5", o.md5() == null ? null : o.md5().hex());
        n.put("status", o.status().wire());
        n.put("code", o.code());
        n.put("message", o.message());
        n.put("bytes_transferred", o.bytesTransferred());
        n.put("resumed_from", o.resumedFrom());
        n.put("seconds", Math.round(o.elapsed().toNanos() / 1e6) / 1e3);
        return n.toString();
    }

    /** The summary line of a human batch run. */
    synchronized void summary() {
        if (json || quiet) {
            return;
        }
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        err.printf(Locale.ROOT, "ft: %d files: %d transferred, %d unchanged, %d failed; %s in %.1f s (%s/s)%n",
                ok + unchanged + failed, ok, unchanged, failed, ProgressBar.bytes(bytes), seconds,
                ProgressBar.bytes((long) (bytes / seconds)));
        err.flush();
    }

    /**
     * 0 when nothing failed. When every reported file failed the same way, that failure's own
     * code (a single missing file is 4 whether or not it came from a list; an unreachable
     * server is 3); otherwise, some files failed and others did not, 8.
     */
    synchronized int exitCode() {
        if (failed == 0) {
            return 0;
        }
        return ok == 0 && unchanged == 0 && !mixedExitCodes ? firstExitCode : 8;
    }
}
