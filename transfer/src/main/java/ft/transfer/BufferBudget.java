package ft.transfer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Heap a whole process may spend on transfer buffers (and other per-request memory such as a
 * list page), shared by all its transfers, so that many connections cannot together exhaust
 * the heap: a server of 1 000 connections each holding three 256 KiB buffers needs 750 MiB.
 *
 * <p>A transfer takes buffers only while bytes are arriving and gives them back as soon as it
 * would wait for the network ({@link Body#receive}). When the budget is spent a taker waits
 * (backpressure: its peer's bytes stay in the socket) for buffers that others give back, at
 * most {@code maxWait}, then fails with {@link ShortOfMemoryException}. Buffers of
 * {@link Body#BUFFER_BYTES} that come back are kept for reuse, counted against the budget, and
 * dropped when a request of another size needs their room.
 */
public final class BufferBudget {
    /** No limit: buffers are allocated and dropped as before (clients, tests, tools). */
    public static final BufferBudget UNLIMITED = new BufferBudget(Long.MAX_VALUE, Duration.ZERO);

    private final long capacity;
    private final long maxWaitNanos;
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    /** Bytes handed out plus bytes kept in {@link #spare}; guarded by this. */
    private long held;

    private long handedOut;
    private long peak;

    /**
     * @param capacity bytes that may be held at once
     * @param maxWait  how long a taker waits for room before failing
     */
    public BufferBudget(long capacity, Duration maxWait) {
        if (capacity < Body.BUFFER_BYTES) {
            throw new IllegalArgumentException(
                    "a buffer budget must hold at least one " + Body.BUFFER_BYTES + "-byte buffer: " + capacity);
        }
        this.capacity = capacity;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** Whether this budget limits anything. */
    public boolean limits() {
        return capacity != Long.MAX_VALUE;
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes taken and not given back yet (not counting spare buffers kept for reuse). */
    public synchronized long inUse() {
        return handedOut;
    }

    /** The most {@link #inUse} ever was. */
    public synchronized long peakInUse() {
        return peak;
    }

    /** A buffer of {@code size} bytes, waiting (at most the budget's wait) for room. */
    public byte[] take(int size) throws IOException {
        byte[] b = take(size, true);
        if (b == null) {
            throw new ShortOfMemoryException();
        }
        return b;
    }

    /** A buffer of {@code size} bytes, or null at once when the budget is spent. */
    public byte[] tryTake(int size) throws InterruptedIOException {
        return take(size, false);
    }

    private byte[] take(int size, boolean wait) throws InterruptedIOException {
        if (!limits()) {
            return new byte[size];
        }
        synchronized (this) {
            if (size == Body.BUFFER_BYTES && !spare.isEmpty()) {
                return handOut(spare.pop());
            }
            if (!makeRoom(size, wait)) {
                return null;
            }
            held += size;
            handOut(size);
        }
        // Allocated outside the lock: zeroing 256 KiB must not hold up others giving back.
        return new byte[size];
    }

    /** Gives back what {@link #take} or {@link #tryTake} handed out. */
    public void give(byte[] buffer) {
        if (buffer == null || !limits()) {
            return;
        }
        synchronized (this) {
            handedOut -= buffer.length;
            if (buffer.length == Body.BUFFER_BYTES) {
                spare.push(buffer);
            } else {
                held -= buffer.length;
            }
            notifyAll();
        }
    }

    /** Reserves {@code bytes} that are not a buffer (a list page, say); waits as {@link #take} does. */
    public void acquire(long bytes) throws IOException {
        if (!limits()) {
            return;
        }
        synchronized (this) {
            if (!makeRoom(bytes, true)) {
                throw new ShortOfMemoryException();
            }
            held += bytes;
            handOut(bytes);
        }
    }

    /** Gives back what {@link #acquire} reserved. */
    public void release(long bytes) {
        if (!limits()) {
            return;
        }
        synchronized (this) {
            handedOut -= bytes;
            held -= bytes;
            notifyAll();
        }
    }

    private byte[] handOut(byte[] buffer) {
        handOut(buffer.length);
        return buffer;
    }

    private void handOut(long bytes) {
        handedOut += bytes;
        peak = Math.max(peak, handedOut);
    }

    /** Whether {@code bytes} more fit, dropping spare buffers and waiting as needed; called holding the lock. */
    private boolean makeRoom(long bytes, boolean wait) throws InterruptedIOException {
        if (bytes > capacity) {
            return false;
        }
        long deadline = System.nanoTime() + maxWaitNanos;
        while (true) {
            while (held + bytes > capacity && !spare.isEmpty()) {
                held -= spare.pop().length;
            }
            if (held + bytes <= capacity) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (!wait || left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for memory");
            }
        }
    }

    @Override
    public String toString() {
        return limits() ? "BufferBudget[" + capacity + " bytes]" : "BufferBudget[unlimited]";
    }

    /** The budget stayed spent for as long as a taker may wait. */
    public static final class ShortOfMemoryException extends IOException {
        ShortOfMemoryException() {
            super("the server is short of memory for transfers; try again in a moment");
        }
    }
}
