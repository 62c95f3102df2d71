package ft.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one server shares among all its requests: its limits, which paths have an upload in
 * progress, and the disk space promised to uploads. Handlers get it through their
 * {@link RequestContext}, never from {@link FtServer} itself.
 */
final class ServerServices {
    private final ServerLimits limits;
    private final PathLocks uploadLocks = new PathLocks();
    private final AtomicLong reservedBytes = new AtomicLong();

    ServerServices(ServerLimits limits) {
        this.limits = limits;
    }

    ServerLimits limits() {
        return limits;
    }

    PathLocks uploadLocks() {
        return uploadLocks;
    }

    /**
     * Reserves disk space for an upload so concurrent uploads cannot together overcommit the
     * disk; returns false when {@code bytes} more would not fit in {@code usable}.
     */
    boolean reserve(long bytes, long usable) {
        while (true) {
            long held = reservedBytes.get();
            if (bytes > usable - held) {
                return false;
            }
            if (reservedBytes.compareAndSet(held, held + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        reservedBytes.addAndGet(-bytes);
    }

    /** Bytes promised to uploads in progress. */
    long reserved() {
        return reservedBytes.get();
    }
}
