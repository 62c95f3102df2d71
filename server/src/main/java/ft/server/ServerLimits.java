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
 */
public record ServerLimits(Duration idleTimeout, Duration headerTimeout, Duration writeTimeout, int maxConnections,
                           int maxPerAddress, long maxFileSize, Duration partialMaxAge) {
    public static final ServerLimits DEFAULTS = new ServerLimits(Duration.ofMinutes(5), Duration.ofSeconds(10),
            Duration.ofSeconds(60), 1_000, 64, 1L << 40, Duration.ofDays(7));

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
    }

    public ServerLimits withIdleTimeout(Duration d) {
        return new ServerLimits(d, headerTimeout, writeTimeout, maxConnections, maxPerAddress, maxFileSize,
                partialMaxAge);
    }

    public ServerLimits withHeaderTimeout(Duration d) {
        return new ServerLimits(idleTimeout, d, writeTimeout, maxConnections, maxPerAddress, maxFileSize,
                partialMaxAge);
    }

    public ServerLimits withWriteTimeout(Duration d) {
        return new ServerLimits(idleTimeout, headerTimeout, d, maxConnections, maxPerAddress, maxFileSize,
                partialMaxAge);
    }

    public ServerLimits withConnections(int max, int perAddress) {
        return new ServerLimits(idleTimeout, headerTimeout, writeTimeout, max, perAddress, maxFileSize, partialMaxAge);
    }

    public ServerLimits withMaxFileSize(long bytes) {
        return new ServerLimits(idleTimeout, headerTimeout, writeTimeout, maxConnections, maxPerAddress, bytes,
                partialMaxAge);
    }

    public ServerLimits withPartialMaxAge(Duration d) {
        return new ServerLimits(idleTimeout, headerTimeout, writeTimeout, maxConnections, maxPerAddress, maxFileSize,
                d);
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }
}
