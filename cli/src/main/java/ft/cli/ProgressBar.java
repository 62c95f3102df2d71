package ft.cli;

import ft.cli.StatusText.Part;
import ft.client.Progress;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The progress of one file on a {@link StatusLine}: name, percentage, bytes, rate and time
 * left while it runs; time taken once it ends. Hashing a large local file first (before an
 * upload) gets a line of its own, {@code hashing NAME …}, kept when the hash is done.
 */
final class ProgressBar implements Progress {
    /** Redraws at most this often: a terminal is slower than a disk. */
    static final long REDRAW_NANOS = 200_000_000L;
    /** Hashing that ends sooner than this (any small file) shows no line at all. */
    static final long HASHING_QUIET_NANOS = 300_000_000L;

    // Which parts survive a narrow terminal: the higher, the longer kept.
    static final int ACTION = 7;
    static final int PERCENT = 6;
    static final int NAME = 5;
    static final int TIME = 4;
    static final int BYTES = 3;
    static final int RATE = 2;

    private final StatusLine line;
    private final LongSupplier clock;

    private final Meter transfer = new Meter();
    private final Meter hash = new Meter();

    /** How one pass (a transfer or a hash) is going. */
    private static final class Meter {
        String label = "";
        long total;
        long already;
        long done;
        long startNanos;
        long lastDraw;
        boolean running;
        boolean shown;

        void start(String label, long total, long already, long now) {
            this.label = label;
            this.total = total;
            this.already = already;
            this.done = already;
            this.startNanos = now;
            this.running = true;
            this.shown = false;
        }
    }

    ProgressBar(StatusLine line) {
        this(line, System::nanoTime);
    }

    ProgressBar(StatusLine line, LongSupplier clock) {
        this.line = line;
        this.clock = clock;
    }

    StatusLine line() {
        return line;
    }

    @Override
    public void start(String label, long total, long already) {
        transfer.start(label, total, already, clock.getAsLong());
    }

    @Override
    public void advance(long done) {
        long now = clock.getAsLong();
        transfer.done = done;
        if (transfer.shown && now - transfer.lastDraw < REDRAW_NANOS && done < transfer.total) {
            return;
        }
        draw(transfer, null, now);
    }

    @Override
    public void finish() {
        if (transfer.shown) {
            drawFinal(transfer, null);
        }
        transfer.running = false;
    }

    @Override
    public void hashing(String label, long done, long total) {
        long now = clock.getAsLong();
        if (!hash.running || done < hash.done || !label.equals(hash.label)) {
            // The first report comes after the first buffer was read: from here on is what can be timed.
            hash.start(label, total, done, now);
        }
        hash.done = done;
        if (done >= total) {
            if (hash.shown) {
                drawFinal(hash, "hashing");
            }
            hash.running = false;
            return;
        }
        boolean due = hash.shown ? now - hash.lastDraw >= REDRAW_NANOS : now - hash.startNanos >= HASHING_QUIET_NANOS;
        if (due) {
            draw(hash, "hashing", now);
        }
    }

    @Override
    public void note(String message) {
        line.note(message);
    }

    private void draw(Meter m, String action, long now) {
        m.lastDraw = now;
        m.shown = true;
        line.show(running(action, m.label, m.done, m.total, m.already, now - m.startNanos));
    }

    private void drawFinal(Meter m, String action) {
        line.show(finished(action, m.label, m.done, m.total, m.already, clock.getAsLong() - m.startNanos));
        line.end();
        m.shown = false;
    }

    /** {@code [action] NAME  45% 0.9 GiB / 2.0 GiB 12.0 MiB/s ETA 0:05} */
    static StatusLine.Text running(String action, String label, long done, long total, long already, long nanos) {
        double seconds = Math.max(1e-3, nanos / 1e9);
        double rate = Math.max(0, done - already) / seconds;
        String eta = rate > 0 ? StatusText.duration((long) Math.ceil((total - done) / rate)) : "--:--";
        List<Part> parts = List.of(
                named(action, label),
                Part.fixed(StatusText.percent(done, total), PERCENT),
                Part.fixed(StatusText.bytes(done) + " / " + StatusText.bytes(total), BYTES),
                Part.fixed(StatusText.bytes((long) rate) + "/s", RATE),
                Part.fixed("ETA " + eta, TIME));
        return (columns, ellipsis) -> StatusText.fit(parts, columns, ellipsis);
    }

    /** {@code [action] NAME 100% 10.0 MiB in 0:03 at 3.3 MiB/s}, or where it stopped: {@code  45% 4.5 MiB / 10.0 MiB in 0:03}. */
    static StatusLine.Text finished(String action, String label, long done, long total, long already, long nanos) {
        long seconds = nanos / 1_000_000_000L;
        double rate = Math.max(0, done - already) / Math.max(1e-3, nanos / 1e9);
        String amount =
                done >= total ? StatusText.bytes(total) : StatusText.bytes(done) + " / " + StatusText.bytes(total);
        List<Part> parts = List.of(
                named(action, label),
                Part.fixed(StatusText.percent(done, total), PERCENT),
                Part.fixed(amount, BYTES),
                Part.fixed("in " + StatusText.duration(seconds), TIME),
                Part.fixed("at " + StatusText.bytes((long) rate) + "/s", RATE));
        return (columns, ellipsis) -> StatusText.fit(parts, columns, ellipsis);
    }

    private static Part named(String action, String label) {
        return Part.named(action == null ? "" : action + " ", label, "", action == null ? NAME : ACTION);
    }

    /** Kept for the summary line, which formats sizes the same way. */
    static String bytes(long n) {
        return StatusText.bytes(n);
    }
}
