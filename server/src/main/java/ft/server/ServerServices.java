package ft.server;

import ft.server.metrics.ServerMetrics;
import ft.transfer.BufferBudget;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one server shares among all its requests: its limits, which paths have an upload in
 * progress, the disk space promised to uploads, and the heap their buffers may take. Handlers get it through their
 * {@link RequestContext}, never from {@link FtServer} itself.
 */
final class ServerServices {
    private final ServerLimits limits;
    private final PathLocks uploadLocks = new PathLocks();
    private final AtomicLong reservedBytes = new AtomicLong();

    private final BufferBudget buffers;
    private final ServerMetrics metrics;

    ServerServices(ServerLimits limits, ServerMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
        // A transfer that finds the budget spent waits for buffers as long as a client may take
        // to accept bytes; the memory of 1 000 stalled connections then never exceeds it.
        this.buffers = new BufferBudget(limits.effectiveBufferBudget(), limits.writeTimeout());
    }

    /** The heap all transfers' buffers and list pages share. */
    BufferBudget buffers() {
        return buffers;
    }

    /** What the server counts: requests, bytes, resumes, mismatches. */
    ServerMetrics metrics() {
        return metrics;
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
