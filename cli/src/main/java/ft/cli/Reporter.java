package ft.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ft.client.Outcome;
import ft.client.Transfer;
import ft.transfer.ByteSize;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Tells people and scripts what happened to each file: JSON Lines on stdout with
 * {@code --json} (exactly one line per file), else md5sum-style lines on stdout for files that
 * are in place and one line each on stderr for failures and skipped files; a summary on stderr
 * after a human batch.
 */
final class Reporter implements Consumer<Outcome> {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean quiet;
    private final long startNanos = System.nanoTime();
    private final Tally tally = new Tally();
    private int ok;
    private int unchanged;
    private int skipped;
    private long bytes;

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
            case OK -> {
                ok++;
                tally.succeeded();
            }
            case UNCHANGED -> {
                unchanged++;
                tally.succeeded();
            }
            case SKIPPED -> skipped++;
            case ERROR -> tally.failed(ExitStatus.of(o.family(), o.code()));
        }
        bytes += o.bytesTransferred();
        String name = Terminal.safe(t.source());
        if (json) {
            out.println(jsonLine(o));
        } else if (o.failed()) {
            err.println(
                    "ft: " + t.op().wire() + " " + name + ": " + Terminal.safe(o.message()) + " (" + o.code() + ")");
        } else if (o.status() == Outcome.Status.SKIPPED) {
            if (!quiet) {
                err.println("ft: " + t.op().wire() + " " + name + ": skipped: " + Terminal.safe(o.message()));
            }
        } else {
            String where = Terminal.safe(t.op() == Transfer.Op.GET ? t.shownLocal() : t.remote());
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
        n.put("local", t.shownLocal());
        if (o.size() >= 0) {
            n.put("size", o.size());
        } else {
            n.putNull("size");
        }
        n.put("md5", o.md5() == null ? null : o.md5().hex());
        n.put("status", o.status().wire());
        n.put("code", o.code());
        // The message may quote the server; JSON escapes C0 but not C1, U+2028 or bidi controls.
        n.put("message", o.message() == null ? null : Terminal.safe(o.message()));
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
        int failed = tally.failures();
        err.printf(
                Locale.ROOT,
                "ft: %d files: %d transferred, %d unchanged, %s%d failed; %s in %.1f s (%s/s)%n",
                ok + unchanged + skipped + failed,
                ok,
                unchanged,
                skipped > 0 ? skipped + " skipped, " : "",
                failed,
                ByteSize.format(bytes),
                seconds,
                ByteSize.format((long) (bytes / seconds)));
        err.flush();
    }

    /** The exit status by {@link Tally}'s rule; files skipped on purpose count neither way. */
    synchronized int exitCode() {
        return tally.exitCode();
    }
}
