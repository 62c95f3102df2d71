package ft.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads at most {@link Throttle}'s pace: each read is cut to a piece and paid for. */
final class ThrottledInputStream extends FilterInputStream {
    private final Throttle throttle;

    ThrottledInputStream(InputStream in, Throttle throttle) {
        super(in);
        this.throttle = throttle;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            throttle.spend(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, throttle.piece(len));
        if (n > 0) {
            throttle.spend(n);
        }
        return n;
    }
}
