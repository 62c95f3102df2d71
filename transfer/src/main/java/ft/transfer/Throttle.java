package ft.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * Keeps bodies at or under a rate: a token bucket of bytes, shared by every stream that
 * spends from it (the client's {@code --limit-rate} covers all of a command's connections;
 * the server's {@code --max-rate} gives each connection its own).
 *
 * <p>Callers move at most a {@link #piece} at a time, a tenth of a second's worth (at most
 * {@link #MAX_PIECE}, since a piece is also one system call), then {@link #spend} what moved,
 * which waits as long as the rate requires: the pace is then even rather than a burst and a
 * long pause. The bucket starts empty and holds at most a second's worth, so after a quiet
 * spell up to a second's worth passes at once. Spending more than is in the bucket runs it
 * into debt that the next spender waits out, so several streams share the rate fairly.
 *
 * <p>Thread-safe. Waiting is not interruptible (like a blocking socket read); an interrupt is
 * kept for the caller.
 */
public final class Throttle {
    /** No limit: pieces as large as asked, spending free. */
    public static final Throttle NONE = new Throttle(0);
    /** The largest piece, however high the rate. */
    public static final int MAX_PIECE = 1 << 20;

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final long bytesPerSecond;
    private final int piece;
    /** Bytes in the bucket at {@link #asOfNanos}; negative when in debt. */
    private double tokens;

    private long asOfNanos = System.nanoTime();

    private Throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.piece =
                bytesPerSecond == 0 ? Integer.MAX_VALUE : (int) Math.max(1, Math.min(MAX_PIECE, bytesPerSecond / 10));
    }

    /** At most {@code bytesPerSecond} (at least 1). */
    public static Throttle of(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("a rate must be at least 1 byte per second");
        }
        return new Throttle(bytesPerSecond);
    }

    /** At most {@code bytesPerSecond}, or {@link #NONE} for 0 or less (no limit). */
    public static Throttle atMost(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? NONE : of(bytesPerSecond);
    }

    /** Whether there is a limit at all. */
    public boolean limits() {
        return bytesPerSecond != 0;
    }

    /** The bytes a piece may hold at this rate. */
    public int piece() {
        return piece;
    }

    /** The most to move before the next {@link #spend}: {@code wanted}, cut to a piece. */
    public int piece(long wanted) {
        return (int) Math.min(wanted, piece);
    }

    /** Accounts for {@code bytes} just moved, waiting as long as the rate requires. */
    public void spend(long bytes) {
        if (bytesPerSecond == 0 || bytes <= 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(bytesPerSecond, tokens + (double) (now - asOfNanos) * bytesPerSecond / NANOS_PER_SECOND);
            asOfNanos = now;
            tokens -= bytes;
            waitNanos = tokens >= 0 ? 0 : (long) Math.ceil(-tokens * NANOS_PER_SECOND / bytesPerSecond);
        }
        sleepUninterruptibly(waitNanos);
    }

    private static void sleepUninterruptibly(long nanos) {
        if (nanos <= 0) {
            return;
        }
        boolean interrupted = false;
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code in}, read no faster than this throttle allows ({@code in} itself without a limit). */
    public InputStream paced(InputStream in) {
        if (!limits()) {
            return in;
        }
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    spend(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, piece(len));
                if (n > 0) {
                    spend(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(piece(n));
                spend(skipped);
                return skipped;
            }
        };
    }

    @Override
    public String toString() {
        return limits() ? "Throttle[" + bytesPerSecond + " B/s]" : "Throttle[none]";
    }
}
