package ft.transfer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A channel that starts flushing what was written to disk while the transfer goes on, so
 * that the fsync a receiver owes before the rename finds little left to do.
 *
 * <p>Linux starts writing dirty pages back only once they pass a share of RAM (gigabytes on
 * a large machine), so without this a 1 GiB body sits in the page cache until the final
 * fsync, which then waits for the whole gigabyte to reach the disk (0.7 s measured here).
 * Every {@link #FLUSH_EVERY} bytes one flush is started on a thread of its own, never more
 * than one at a time, so the disk works while the network and the hash do. The caller still
 * makes the file durable with its own final {@code force}, after {@link #drain}.
 *
 * <p>A failed background flush is reported by the next {@link #write} or by {@link #drain}.
 * Closing this channel does not close the one it wraps.
 */
public final class WriteBehind implements WritableByteChannel {
    /** Large enough that the flushes cost nothing next to the transfer, small enough to leave little for the end. */
    public static final long FLUSH_EVERY = 32L << 20;

    /** Makes what was written so far durable; {@code FileChannel.force(false)} in production. */
    @FunctionalInterface
    public interface Flush {
        void flush() throws IOException;
    }

    private final WritableByteChannel out;
    private final Flush flush;
    private final long flushEvery;
    private long sinceFlush;
    private Thread inFlight;
    private volatile IOException failure;
    private boolean open = true;

    public WriteBehind(WritableByteChannel out, Flush flush, long flushEvery) {
        if (flushEvery <= 0) {
            throw new IllegalArgumentException("flushEvery must be positive: " + flushEvery);
        }
        this.out = out;
        this.flush = flush;
        this.flushEvery = flushEvery;
    }

    /** Flushes {@code file}'s data (not its metadata) every {@link #FLUSH_EVERY} bytes. */
    public static WriteBehind of(FileChannel file) {
        return new WriteBehind(file, () -> file.force(false), FLUSH_EVERY);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        reportFailure();
        int n = out.write(src);
        sinceFlush += n;
        if (sinceFlush >= flushEvery && (inFlight == null || !inFlight.isAlive())) {
            sinceFlush = 0;
            // Virtual: a server receiving many uploads must not pay a platform thread for each.
            inFlight = Thread.ofVirtual().name("write-behind").start(this::flushNow);
        }
        return n;
    }

    private void flushNow() {
        try {
            flush.flush();
        } catch (IOException e) {
            failure = e;
        }
    }

    /** Waits for a flush in flight to end, and reports it if it failed. */
    public void drain() throws IOException {
        Thread t = inFlight;
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a flush to the disk");
            }
        }
        reportFailure();
    }

    private void reportFailure() throws IOException {
        IOException e = failure;
        if (e != null) {
            throw new IOException("flushing to the disk failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isOpen() {
        return open && out.isOpen();
    }

    /** Waits for a flush in flight (a failure is left to the caller's own final force). */
    @Override
    public void close() {
        open = false;
        Thread t = inFlight;
        if (t != null) {
            Uninterruptibly.join(t);
        }
    }
}
