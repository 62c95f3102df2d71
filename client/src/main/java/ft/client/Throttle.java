package ft.client;

import com.google.common.util.concurrent.RateLimiter;

/**
 * Keeps the bytes of a command's bodies, over all its connections together, at or under a
 * rate ({@code --limit-rate}): a token bucket, in pieces of at most a tenth of a second's worth
 * so that the pace stays even.
 */
public final class Throttle {
    /** No limit. */
    public static final Throttle NONE = new Throttle(null, Long.MAX_VALUE);

    private final RateLimiter limiter;
    private final long piece;

    private Throttle(RateLimiter limiter, long piece) {
        this.limiter = limiter;
        this.piece = piece;
    }

    /** At most {@code bytesPerSecond} (at least 1). */
    public static Throttle of(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("a rate must be at least 1 byte per second");
        }
        return new Throttle(RateLimiter.create(bytesPerSecond), Math.max(1, Math.min(256 * 1024, bytesPerSecond / 10)));
    }

    public boolean limits() {
        return limiter != null;
    }

    /** The most to move between two calls of {@link #spend}. */
    public int piece(int wanted) {
        return (int) Math.min(wanted, piece);
    }

    /** Accounts for {@code bytes} just moved, waiting as long as the rate requires. */
    public void spend(long bytes) {
        if (limiter == null) {
            return;
        }
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(left, Integer.MAX_VALUE);
            limiter.acquire(n);
            left -= n;
        }
    }
}
