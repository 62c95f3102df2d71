package ft.client;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Gives up on an upload body that the server stops accepting. A blocking socket write has no
 * timeout of its own, so the sender marks each chunk it hands over and this watchdog closes
 * the connection when no chunk went through for the timeout, which unblocks the write.
 */
final class BodyWatchdog implements AutoCloseable {
    private final Closeable connection;
    private final long timeoutNanos;
    private final Thread thread;
    private volatile long lastProgressNanos = System.nanoTime();
    private boolean closed;
    private volatile boolean fired;

    /** Starts watching at once; a zero timeout (wait forever) watches nothing. */
    BodyWatchdog(Closeable connection, Duration timeout) {
        this.connection = connection;
        this.timeoutNanos = timeout.toNanos();
        this.thread = timeout.isZero() ? null : Thread.ofVirtual().name("ft-upload-watchdog").start(this::watch);
    }

    /** A chunk went through (or is about to be handed over): the clock starts again. */
    void progress() {
        lastProgressNanos = System.nanoTime();
    }

    /** Whether the watchdog closed the connection. */
    boolean fired() {
        return fired;
    }

    private void watch() {
        long tick = Math.max(Duration.ofMillis(20).toNanos(), Math.min(timeoutNanos / 4, Duration.ofSeconds(1).toNanos()));
        while (true) {
            LockSupport.parkNanos(tick);
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (System.nanoTime() - lastProgressNanos > timeoutNanos) {
                    fired = true;
                    try {
                        connection.close();
                    } catch (IOException ignored) {
                        // The blocked write fails either way.
                    }
                    return;
                }
            }
        }
    }

    /** The body is through (or failed): stop watching, without touching the connection. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
