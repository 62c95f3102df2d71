package ft.server;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops clients that stop reading. A blocking socket write has no timeout of its own, so
 * each connection marks when a write starts and ends, and this watchdog closes the channel of
 * any write that has made no progress for the write timeout, which unblocks the writer.
 */
final class WriteWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteWatchdog.class);

    /** One connection's write clock. */
    static final class Clock {
        private final SocketChannel channel;
        private volatile long writingSinceNanos;

        Clock(SocketChannel channel) {
            this.channel = channel;
        }

        /** A write (or another chunk of one) is starting now. */
        void writing() {
            writingSinceNanos = System.nanoTime();
        }

        void idle() {
            writingSinceNanos = 0;
        }
    }

    private final long timeoutNanos;
    private final Map<Clock, Boolean> clocks = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    WriteWatchdog(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.thread = Thread.ofVirtual().name("ft-write-watchdog").start(this::watch);
    }

    Clock register(SocketChannel channel) {
        Clock clock = new Clock(channel);
        clocks.put(clock, Boolean.TRUE);
        return clock;
    }

    void unregister(Clock clock) {
        clocks.remove(clock);
    }

    private void watch() {
        long tick = Math.max(Duration.ofMillis(20).toNanos(), Math.min(timeoutNanos / 4, Duration.ofSeconds(1).toNanos()));
        while (!closed) {
            LockSupport.parkNanos(tick);
            long now = System.nanoTime();
            for (Clock clock : clocks.keySet()) {
                long since = clock.writingSinceNanos;
                if (since != 0 && now - since > timeoutNanos) {
                    LOG.info("closing a connection whose client read nothing for {} ms", timeoutNanos / 1_000_000);
                    try {
                        clock.channel.close();
                    } catch (IOException e) {
                        LOG.debug("close failed: {}", e.toString());
                    }
                    clocks.remove(clock);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
