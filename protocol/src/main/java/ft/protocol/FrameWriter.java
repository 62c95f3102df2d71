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
            throw new IllegalArgumentException(
                    "frame payload must be 1.." + Protocol.MAX_FRAME_BYTES + " bytes, not " + payload.length);
        }
        int n = payload.length;
        out.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        out.write(payload);
    }

    /**
     * Writes a frame and the raw body that follows it as one write to the stream, so that a
     * buffered stream passes them on in one piece rather than as two.
     */
    public void writeFrameWithBody(byte[] payload, byte[] body) throws IOException {
        if (payload.length == 0 || payload.length > Protocol.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException(
                    "frame payload must be 1.." + Protocol.MAX_FRAME_BYTES + " bytes, not " + payload.length);
        }
        int n = payload.length;
        byte[] all = new byte[4 + n + body.length];
        all[0] = (byte) (n >>> 24);
        all[1] = (byte) (n >>> 16);
        all[2] = (byte) (n >>> 8);
        all[3] = (byte) n;
        System.arraycopy(payload, 0, all, 4, n);
        System.arraycopy(body, 0, all, 4 + n, body.length);
        out.write(all);
    }

    public void flush() throws IOException {
        out.flush();
    }
}
