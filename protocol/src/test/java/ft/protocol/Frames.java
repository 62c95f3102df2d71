package ft.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Builds raw wire bytes for tests, independently of {@link FrameWriter}. */
public final class Frames {
    private Frames() {}

    /** A 4-byte big-endian length prefix for any 32-bit pattern (e.g. 0xFFFFFFFF). */
    public static byte[] prefix(long length) {
        return ByteBuffer.allocate(4).putInt((int) length).array();
    }

    /** Prefix plus payload, whatever their sizes. */
    public static byte[] frame(byte[] payload) {
        return concat(prefix(payload.length), payload);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
