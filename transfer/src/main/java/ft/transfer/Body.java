package ft.transfer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.LongConsumer;

/**
 * Moves raw body bytes: exactly the announced count, hashed on the way.
 *
 * <p>Both ends of a transfer do the same thing with a body (receive it into a channel while
 * hashing, or hash a prefix already on disk before resuming), so it lives here once.
 */
public final class Body {
    /** Large enough that per-call overhead disappears next to MD5's cost, small enough to reuse. */
    public static final int BUFFER_BYTES = 256 * 1024;
    /** Bodies at least this long are hashed on a second thread while the caller receives and writes. */
    static final long PIPELINE_MIN_BYTES = 4L * BUFFER_BYTES;

    private Body() {}

    public static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }

    /**
     * Copies exactly {@code length} bytes from {@code in} to {@code out}, updating {@code md5}.
     *
     * @param progress told the running count of bytes copied so far in this call
     * @throws EOFException if {@code in} ends before {@code length} bytes; what arrived was written
     * @throws SinkFailedException if writing to {@code out} failed (a full disk, say), so callers
     *     can tell their own disk's failure from the peer's
     */
    public static void receive(
            InputStream in, WritableByteChannel out, long length, MessageDigest md5, LongConsumer progress)
            throws IOException {
        receive(in, out, length, md5, progress, BufferBudget.UNLIMITED);
    }

    /**
     * As {@link #receive(InputStream, WritableByteChannel, long, MessageDigest, LongConsumer)},
     * with buffers from {@code budget}. Buffers are taken when bytes arrive, never before the
     * first one, and given back whenever nothing is ready to read: a transfer that waits for
     * its peer (for as long as an idle timeout) holds no buffer, only the one byte it waits for.
     */
    public static void receive(
            InputStream in,
            WritableByteChannel out,
            long length,
            MessageDigest md5,
            LongConsumer progress,
            BufferBudget budget)
            throws IOException {
        if (length >= PIPELINE_MIN_BYTES && !budget.limits() && in instanceof ChannelInput c && c.channel() != null) {
            DirectReceive.receive(c, out, length, md5, progress);
            return;
        }
        if (length >= PIPELINE_MIN_BYTES) {
            receivePipelined(in, out, length, md5, progress, budget);
            return;
        }
        int size = (int) Math.min(BUFFER_BYTES, Math.max(1, length));
        byte[] buf = null;
        long done = 0;
        try {
            while (done < length) {
                int first = -1;
                if (!moreReady(in)) {
                    budget.give(buf);
                    buf = null;
                    first = readOne(in); // waits for the peer holding no buffer
                    if (first < 0) {
                        throw cutShort(done, length);
                    }
                }
                if (buf == null) {
                    buf = budget.take(size);
                }
                int want = (int) Math.min(buf.length, length - done);
                int n = 0;
                if (first >= 0) {
                    buf[n++] = (byte) first;
                }
                // After the byte waited for, only what is already there: a peer that stalls
                // right after one byte must not find this buffer held while it does.
                if (n < want && (n == 0 || moreReady(in))) {
                    int more = in.read(buf, n, want - n);
                    if (more < 0) {
                        md5.update(buf, 0, n);
                        write(out, buf, n);
                        progress.accept(done + n);
                        throw cutShort(done + n, length);
                    }
                    n += more;
                }
                md5.update(buf, 0, n);
                write(out, buf, n);
                done += n;
                progress.accept(done);
            }
        } finally {
            budget.give(buf);
        }
    }

    /**
     * Fills a buffer with what has arrived (whole buffers while bytes stream in, so each
     * hand-over to the hashing thread is worth its cost), writes it, then queues it for hashing
     * while the next one fills. Received bytes are never held back waiting for more: a stalled
     * or killed transfer has written all it got, and resumes after it. Before waiting for the
     * peer, the buffers go back to the budget once hashed; the next byte brings them back.
     */
    private static void receivePipelined(
            InputStream in,
            WritableByteChannel out,
            long length,
            MessageDigest md5,
            LongConsumer progress,
            BufferBudget budget)
            throws IOException {
        try (HashingThread hasher = new HashingThread(md5, BUFFER_BYTES, budget)) {
            long done = 0;
            while (done < length) {
                int first = -1;
                if (!moreReady(in)) {
                    hasher.park();
                    try {
                        first = readOne(in);
                    } catch (IOException timeoutOrReset) {
                        hasher.finish();
                        throw timeoutOrReset;
                    }
                    if (first < 0) {
                        hasher.finish();
                        throw cutShort(done, length);
                    }
                    hasher.unpark();
                }
                byte[] buf;
                try {
                    buf = hasher.emptyBuffer();
                } catch (IOException noMemory) {
                    // The digest must cover exactly what was written, for a saved state to resume
                    // from; a byte just read cannot be kept without a buffer: the peer resends it.
                    hasher.finish();
                    throw noMemory;
                }
                int want = (int) Math.min(buf.length, length - done);
                int filled = 0;
                if (first >= 0) {
                    buf[filled++] = (byte) first;
                }
                while (filled < want && (filled == 0 || moreReady(in))) {
                    int n;
                    try {
                        n = in.read(buf, filled, want - filled);
                    } catch (IOException timeoutOrReset) {
                        keep(out, hasher, buf, filled, done, progress);
                        throw timeoutOrReset;
                    }
                    if (n < 0) {
                        keep(out, hasher, buf, filled, done, progress);
                        throw cutShort(done + filled, length);
                    }
                    filled += n;
                }
                try {
                    write(out, buf, filled);
                } catch (SinkFailedException e) {
                    hasher.giveBack(buf);
                    throw e;
                }
                hasher.hash(buf, filled);
                done += filled;
                progress.accept(done);
            }
            hasher.finish();
        }
    }

    /** The next byte, or -1 at the end; through the array read, which every stream implements for real. */
    private static int readOne(InputStream in) throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = in.read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    private static boolean moreReady(InputStream in) {
        try {
            return in.available() > 0;
        } catch (IOException closed) {
            return false; // the next read reports it
        }
    }

    /**
     * Writes what arrived before the connection failed, so that a rerun resumes after it, and
     * lets the hash catch up with it: the digest then covers exactly the bytes written, and a
     * receiver that saves its state ({@link Md5State}) resumes without reading them back.
     */
    private static void keep(
            WritableByteChannel out, HashingThread hasher, byte[] buf, int filled, long done, LongConsumer progress)
            throws IOException {
        write(out, buf, filled);
        progress.accept(done + filled);
        hasher.hash(buf, filled);
        hasher.finish();
    }

    private static void write(WritableByteChannel out, byte[] buf, int n) throws SinkFailedException {
        ByteBuffer wrapped = ByteBuffer.wrap(buf, 0, n);
        try {
            while (wrapped.hasRemaining()) {
                out.write(wrapped);
            }
        } catch (IOException e) {
            throw new SinkFailedException(e);
        }
    }

    private static EOFException cutShort(long done, long length) {
        return new EOFException("connection closed after " + done + " of " + length + " body bytes");
    }

    /**
     * Feeds the first {@code length} bytes of {@code in} to {@code md5}.
     *
     * @throws EOFException if the channel holds fewer bytes
     */
    public static void hash(ReadableByteChannel in, long length, MessageDigest md5) throws IOException {
        hash(in, length, md5, done -> {});
    }

    /** As {@link #hash(ReadableByteChannel, long, MessageDigest)}, telling {@code progress} the bytes hashed so far. */
    public static void hash(ReadableByteChannel in, long length, MessageDigest md5, LongConsumer progress)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(BUFFER_BYTES, Math.max(1, length)));
        long done = 0;
        while (done < length) {
            buf.clear().limit((int) Math.min(buf.capacity(), length - done));
            int n = in.read(buf);
            if (n < 0) {
                throw new EOFException("only " + done + " of " + length + " bytes to hash");
            }
            md5.update(buf.array(), 0, n);
            done += n;
            progress.accept(done);
        }
    }

    /** Writing a received body failed on the receiving side; the cause is the local error. */
    public static final class SinkFailedException extends IOException {
        SinkFailedException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
