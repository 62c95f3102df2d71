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
        if (length >= PIPELINE_MIN_BYTES) {
            receivePipelined(in, out, length, md5, progress);
            return;
        }
        byte[] buf = new byte[(int) Math.min(BUFFER_BYTES, Math.max(1, length))];
        long done = 0;
        while (done < length) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, length - done));
            if (n < 0) {
                throw cutShort(done, length);
            }
            md5.update(buf, 0, n);
            write(out, buf, n);
            done += n;
            progress.accept(done);
        }
    }

    /**
     * Fills a buffer with what has arrived (whole buffers while bytes stream in, so each
     * hand-over to the hashing thread is worth its cost), writes it, then queues it for hashing
     * while the next one fills. Received bytes are never held back waiting for more: a stalled
     * or killed transfer has written all it got, and resumes after it.
     */
    private static void receivePipelined(
            InputStream in, WritableByteChannel out, long length, MessageDigest md5, LongConsumer progress)
            throws IOException {
        try (HashingThread hasher = new HashingThread(md5, BUFFER_BYTES)) {
            long done = 0;
            while (done < length) {
                byte[] buf = hasher.emptyBuffer();
                int want = (int) Math.min(buf.length, length - done);
                int filled = 0;
                do {
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
                } while (filled < want && moreReady(in));
                write(out, buf, filled);
                hasher.hash(buf, filled);
                done += filled;
                progress.accept(done);
            }
            hasher.finish();
        }
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
