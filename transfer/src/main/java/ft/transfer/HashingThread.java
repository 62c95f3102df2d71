package ft.transfer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A digest fed on a thread of its own, so that hashing a body overlaps with receiving and
 * writing it: on two cores a verified transfer then costs about the hash alone, not the hash
 * plus the copies.
 *
 * <p>The caller borrows a buffer ({@link #emptyBuffer}), fills it, hands it over
 * ({@link #hash}), and ends with {@link #finish}, after which the digest holds every byte in
 * order. At most {@link #BUFFERS} buffers per transfer keep memory bounded, and a slow hash
 * slows the caller down instead of queueing without end. {@link #close} without
 * {@link #finish} abandons the digest (a failed transfer's digest is never used).
 *
 * <p>Buffers come from a {@link BufferBudget} only when the caller asks for one, that is when
 * bytes arrive; while the caller waits for the network ({@link #park}) every buffer goes back
 * to the budget as soon as the hash is done with it, so a stalled transfer holds none.
 */
final class HashingThread implements AutoCloseable {
    /**
     * Slack between the receiving thread and the hash: 4 MiB, about 6 ms of MD5 on a 2 GHz
     * core, longer than a scheduler time slice. With 3 buffers on a loaded 2-core machine the
     * two threads took turns instead of overlapping: in a 1 GiB get the hash sat idle for
     * seconds while the receiver waited for it for seconds more.
     */
    static final int BUFFERS = 16;

    private record Chunk(byte[] bytes, int length) {}

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final MessageDigest digest;
    private final BufferBudget budget;
    private final int bufferBytes;
    private final BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread thread;
    /** Buffers taken from the budget and not given back; guarded by this. */
    private int owned;
    /** The caller waits for the network: hashed buffers go back to the budget; guarded by this. */
    private boolean parked;

    HashingThread(MessageDigest digest, int bufferBytes) {
        this(digest, bufferBytes, BufferBudget.UNLIMITED);
    }

    HashingThread(MessageDigest digest, int bufferBytes, BufferBudget budget) {
        this.digest = digest;
        this.budget = budget;
        this.bufferBytes = bufferBytes;
        // Virtual: a server with many uploads must not pay a platform thread for each.
        thread = Thread.ofVirtual().name("md5").start(this::run);
    }

    private void run() {
        try {
            for (Chunk c = full.take(); c != END; c = full.take()) {
                digest.update(c.bytes(), 0, c.length());
                hashed(c.bytes());
            }
        } catch (InterruptedException abandoned) {
            // close() without finish(): nobody will read the digest
        }
    }

    private synchronized void hashed(byte[] buffer) {
        if (parked) {
            owned--;
            budget.give(buffer);
        } else {
            empty.add(buffer);
        }
    }

    /**
     * A buffer to fill: one the hash is done with, else a new one from the budget while this
     * transfer holds fewer than {@link #BUFFERS}; waits while all of them are queued for hashing,
     * or (holding none) while the budget is spent.
     */
    byte[] emptyBuffer() throws IOException {
        byte[] b = empty.poll();
        if (b != null) {
            return b;
        }
        boolean inFlight;
        synchronized (this) {
            if (owned < BUFFERS) {
                b = budget.tryTake(bufferBytes);
                if (b != null) {
                    owned++;
                    return b;
                }
            }
            inFlight = owned > 0;
        }
        if (inFlight) {
            // The budget is spent but this transfer's own buffers come back as they are hashed.
            try {
                return empty.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the hash to catch up");
            }
        }
        b = budget.take(bufferBytes); // backpressure: waits for others to give some back
        synchronized (this) {
            owned++;
        }
        return b;
    }

    /** The caller is about to wait for the network: hold no buffer meanwhile. */
    synchronized void park() {
        if (!budget.limits()) {
            return; // nothing to give back to, and buffers made anew each time would only churn
        }
        parked = true;
        for (byte[] b = empty.poll(); b != null; b = empty.poll()) {
            owned--;
            budget.give(b);
        }
    }

    /** Bytes came: buffers the hash is done with come back to this transfer again. */
    synchronized void unpark() {
        parked = false;
    }

    /** Gives back a buffer the caller took and will not hand over. */
    synchronized void giveBack(byte[] buffer) {
        owned--;
        budget.give(buffer);
    }

    /** Queues the first {@code length} bytes of {@code buffer}; the buffer comes back through {@link #emptyBuffer}. */
    void hash(byte[] buffer, int length) {
        full.add(new Chunk(buffer, length));
    }

    /** Waits until every queued byte is in the digest. */
    void finish() throws InterruptedIOException {
        full.add(END);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the hash to finish");
        }
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /** Buffers this transfer holds from its budget. */
    synchronized int owned() {
        return owned;
    }

    /** Ends the hashing thread and gives every buffer back to the budget. */
    @Override
    public void close() {
        if (thread.isAlive()) {
            thread.interrupt();
            Uninterruptibly.join(thread);
        }
        ArrayDeque<byte[]> left = new ArrayDeque<>(empty);
        empty.clear();
        for (Chunk c : full) {
            if (c != END) {
                left.add(c.bytes());
            }
        }
        full.clear();
        synchronized (this) {
            for (byte[] b : left) {
                owned--;
                budget.give(b);
            }
        }
    }
}
