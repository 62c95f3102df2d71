package ft.protocol;

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
    public static void receive(InputStream in, WritableByteChannel out, long length, MessageDigest md5,
                               LongConsumer progress) throws IOException {
        byte[] buf = new byte[(int) Math.min(BUFFER_BYTES, Math.max(1, length))];
        ByteBuffer wrapped = ByteBuffer.wrap(buf);
        long done = 0;
        while (done < length) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, length - done));
            if (n < 0) {
                throw new EOFException("connection closed after " + done + " of " + length + " body bytes");
            }
            md5.update(buf, 0, n);
            wrapped.clear().limit(n);
            try {
                while (wrapped.hasRemaining()) {
                    out.write(wrapped);
                }
            } catch (IOException e) {
                throw new SinkFailedException(e);
            }
            done += n;
            progress.accept(done);
        }
    }

    /**
     * Feeds the first {@code length} bytes of {@code in} to {@code md5}.
     *
     * @throws EOFException if the channel holds fewer bytes
     */
    public static void hash(ReadableByteChannel in, long length, MessageDigest md5) throws IOException {
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

        /** Whether the local error was a full disk or an exhausted quota. */
        public boolean isNoSpace() {
            String m = String.valueOf(getCause().getMessage());
            return m.contains("No space left") || m.contains("Disk quota exceeded");
        }
    }
}
