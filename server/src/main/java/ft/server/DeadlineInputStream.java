package ft.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The socket's input with two clocks: each read may wait at most the idle timeout, and while
 * a header is arriving the whole header must be in before a deadline. A client that trickles
 * one byte every few seconds (slowloris) therefore cannot hold a connection open for long.
 */
final class DeadlineInputStream extends FilterInputStream {
    private final Socket socket;
    private final int idleMillis;
    private long deadlineNanos;
    private boolean hasDeadline;

    DeadlineInputStream(Socket socket, InputStream in, Duration idle) {
        super(in);
        this.socket = socket;
        this.idleMillis = (int) Math.min(Integer.MAX_VALUE, idle.toMillis());
    }

    void deadlineIn(Duration d) {
        deadlineNanos = System.nanoTime() + d.toNanos();
        hasDeadline = true;
    }

    void noDeadline() {
        hasDeadline = false;
    }

    @Override
    public int read() throws IOException {
        arm();
        try {
            return super.read();
        } catch (SocketTimeoutException e) {
            throw hasDeadline ? new HeaderTooSlowException() : e;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        arm();
        try {
            return super.read(b, off, len);
        } catch (SocketTimeoutException e) {
            throw hasDeadline ? new HeaderTooSlowException() : e;
        }
    }

    private void arm() throws IOException {
        int timeout = idleMillis;
        if (hasDeadline) {
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new HeaderTooSlowException();
            }
            timeout = (int) Math.min(timeout, left);
        }
        socket.setSoTimeout(timeout);
    }

    /** The header deadline passed, or a read waiting for the header ran into it. */
    static final class HeaderTooSlowException extends SocketTimeoutException {
        HeaderTooSlowException() {
            super("header not complete before its deadline");
        }
    }
}
