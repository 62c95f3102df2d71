package ft.server;

import com.google.common.util.concurrent.RateLimiter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Paces one connection's bodies to {@code ft serve --max-rate}: get bodies as they are sent,
 * put bodies as they are read (TCP then slows the sender down). Permits are bytes, taken a
 * chunk at a time, at most a tenth of a second's worth, so the pace is even rather than a
 * burst and a long pause. Like any token bucket it lets up to a second's worth through at
 * once after the connection was quiet.
 *
 * <p>Used by one connection's thread only.
 */
final class Throttle {
    /** Chunks never exceed this, however high the rate: a chunk is also one system call. */
    static final int MAX_CHUNK = 1 << 20;

    private final RateLimiter limiter;
    private final int chunk;
    /** Bytes paid for and not yet passed. */
    private long credit;

    private Throttle(long bytesPerSecond) {
        this.limiter = RateLimiter.create(bytesPerSecond);
        this.chunk = (int) Math.max(1, Math.min(MAX_CHUNK, bytesPerSecond / 10));
    }

    /** A throttle for a connection, or null when there is no limit (nothing to pay for then). */
    static Throttle perConnection(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? null : new Throttle(bytesPerSecond);
    }

    int chunk() {
        return chunk;
    }

    /**
     * Waits until more bytes may pass and says how many: at least 1, at most {@code wanted} and
     * at most a chunk. Report what really passed with {@link #passed}.
     */
    long allowance(long wanted) {
        if (credit == 0) {
            credit = Math.max(1, Math.min(wanted, chunk));
            limiter.acquire((int) credit);
        }
        return Math.min(credit, Math.max(1, wanted));
    }

    void passed(long bytes) {
        credit -= Math.min(credit, bytes);
    }

    /** {@code in}, read no faster than this throttle allows. */
    InputStream paced(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                allowance(1);
                int b = super.read();
                if (b >= 0) {
                    passed(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n = super.read(b, off, (int) allowance(len));
                if (n > 0) {
                    passed(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(allowance(n));
                passed(skipped);
                return skipped;
            }
        };
    }
}
