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
 * @param bufferBudget      bytes of heap all transfers' buffers and list pages may hold at once
 *                          ({@link ft.transfer.BufferBudget}); 0 for a quarter of the maximum heap
 */
public record ServerLimits(
        Duration idleTimeout,
        Duration headerTimeout,
        Duration writeTimeout,
        int maxConnections,
        int maxPerAddress,
        long maxFileSize,
        Duration partialMaxAge,
        long maxRate,
        long bufferBudget) {
    /** The share of the maximum heap that transfers may hold when no budget is set. */
    public static final int DEFAULT_BUDGET_HEAP_FRACTION = 4;

    public static final ServerLimits DEFAULTS = new ServerLimits(
            Duration.ofMinutes(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            1_000,
            64,
            1L << 40,
            Duration.ofDays(7),
            0,
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
        if (bufferBudget != 0 && bufferBudget < ft.transfer.Body.BUFFER_BYTES) {
            throw new IllegalArgumentException("the buffer budget must be 0 (automatic) or at least "
                    + ft.transfer.Body.BUFFER_BYTES + " bytes, one transfer buffer");
        }
    }

    public ServerLimits withIdleTimeout(Duration d) {
        return new ServerLimits(
                d,
                headerTimeout,
                writeTimeout,
                maxConnections,
                maxPerAddress,
                maxFileSize,
                partialMaxAge,
                maxRate,
                bufferBudget);
    }

    public ServerLimits withHeaderTimeout(Duration d) {
        return new ServerLimits(
                idleTimeout,
                d,
                writeTimeout,
                maxConnections,
                maxPerAddress,
                maxFileSize,
                partialMaxAge,
                maxRate,
                bufferBudget);
    }

    public ServerLimits withWriteTimeout(Duration d) {
        return new ServerLimits(
                idleTimeout,
                headerTimeout,
                d,
                maxConnections,
                maxPerAddress,
                maxFileSize,
                partialMaxAge,
                maxRate,
                bufferBudget);
    }

    public ServerLimits withConnections(int max, int perAddress) {
        return new ServerLimits(
                idleTimeout,
                headerTimeout,
                writeTimeout,
                max,
                perAddress,
                maxFileSize,
                partialMaxAge,
                maxRate,
                bufferBudget);
    }

    public ServerLimits withMaxFileSize(long bytes) {
        return new ServerLimits(
                idleTimeout,
                headerTimeout,
                writeTimeout,
                maxConnections,
                maxPerAddress,
                bytes,
                partialMaxAge,
                maxRate,
                bufferBudget);
    }

    public ServerLimits withPartialMaxAge(Duration d) {
        return new ServerLimits(
                idleTimeout,
                headerTimeout,
                writeTimeout,
                maxConnections,
                maxPerAddress,
                maxFileSize,
                d,
                maxRate,
                bufferBudget);
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
                bytesPerSecond,
                bufferBudget);
    }

    /** {@code bytes} of heap for all transfers' buffers and list pages; 0 for a quarter of the heap. */
    public ServerLimits withBufferBudget(long bytes) {
        return new ServerLimits(
                idleTimeout,
                headerTimeout,
                writeTimeout,
                maxConnections,
                maxPerAddress,
                maxFileSize,
                partialMaxAge,
                maxRate,
                bytes);
    }

    /** The buffer budget in bytes this process uses: the set one, else its share of the maximum heap. */
    public long effectiveBufferBudget() {
        if (bufferBudget > 0) {
            return bufferBudget;
        }
        return Math.max(
                4L * ft.transfer.Body.BUFFER_BYTES, Runtime.getRuntime().maxMemory() / DEFAULT_BUDGET_HEAP_FRACTION);
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }
}
