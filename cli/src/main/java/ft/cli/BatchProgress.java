package ft.cli;

import ft.cli.StatusText.Part;
import ft.client.Outcome;
import ft.client.Progress;
import ft.client.Transfer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One line for a whole batch on a {@link StatusLine}: files done of all, bytes done of all,
 * rate and time left ({@code 3/10 files  30% 1.2 GiB / 4.0 GiB 45.0 MiB/s ETA 1:03}), and
 * which file is being hashed when that takes a while. Notes name their file and go above it.
 *
 * <p>The byte total is known up front for uploads (the local files' sizes) and for downloads
 * a listing found (patterns, {@code -r}: {@link Transfer#expectedSize}); any other file adds
 * its size when it starts. Until every size is known there is no percentage or time left,
 * only the bytes done. A failed file's bytes that never came are taken off the total, so the
 * line can still reach 100%. Several workers report at once; all of it is guarded by this
 * object, which draws while holding it so that an older picture never covers a newer one.
 */
final class BatchProgress {
    private final StatusLine line;
    private final LongSupplier clock;
    private final long startNanos;
    private final Map<Transfer, File> files = new IdentityHashMap<>();
    private final int fileCount;
    private int unknownSizes;
    private long bytesTotal;
    private long bytesDone;
    /** Bytes that crossed the network in this run, for the rate (resumed bytes did not). */
    private long moved;

    private int filesDone;
    private int failed;
    private File hashing;
    private long lastDraw;
    private boolean shown;

    BatchProgress(StatusLine line, List<Transfer> transfers) {
        this(line, transfers, System::nanoTime);
    }

    BatchProgress(StatusLine line, List<Transfer> transfers, LongSupplier clock) {
        this.line = line;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.fileCount = transfers.size();
        for (Transfer t : transfers) {
            File f = new File(t, sizeOf(t));
            files.put(t, f);
            if (f.counted < 0) {
                unknownSizes++;
            } else {
                bytesTotal += f.counted;
            }
        }
    }

    /** An upload's size is the local file's; a download's is what a listing said, if any. */
    private static long sizeOf(Transfer t) {
        if (t.expectedSize() >= 0 || t.op() != Transfer.Op.PUT) {
            return t.expectedSize();
        }
        try {
            return Files.size(t.local());
        } catch (IOException | SecurityException e) {
            return Transfer.UNKNOWN_SIZE; // the upload will fail and say why
        }
    }

    /** What the transfer {@code t} reports to: its share of this line. */
    synchronized Progress of(Transfer t) {
        return files.computeIfAbsent(t, x -> {
            unknownSizes++;
            return new File(x, Transfer.UNKNOWN_SIZE);
        });
    }

    /** Counts {@code o}'s file as done and settles its bytes; the line is drawn again after o is reported. */
    synchronized void finished(Outcome o) {
        File f = files.get(o.transfer());
        filesDone++;
        if (f != null) {
            if (o.failed()) {
                failed++;
                f.settle(f.done);
            } else {
                f.settle(o.size());
                f.reached(o.size(), false);
            }
            if (hashing == f) {
                hashing = null;
            }
        }
        line.replace(running());
    }

    /** Leaves the line with the batch's totals and the time it took, if it was ever drawn. */
    synchronized void end() {
        if (shown) {
            line.show(finished());
        }
        line.end();
    }

    private void draw(boolean now) {
        long t = clock.getAsLong();
        if (!now && shown && t - lastDraw < ProgressBar.REDRAW_NANOS) {
            return;
        }
        lastDraw = t;
        shown = true;
        line.show(running());
    }

    private String files() {
        return filesDone + "/" + fileCount + " files";
    }

    /** What every state of the line starts with: files done of all, failures, and the percentage once known. */
    private List<Part> counts() {
        List<Part> parts = new ArrayList<>();
        parts.add(Part.fixed(files(), ProgressBar.ACTION));
        if (failed > 0) {
            parts.add(Part.fixed("(" + failed + " failed)", ProgressBar.ACTION));
        }
        if (unknownSizes == 0) {
            parts.add(Part.fixed(StatusText.percent(bytesDone, bytesTotal), ProgressBar.PERCENT));
        }
        return parts;
    }

    /** {@code 3/10 files  30% 1.2 GiB / 4.0 GiB 45.0 MiB/s ETA 1:03 hashing big.iso 45%} */
    private StatusLine.Text running() {
        long elapsed = clock.getAsLong() - startNanos;
        double rate = moved / Math.max(1e-3, elapsed / 1e9);
        List<Part> parts = counts();
        if (unknownSizes == 0) {
            parts.add(
                    Part.fixed(StatusText.bytes(bytesDone) + " / " + StatusText.bytes(bytesTotal), ProgressBar.BYTES));
        } else {
            parts.add(Part.fixed(StatusText.bytes(bytesDone), ProgressBar.BYTES));
        }
        parts.add(Part.fixed(StatusText.bytes((long) rate) + "/s", ProgressBar.RATE));
        if (unknownSizes == 0) {
            String eta = rate > 0 ? StatusText.duration((long) Math.ceil((bytesTotal - bytesDone) / rate)) : "--:--";
            parts.add(Part.fixed("ETA " + eta, ProgressBar.TIME));
        }
        File h = hashing;
        if (h != null && h.hashShown) {
            // The least of it: dropped first when the terminal is narrow.
            parts.add(Part.named(
                    "hashing ",
                    h.hashLabel,
                    " " + StatusText.percent(h.hashDone, h.hashTotal).strip(),
                    1));
        }
        return fit(parts);
    }

    /** {@code 10/10 files 100% 40.0 MiB in 0:03 at 13.3 MiB/s} */
    private StatusLine.Text finished() {
        long elapsed = clock.getAsLong() - startNanos;
        double rate = moved / Math.max(1e-3, elapsed / 1e9);
        List<Part> parts = counts();
        parts.add(Part.fixed(
                bytesDone >= bytesTotal || unknownSizes > 0
                        ? StatusText.bytes(bytesDone)
                        : StatusText.bytes(bytesDone) + " / " + StatusText.bytes(bytesTotal),
                ProgressBar.BYTES));
        parts.add(Part.fixed("in " + StatusText.duration(elapsed / 1_000_000_000L), ProgressBar.TIME));
        parts.add(Part.fixed("at " + StatusText.bytes((long) rate) + "/s", ProgressBar.RATE));
        return fit(parts);
    }

    private static StatusLine.Text fit(List<Part> parts) {
        List<Part> fixed = List.copyOf(parts);
        return (columns, ellipsis) -> StatusText.fit(fixed, columns, ellipsis);
    }

    /** One file's share: what it added to the total, and how much of it is here. */
    private final class File implements Progress {
        private final String name;
        /** Bytes this file adds to the total; negative while its size is unknown. */
        private long counted;
        /** Bytes of it held (downloaded, or accepted by the server), resumed ones included. */
        private long done;

        private String hashLabel = "";
        private long hashDone;
        private long hashTotal;
        private long hashStart;
        private boolean hashShown;

        File(Transfer t, long size) {
            this.name = t.op() == Transfer.Op.GET ? t.remote() : t.local().toString();
            this.counted = size;
        }

        /** The file turned out to be {@code size} bytes: the total follows. */
        void settle(long size) {
            if (counted < 0) {
                unknownSizes--;
                bytesTotal += size;
            } else {
                bytesTotal += size - counted;
            }
            counted = size;
        }

        /** {@code now} bytes of the file are held; {@code crossed}: they came over the network just now. */
        void reached(long now, boolean crossed) {
            long delta = now - done;
            bytesDone += delta;
            if (crossed && delta > 0) {
                moved += delta;
            }
            done = now;
        }

        @Override
        public void start(String label, long total, long already) {
            synchronized (BatchProgress.this) {
                settle(total);
                reached(already, false);
                if (hashing == this) {
                    hashing = null;
                }
                draw(!shown);
            }
        }

        @Override
        public void advance(long now) {
            synchronized (BatchProgress.this) {
                reached(now, true);
                draw(false);
            }
        }

        @Override
        public void hashing(String label, long hashed, long total) {
            synchronized (BatchProgress.this) {
                long t = clock.getAsLong();
                if (hashing != this || hashed < hashDone) {
                    hashing = this;
                    hashLabel = label;
                    hashStart = t;
                    hashShown = false;
                }
                hashDone = hashed;
                hashTotal = total;
                if (hashed >= total) {
                    hashing = null;
                    draw(hashShown); // a shown hash must not linger as if still going
                } else if (!hashShown && t - hashStart >= ProgressBar.HASHING_QUIET_NANOS) {
                    hashShown = true;
                    draw(true);
                } else {
                    draw(false);
                }
            }
        }

        @Override
        public void note(String message) {
            line.note(Terminal.safe(name) + ": " + message);
        }
    }
}
