package ft.client.cli;

import ft.client.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/** One self-rewriting line on a terminal: bytes, percentage, rate and time left. */
final class ProgressBar implements Progress {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private String label = "";
    private long total;
    private long already;
    private long startNanos;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void start(String label, long total, long already) {
        this.label = label;
        this.total = total;
        this.already = already;
        this.startNanos = System.nanoTime();
        this.lastDraw = 0;
        this.drawn = false;
    }

    @Override
    public void advance(long done) {
        long now = System.nanoTime();
        if (drawn && now - lastDraw < REDRAW_NANOS && done < total) {
            return;
        }
        lastDraw = now;
        drawn = true;
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        double rate = (done - already) / seconds;
        String eta = rate > 0 ? duration((long) ((total - done) / rate)) : "--:--";
        int percent = total == 0 ? 100 : (int) (done * 100 / total);
        err.printf(Locale.ROOT, "\r%s %3d%% %s / %s %s/s ETA %s\u001b[K", label, percent, bytes(done), bytes(total),
                bytes((long) rate), eta);
        err.flush();
    }

    @Override
    public void finish() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }

    @Override
    public void note(String message) {
        err.println("ft: " + message);
    }

    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String duration(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
