package ft.transfer;

import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A digest fed on a thread of its own, so that hashing a body overlaps with receiving and
 * writing it: on two cores a verified transfer then costs about the hash alone, not the hash
 * plus the copies.
 *
 * <p>The caller borrows a buffer ({@link #emptyBuffer}), fills it, hands it over
 * ({@link #hash}), and ends with {@link #finish}, after which the digest holds every byte in
 * order. A small fixed set of buffers keeps memory per transfer bounded, and a slow hash
 * slows the caller down instead of queueing without end. {@link #close} without
 * {@link #finish} abandons the digest (a failed transfer's digest is never used).
 */
final class HashingThread implements AutoCloseable {
    private static final int BUFFERS = 3;

    private record Chunk(byte[] bytes, int length) {}

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final MessageDigest digest;
    private final BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread thread;

    HashingThread(MessageDigest digest, int bufferBytes) {
        this.digest = digest;
        for (int i = 0; i < BUFFERS; i++) {
            empty.add(new byte[bufferBytes]);
        }
        // Virtual: a server with many uploads must not pay a platform thread for each.
        thread = Thread.ofVirtual().name("md5").start(this::run);
    }

    private void run() {
        try {
            for (Chunk c = full.take(); c != END; c = full.take()) {
                digest.update(c.bytes(), 0, c.length());
                empty.add(c.bytes());
            }
        } catch (InterruptedException abandoned) {
            // close() without finish(): nobody will read the digest
        }
    }

    /** A buffer to fill; waits while all of them are queued for hashing. */
    byte[] emptyBuffer() throws InterruptedIOException {
        try {
            return empty.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the hash to catch up");
        }
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

    @Override
    public void close() {
        if (thread.isAlive()) {
            thread.interrupt();
            Uninterruptibly.join(thread);
        }
    }
}
