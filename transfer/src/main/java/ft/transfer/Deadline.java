package ft.transfer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A time limit on blocking calls that have none of their own (a socket write, a TLS
 * handshake, a body nobody accepts), in the manner of Okio's {@code AsyncTimeout}: the caller
 * brackets each blocking call with {@link #enter()} and {@link #exit()}, and if a call is still
 * inside when the timeout has passed, one watchdog thread for the whole process runs the
 * deadline's action, which closes the resource and so unblocks the call. {@link #exit()} then
 * says that it expired, so the caller can report a timeout rather than "socket closed".
 *
 * <p>Entering again restarts the clock: a body written in chunks, entering per chunk, is
 * given up only when one chunk makes no progress for the timeout. Entering and exiting
 * usually cost two field writes and an uncontended lock: a deadline stays in the watchdog's
 * queue while re-entered, and the watchdog, waking at the time it was queued for, re-queues
 * it at its current deadline instead of firing.
 *
 * <p>Reads need none of this: {@link java.net.Socket#setSoTimeout} gives them a timeout in
 * the kernel that leaves the socket usable (the server still answers a header that came too
 * slowly), so ft uses it for reads and this class for what it cannot cover.
 *
 * <p>Thread-safe. The action runs on the watchdog thread, at most once per {@link #enter()},
 * and must not block for long (closing a socket is fine).
 */
public final class Deadline {
    private final long timeoutNanos;
    private final Runnable onExpiry;

    // Guarded by this.
    private boolean inside;
    private long deadlineNanos;
    private boolean expiredInside;
    private boolean expired;

    // Written under Watchdog.LOCK (and, by the watchdog, under this too); read without a lock
    // by enter()'s fast path.
    private volatile boolean queued;
    private volatile long queuedForNanos;

    private Deadline(Duration timeout, Runnable onExpiry) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout: " + timeout);
        }
        this.timeoutNanos = timeout.isZero() ? 0 : Math.max(1, saturatedNanos(timeout));
        this.onExpiry = onExpiry;
    }

    /**
     * A deadline that runs {@code onExpiry} (typically closing a socket) when a call is inside
     * for longer than {@code timeout}; a zero timeout never expires.
     */
    public static Deadline of(Duration timeout, Runnable onExpiry) {
        return new Deadline(timeout, onExpiry);
    }

    /** Starts (or restarts) the clock for a blocking call. */
    public void enter() {
        if (timeoutNanos == 0) {
            return;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (this) {
            inside = true;
            expiredInside = false;
            deadlineNanos = deadline;
        }
        Watchdog.schedule(this, deadline);
    }

    /**
     * Stops the clock; whether the deadline expired since the last {@link #enter()} (its action
     * has run then, or is running).
     */
    public boolean exit() {
        synchronized (this) {
            inside = false;
            return expiredInside;
        }
    }

    /** Whether the deadline ever expired. */
    public synchronized boolean expired() {
        return expired;
    }

    /** Runs {@code call} inside this deadline: {@link #enter()}, the call, {@link #exit()}. */
    public <T, E extends Exception> T run(Call<T, E> call) throws E {
        enter();
        try {
            return call.call();
        } finally {
            exit();
        }
    }

    /** A blocking call. */
    @FunctionalInterface
    public interface Call<T, E extends Exception> {
        T call() throws E;
    }

    /** {@code out}, each write and flush inside this deadline. */
    public OutputStream watch(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                enter();
                try {
                    out.write(b, off, len);
                } finally {
                    exit();
                }
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void flush() throws IOException {
                enter();
                try {
                    out.flush();
                } finally {
                    exit();
                }
            }
        };
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** The one thread that watches every deadline, with a queue ordered by wake-up time. */
    private static final class Watchdog {
        private static final ReentrantLock LOCK = new ReentrantLock();
        private static final Condition CHANGED = LOCK.newCondition();
        private static final PriorityQueue<Deadline> QUEUE =
                new PriorityQueue<>((a, b) -> Long.compare(a.queuedForNanos - b.queuedForNanos, 0));
        private static Thread thread;

        static void schedule(Deadline d, long deadline) {
            if (d.queued && d.queuedForNanos - deadline <= 0) {
                // Queued for no later than this: when the watchdog wakes for it, it finds the deadline
                // entered (it checks under the deadline's lock, which enter() took before this read)
                // and re-queues it. So re-entering, the common case, takes no global lock.
                return;
            }
            LOCK.lock();
            try {
                if (d.queued && d.queuedForNanos - deadline <= 0) {
                    // Already queued for no later than this: the watchdog re-queues it when it wakes.
                    return;
                }
                if (d.queued) {
                    QUEUE.remove(d);
                }
                d.queuedForNanos = deadline;
                d.queued = true;
                QUEUE.add(d);
                if (thread == null) {
                    // A platform thread: a virtual one could wait behind the carriers it should free.
                    thread = Thread.ofPlatform()
                            .name("ft-deadlines")
                            .daemon(true)
                            .start(Watchdog::run);
                } else if (QUEUE.peek() == d) {
                    CHANGED.signal();
                }
            } finally {
                LOCK.unlock();
            }
        }

        private static void run() {
            while (true) {
                Deadline fire = null;
                LOCK.lock();
                try {
                    Deadline head = QUEUE.peek();
                    if (head == null) {
                        CHANGED.awaitUninterruptibly();
                        continue;
                    }
                    long now = System.nanoTime();
                    long wait = head.queuedForNanos - now;
                    if (wait > 0) {
                        CHANGED.awaitNanos(wait);
                        continue;
                    }
                    QUEUE.poll();
                    synchronized (head) {
                        if (head.inside && head.deadlineNanos - now > 0) {
                            // Re-entered since it was queued: wake up again at its current deadline.
                            head.queuedForNanos = head.deadlineNanos;
                            QUEUE.add(head);
                            continue;
                        }
                        head.queued = false;
                        if (head.inside) {
                            head.inside = false;
                            head.expiredInside = true;
                            head.expired = true;
                            fire = head;
                        }
                    }
                } catch (InterruptedException e) {
                    // Nobody interrupts this thread on purpose; go on watching.
                } finally {
                    LOCK.unlock();
                }
                if (fire != null) {
                    try {
                        fire.onExpiry.run();
                    } catch (RuntimeException e) {
                        // An action that fails (a close that throws) must not stop the other deadlines.
                    }
                }
            }
        }
    }
}
