package ft.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameReaderTest {
    private static final byte[] HELLO = "{\"op\":\"hello\",\"version\":1}".getBytes(UTF_8);

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void frameReadFromAStreamThatYieldsOneByteAtATimeHasTheSamePayload() throws Exception {
        TrickleInputStream in = new TrickleInputStream(Frames.frame(HELLO));
        byte[] payload = new FrameReader(in).readFrame();
        assertArrayEquals(HELLO, payload);
        assertEquals(4 + HELLO.length, in.consumed());
        assertTrue(in.readCalls() >= 4 + HELLO.length, "the trickle stream really served one byte per call");
    }

    @Test
    void largestFrameReadOneByteAtATimeIsComplete() throws Exception {
        byte[] payload = new byte[Protocol.MAX_FRAME_BYTES];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        assertArrayEquals(payload, new FrameReader(new TrickleInputStream(Frames.frame(payload))).readFrame());
    }

    @Test
    void framesBackToBackLeaveTheStreamPositionedExactlyOnTheBody() throws Exception {
        byte[] first = HELLO;
        byte[] second = "{\"op\":\"put\",\"path\":\"a\",\"size\":5,\"md5\":\"5d41402abc4b2a76b9719d911017c592\"}"
                .getBytes(UTF_8);
        byte[] third = {'x'};
        byte[] body = {'h', 'e', 'l', 'l', 'o', 0, 0, 0, 1, '{'}; // looks like a frame prefix on purpose
        TrickleInputStream in = new TrickleInputStream(
                Frames.concat(Frames.frame(first), Frames.frame(second), Frames.frame(third), body));
        FrameReader reader = new FrameReader(in);

        assertArrayEquals(first, reader.readFrame());
        assertArrayEquals(second, reader.readFrame());
        assertArrayEquals(third, reader.readFrame());
        assertEquals(12 + first.length + second.length + third.length, in.consumed());
        assertArrayEquals(body, in.rest());
    }

    @Test
    void bodyBytesCanBeReadFromTheUnderlyingStreamAfterAFrame() throws Exception {
        byte[] body = "hello".getBytes(UTF_8);
        ByteArrayInputStream in =
                new ByteArrayInputStream(Frames.concat(Frames.frame(HELLO), body, Frames.frame(HELLO)));
        FrameReader reader = new FrameReader(in);
        assertArrayEquals(HELLO, reader.readFrame());
        assertArrayEquals(body, in.readNBytes(body.length));
        assertArrayEquals(HELLO, reader.readFrame());
        assertNull(reader.readFrame());
    }

    @Test
    void cleanEndOfStreamBeforeAFrameReturnsNull() throws Exception {
        assertNull(new FrameReader(new ByteArrayInputStream(new byte[0])).readFrame());
    }

    @Test
    void cleanEndOfStreamAfterTheLastFrameReturnsNull() throws Exception {
        FrameReader reader = new FrameReader(new TrickleInputStream(Frames.frame(HELLO)));
        assertArrayEquals(HELLO, reader.readFrame());
        assertNull(reader.readFrame());
        assertNull(reader.readFrame());
    }

    @ParameterizedTest(name = "{0} of 4 prefix bytes")
    @ValueSource(ints = {1, 2, 3})
    void endOfStreamInsideTheLengthPrefixIsBadRequest(int prefixBytes) {
        byte[] stream = Arrays.copyOf(Frames.prefix(HELLO.length), prefixBytes);
        ProtocolException e = assertThrows(
                ProtocolException.class, () -> new FrameReader(new TrickleInputStream(stream)).readFrame());
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @ParameterizedTest(name = "{0} of 26 payload bytes")
    @ValueSource(ints = {0, 1, 25})
    void endOfStreamInsideThePayloadIsBadRequest(int payloadBytes) {
        byte[] stream = Arrays.copyOf(Frames.frame(HELLO), 4 + payloadBytes);
        ProtocolException e = assertThrows(
                ProtocolException.class, () -> new FrameReader(new TrickleInputStream(stream)).readFrame());
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @Test
    void lengthZeroIsBadRequest() {
        TrickleInputStream in = new TrickleInputStream(Frames.concat(Frames.prefix(0), HELLO));
        ProtocolException e = assertThrows(ProtocolException.class, () -> new FrameReader(in).readFrame());
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertEquals(4, in.consumed());
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(longs = {65_537L, 1_000_000L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL})
    void lengthAboveTheLimitIsHeaderTooLargeAndOnlyThePrefixIsConsumed(long length) {
        // Plenty of bytes follow the prefix: a reader that trusted the length would consume them.
        TrickleInputStream in = new TrickleInputStream(Frames.concat(Frames.prefix(length), filled(70_000, '{')));
        ProtocolException e = assertThrows(ProtocolException.class, () -> new FrameReader(in).readFrame());
        assertEquals(ErrorCode.HEADER_TOO_LARGE, e.code());
        assertEquals(4, in.consumed(), "only the 4 prefix bytes may be read before refusing");
        assertEquals(4, in.readCalls(), "no read beyond the prefix was even attempted");
    }

    @Test
    void lengthExactlyAtTheLimitIsAccepted() throws Exception {
        byte[] payload = filled(Protocol.MAX_FRAME_BYTES, ' ');
        byte[] after = {'B'};
        ByteArrayInputStream in = new ByteArrayInputStream(Frames.concat(Frames.frame(payload), after));
        assertArrayEquals(payload, new FrameReader(in).readFrame());
        assertEquals('B', in.read());
    }

    @Test
    void lengthOneIsAccepted() throws Exception {
        assertArrayEquals(
                new byte[] {'{'},
                new FrameReader(new ByteArrayInputStream(Frames.frame(new byte[] {'{'}))).readFrame());
    }

    @Test
    void readRequiredFrameOnEndOfStreamThrowsEofException() {
        assertThrows(
                EOFException.class, () -> new FrameReader(new ByteArrayInputStream(new byte[0])).readRequiredFrame());
    }

    @Test
    void readRequiredFrameReturnsAFrameThatIsThere() throws Exception {
        assertArrayEquals(HELLO, new FrameReader(new TrickleInputStream(Frames.frame(HELLO))).readRequiredFrame());
    }

    @Test
    void readRequiredFrameOnATruncatedFrameIsBadRequestNotEof() {
        ProtocolException e = assertThrows(
                ProtocolException.class,
                () -> new FrameReader(new ByteArrayInputStream(new byte[] {0, 0})).readRequiredFrame());
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @Test
    void writerOutputReadsBackFrameByFrame() throws Exception {
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(wire);
        byte[][] payloads = {HELLO, {'a'}, filled(Protocol.MAX_FRAME_BYTES, 'z'), "ü".getBytes(UTF_8)};
        for (byte[] p : payloads) {
            writer.writeFrame(p);
        }
        FrameReader reader = new FrameReader(new TrickleInputStream(wire.toByteArray()));
        for (byte[] p : payloads) {
            assertArrayEquals(p, reader.readFrame());
        }
        assertNull(reader.readFrame());
    }
}
