package ft.server;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Slows down guessing, per client address: after each failed hello from an address, that
 * address's next hellos are answered only after a delay, {@code first} doubling per failure up
 * to {@code cap}. One failure is forgotten for every {@code quiet} period without a new one.
 *
 * <p>Only the guessing address waits (on its own virtual thread); other addresses are not
 * affected. IPv6 clients are counted per /64, since one host usually has a whole /64 to pick
 * source addresses from. A success does not reset the count: an attacker who holds one valid
 * token must not be able to wipe the record of its guesses at others.
 */
final class LoginThrottle {
    static final Duration FIRST_DELAY = Duration.ofMillis(250);
    static final Duration MAX_DELAY = Duration.ofSeconds(8);
    static final Duration QUIET = Duration.ofSeconds(30);

    private record State(int failures, long lastNanos) {}

    private final long firstNanos;
    private final long capNanos;
    private final long quietNanos;
    private final int maxFailures;
    private final LongSupplier clock;
    private final Cache<InetAddress, State> states;

    LoginThrottle() {
        this(FIRST_DELAY, MAX_DELAY, QUIET, System::nanoTime);
    }

    LoginThrottle(Duration first, Duration cap, Duration quiet, LongSupplier clock) {
        this.firstNanos = first.toNanos();
        this.capNanos = cap.toNanos();
        this.quietNanos = quiet.toNanos();
        int steps = 1;
        while (firstNanos << (steps - 1) < capNanos && steps < 30) {
            steps++;
        }
        this.maxFailures = steps;
        this.clock = clock;
        // Bounded: a flood of addresses cannot grow it without limit; an entry with nothing
        // left to remember expires on its own.
        this.states = CacheBuilder.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(quiet.toNanos() * (maxFailures + 1L), TimeUnit.NANOSECONDS)
                .build();
    }

    /** How long the next hello from {@code address} must wait; zero if it has no recent failures. */
    Duration delayFor(InetAddress address) {
        State s = states.getIfPresent(key(address));
        int failures = s == null ? 0 : remaining(s, clock.getAsLong());
        if (failures == 0) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.min(capNanos, firstNanos << Math.min(failures - 1, 30)));
    }

    /** Records a failed hello from {@code address}. */
    void failed(InetAddress address) {
        long now = clock.getAsLong();
        states.asMap()
                .merge(
                        key(address),
                        new State(1, now),
                        (old, one) -> new State(Math.min(maxFailures, remaining(old, now) + 1), now));
    }

    /** Failures still remembered: one is forgotten per quiet period since the last one. */
    private int remaining(State s, long now) {
        long quietPeriods = Math.max(0, now - s.lastNanos()) / quietNanos;
        return (int) Math.max(0, s.failures() - quietPeriods);
    }

    /** IPv4 addresses as they are; IPv6 ones cut to their /64 network (see {@link ClientAddresses}). */
    static InetAddress key(InetAddress address) {
        return ClientAddresses.keyOf(address);
    }
}
