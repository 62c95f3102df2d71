package ft.server;

import java.time.Duration;

/**
 * What one server tolerates from its clients. Every limit has a default that keeps a server
 * on a network safe from a single misbehaving client, and a flag of {@code ft serve}.
 *
 * @param idleTimeout       a connection that sends nothing for this long between or inside
 *                          requests is closed (partial uploads are kept)
 * @param headerTimeout     once a header's first byte arrives, the whole header must arrive
 *                          within this time (slowloris)
 * @param writeTimeout      a client that accepts no body bytes for this long is dropped
 * @param maxConnections    connections open at once; more are answered BUSY and closed
 * @param maxPerAddress     connections open at once from one IP address
 * @param maxFileSize       largest upload accepted
 * @param partialMaxAge     interrupted uploads untouched for this long are deleted
 * @param maxRate           bytes per second of get and put bodies on one connection; 0 for no limit
 */
public record ServerLimits(
        Duration idleTimeout,
        Duration headerTimeout,
        Duration writeTimeout,
        int maxConnections,
        int maxPerAddress,
        long maxFileSize,
        Duration partialMaxAge,
        long maxRate) {
    public static final ServerLimits DEFAULTS = new ServerLimits(
            Duration.ofMinutes(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            1_000,
            64,
            1L << 40,
            Duration.ofDays(7),
            0);

    public ServerLimits {
        requirePositive(idleTimeout, "idle timeout");
        requirePositive(headerTimeout, "header timeout");
        requirePositive(writeTimeout, "write timeout");
        requirePositive(partialMaxAge, "partial max age");
        if (maxConnections < 1 || maxPerAddress < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
        if (maxFileSize < 0) {
            throw new IllegalArgumentException("max file size must not be negative");
        }
        if (maxRate < 0) {
            throw new IllegalArgumentException("max rate must not be negative");
        }
    }

    /** Without a rate limit. */
    public ServerLimits(
            Duration idleTimeout,
            Duration headerTimeout,
            Duration writeTimeout,
            int maxConnections,
            int maxPerAddress,
            long maxFileSize,
            Duration partialMaxAge) {
        this(idleTimeout, headerTimeout, writeTimeout, maxConnections, maxPerAddress, maxFileSize, partialMaxAge, 0);
    }

    public ServerLimits withIdleTimeout(Duration d) {
        return new ServerLimits(
                d, headerTimeout, writeTimeout, maxConnections, maxPerAddress, maxFileSize, partialMaxAge, maxRate);
    }

    public ServerLimits withHeaderTimeout(Duration d) {
        return new ServerLimits(
                idleTimeout, d, writeTimeout, maxConnections, maxPerAddress, maxFileSize, partialMaxAge, maxRate);
    }

    public ServerLimits withWriteTimeout(Duration d) {
        return new ServerLimits(
                idleTimeout, headerTimeout, d, maxConnections, maxPerAddress, maxFileSize, partialMaxAge, maxRate);
    }

    public ServerLimits withConnections(int max, int perAddress) {
        return new ServerLimits(
                idleTimeout, headerTimeout, writeTimeout, max, perAddress, maxFileSize, partialMaxAge, maxRate);
    }

    public ServerLimits withMaxFileSize(long bytes) {
        return new ServerLimits(
                idleTimeout, headerTimeout, writeTimeout, maxConnections, maxPerAddress, bytes, partialMaxAge, maxRate);
    }

    public ServerLimits withPartialMaxAge(Duration d) {
        return new ServerLimits(
                idleTimeout, headerTimeout, writeTimeout, maxConnections, maxPerAddress, maxFileSize, d, maxRate);
    }

    /** {@code bytesPerSecond} of bodies per connection; 0 for no limit. */
    public ServerLimits withMaxRate(long bytesPerSecond) {
        return new ServerLimits(
                idleTimeout,
                headerTimeout,
                writeTimeout,
                maxConnections,
                maxPerAddress,
                maxFileSize,
                partialMaxAge,
                bytesPerSecond);
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }
}
