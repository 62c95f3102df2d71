package ft.transfer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;

/**
 * A large body received through direct buffers: socket to buffer and buffer to file with no
 * copy in between, the hash on a thread of its own reading the same buffers.
 *
 * <p>The same contract as {@link Body#receive}: exactly the announced count, every received
 * byte written before a failure is reported (so a rerun resumes after it), and the digest
 * covering exactly the bytes written. Used only where buffers are not budgeted (the client):
 * direct memory is outside the server's {@link BufferBudget}.
 */
final class DirectReceive implements AutoCloseable {
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final MessageDigest digest;
    private final BlockingQueue<ByteBuffer> empty = new ArrayBlockingQueue<>(HashingThread.BUFFERS);
    private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(HashingThread.BUFFERS + 1);
    private final Thread thread;
    private int made;
    /** What the stream had buffered is copied through this on its way into a direct buffer. */
    private final byte[] scratch = new byte[64 * 1024];

    private DirectReceive(MessageDigest digest) {
        this.digest = digest;
        // A platform thread: on the client it is one of two busy threads, and a carrier hop per
        // buffer (a virtual thread) showed in its profile.
        thread = Thread.ofPlatform().daemon().name("md5").start(this::hashLoop);
    }

    static void receive(ChannelInput in, WritableByteChannel out, long length, MessageDigest md5, LongConsumer progress)
            throws IOException {
        try (DirectReceive r = new DirectReceive(md5)) {
            r.run(in, in.channel(), out, length, progress);
        }
    }

    private void run(
            ChannelInput in, ReadableByteChannel channel, WritableByteChannel out, long length, LongConsumer progress)
            throws IOException {
        long done = 0;
        while (done < length) {
            ByteBuffer buf = emptyBuffer();
            buf.clear().limit((int) Math.min(buf.capacity(), length - done));
            try {
                fill(in, channel, buf);
            } catch (IOException timeoutResetOrEnd) {
                int kept = keep(out, buf, done, progress);
                if (timeoutResetOrEnd instanceof EOFException) {
                    throw new EOFException(
                            "connection closed after " + (done + kept) + " of " + length + " body bytes");
                }
                throw timeoutResetOrEnd;
            }
            buf.flip();
            int n = buf.remaining();
            write(out, buf);
            buf.rewind();
            full.add(buf);
            done += n;
            progress.accept(done);
        }
        finish();
    }

    /**
     * Fills {@code buf} with what has arrived: at least one byte (waiting for it through the
     * stream, whose timeout applies), then only what is already there, so received bytes are
     * never held back waiting for more.
     */
    private void fill(ChannelInput in, ReadableByteChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            int buffered = in.buffered();
            if (buffered > 0) {
                int n = in.read(scratch, 0, Math.min(Math.min(buffered, scratch.length), buf.remaining()));
                buf.put(scratch, 0, n);
                continue;
            }
            boolean ready = in.available() > 0;
            if (!ready && buf.position() > 0) {
                return;
            }
            if (!ready) {
                // Waits with the stream's timeout; the stream may buffer more than this byte,
                // which the next round copies.
                int n = in.read(scratch, 0, 1);
                if (n < 0) {
                    throw new EOFException();
                }
                buf.put(scratch[0]);
                continue;
            }
            // Bytes are waiting in the socket, so this blocking read returns at once.
            if (channel.read(buf) < 0) {
                throw new EOFException();
            }
        }
    }

    /** After a failure: writes and hashes what this buffer got, so the digest matches the file. */
    private int keep(WritableByteChannel out, ByteBuffer buf, long done, LongConsumer progress) throws IOException {
        buf.flip();
        int n = buf.remaining();
        write(out, buf);
        buf.rewind();
        full.add(buf);
        progress.accept(done + n);
        finish();
        return n;
    }

    private ByteBuffer emptyBuffer() throws InterruptedIOException {
        ByteBuffer b = empty.poll();
        if (b != null) {
            return b;
        }
        if (made < HashingThread.BUFFERS) {
            made++;
            return ByteBuffer.allocateDirect(Body.BUFFER_BYTES);
        }
        try {
            return empty.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the hash to catch up");
        }
    }

    private void hashLoop() {
        byte[] bytes = new byte[Body.BUFFER_BYTES];
        try {
            for (ByteBuffer b = full.take(); b != END; b = full.take()) {
                int n = b.remaining();
                b.get(bytes, 0, n);
                digest.update(bytes, 0, n);
                empty.add(b);
            }
        } catch (InterruptedException abandoned) {
            // close() without finish(): nobody reads the digest
        }
    }

    private void finish() throws InterruptedIOException {
        full.add(END);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the hash to finish");
        }
    }

    private static void write(WritableByteChannel out, ByteBuffer buf) throws Body.SinkFailedException {
        try {
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        } catch (IOException e) {
            throw new Body.SinkFailedException(e);
        }
    }

    @Override
    public void close() {
        if (thread.isAlive()) {
            thread.interrupt();
            Uninterruptibly.join(thread);
        }
    }
}
