package ft.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads length-prefixed frames: a 4-byte unsigned big-endian length N, then N bytes.
 *
 * <p>The length is checked before any buffer is allocated, so a hostile prefix costs the
 * reader four bytes of input and nothing else. After a frame the stream is positioned on
 * the first byte that follows it, which is where a body starts.
 */
public final class FrameReader {
    private final InputStream in;

    public FrameReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads the next frame's payload.
     *
     * @return the payload, or {@code null} if the stream ended cleanly before a new frame
     * @throws ProtocolException with {@link ErrorCode#HEADER_TOO_LARGE} for a length over
     *     {@link Protocol#MAX_FRAME_BYTES}, {@link ErrorCode#BAD_REQUEST} for a zero length
     *     or a frame cut short by the end of the stream
     */
    public byte[] readFrame() throws IOException, ProtocolException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        long length = ((long) b0 << 24) | (readByte() << 16) | (readByte() << 8) | readByte();
        if (length == 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "empty frame (length 0)");
        }
        if (length > Protocol.MAX_FRAME_BYTES) {
            throw new ProtocolException(
                    ErrorCode.HEADER_TOO_LARGE,
                    "frame of " + length + " bytes exceeds the limit of " + Protocol.MAX_FRAME_BYTES);
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length != length) {
            throw truncated();
        }
        return payload;
    }

    /** Reads a frame where the stream may not end: end of stream is a {@link EOFException}. */
    public byte[] readRequiredFrame() throws IOException, ProtocolException {
        byte[] frame = readFrame();
        if (frame == null) {
            throw new EOFException("connection closed before a header arrived");
        }
        return frame;
    }

    private long readByte() throws IOException, ProtocolException {
        int b = in.read();
        if (b < 0) {
            throw truncated();
        }
        return b;
    }

    private static ProtocolException truncated() {
        return new ProtocolException(ErrorCode.BAD_REQUEST, "frame cut short by the end of the stream");
    }
}
