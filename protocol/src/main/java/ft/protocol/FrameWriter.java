package ft.protocol;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes length-prefixed frames. It does not flush: a caller that sends a header and a
 * body lets both leave in as few packets as possible, and flushes when it waits for an
 * answer.
 */
public final class FrameWriter {
    private final OutputStream out;

    public FrameWriter(OutputStream out) {
        this.out = out;
    }

    public void writeFrame(byte[] payload) throws IOException {
        if (payload.length == 0 || payload.length > Protocol.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame payload must be 1.." + Protocol.MAX_FRAME_BYTES
                    + " bytes, not " + payload.length);
        }
        int n = payload.length;
        out.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        out.write(payload);
    }

    /** Writes raw body bytes, unframed, after a header (their length is in the header). */
    public void writeBody(byte[] body) throws IOException {
        out.write(body);
    }

    public void flush() throws IOException {
        out.flush();
    }
}
