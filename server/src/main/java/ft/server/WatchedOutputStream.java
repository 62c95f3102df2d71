package ft.server;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Stamps every write on the connection's {@link WriteWatchdog.Clock}. */
final class WatchedOutputStream extends FilterOutputStream {
    private final WriteWatchdog.Clock clock;

    WatchedOutputStream(OutputStream out, WriteWatchdog.Clock clock) {
        super(out);
        this.clock = clock;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        clock.writing();
        try {
            out.write(b, off, len);
        } finally {
            clock.idle();
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
        clock.writing();
        try {
            out.flush();
        } finally {
            clock.idle();
        }
    }
}
