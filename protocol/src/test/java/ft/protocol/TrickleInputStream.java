package ft.protocol;

import java.io.InputStream;

/**
 * An in-memory stream that hands out at most one byte per call, through {@link #read()} and
 * {@link #read(byte[], int, int)} alike, the way a slow socket may, and counts what it has
 * handed out so a test can see exactly how far a reader went.
 */
public final class TrickleInputStream extends InputStream {
    private final byte[] data;
    private int position;
    private int readCalls;

    public TrickleInputStream(byte[] data) {
        this.data = data.clone();
    }

    /** Bytes handed out so far. */
    public int consumed() {
        return position;
    }

    /** Calls of either read method so far. */
    public int readCalls() {
        return readCalls;
    }

    /** The bytes not handed out yet. */
    public byte[] rest() {
        return java.util.Arrays.copyOfRange(data, position, data.length);
    }

    @Override
    public int read() {
        readCalls++;
        return position < data.length ? data[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        readCalls++;
        if (len == 0) {
            return 0;
        }
        if (position >= data.length) {
            return -1;
        }
        b[off] = data[position++];
        return 1;
    }

    @Override
    public int available() {
        return Math.min(1, data.length - position);
    }
}
