package ft.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A peer's bytes as a test hands them over, in chunks: reads block like a socket's while none
 * is queued, and {@link #available()} says more is ready only when it is, so a receiver waits
 * for the peer exactly where it would on a socket that went quiet.
 */
final class QueuedNetwork extends InputStream {
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int pos;

    /** Lets {@code chunk} arrive, after every chunk sent before. */
    void send(byte[] chunk) {
        chunks.add(chunk);
    }

    @Override
    public int read() {
        throw new UnsupportedOperationException("a body is read in arrays");
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (pos == current.length) {
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            }
            pos = 0;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current.length - pos + (chunks.isEmpty() ? 0 : 1);
    }
}
