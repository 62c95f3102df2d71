package ft.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameWriterTest {

    /** Records flushes so the tests can tell whether the writer flushed. */
    private static final class RecordingStream extends ByteArrayOutputStream {
        int flushes;

        @Override
        public void flush() {
            flushes++;
        }
    }

    @Test
    void helloFrameIsBigEndianLength26ThenThePayload() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new FrameWriter(wire).writeFrame("{\"op\":\"hello\",\"version\":1}".getBytes(UTF_8));
        assertEquals(
                "0000001a7b226f70223a2268656c6c6f222c2276657273696f6e223a317d",
                HexFormat.of().formatHex(wire.toByteArray()));
    }

    @ParameterizedTest(name = "payload of {0} bytes")
    @ValueSource(ints = {1, 255, 256, 4097, 65_535, 65_536})
    void prefixIsTheUnsignedBigEndianPayloadLength(int n) throws Exception {
        byte[] payload = new byte[n];
        Arrays.fill(payload, (byte) 'q');
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new FrameWriter(wire).writeFrame(payload);
        byte[] bytes = wire.toByteArray();
        assertEquals(4 + n, bytes.length);
        assertArrayEquals(
                new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n}, Arrays.copyOf(bytes, 4));
        assertArrayEquals(payload, Arrays.copyOfRange(bytes, 4, bytes.length));
    }

    @Test
    void frameWithBodyIsTheFrameThenTheBodyInOneWrite() throws Exception {
        java.util.List<Integer> writes = new java.util.ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes.add(len);
                super.write(b, off, len);
            }
        };
        byte[] body = new byte[20_000];
        body[19_999] = 7;
        new FrameWriter(new java.io.BufferedOutputStream(wire, 8192)).writeFrameWithBody("{}".getBytes(UTF_8), body);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        new FrameWriter(expected).writeFrame("{}".getBytes(UTF_8));
        expected.write(body);
        assertEquals(
                HexFormat.of().formatHex(expected.toByteArray()), HexFormat.of().formatHex(wire.toByteArray()));
        assertEquals(java.util.List.of(4 + 2 + body.length), writes, "one write, not header and body apart");
        assertThrows(IllegalArgumentException.class, () -> new FrameWriter(wire).writeFrameWithBody(new byte[0], body));
    }

    @Test
    void largestFramePrefixIs00010000() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new FrameWriter(wire).writeFrame(new byte[Protocol.MAX_FRAME_BYTES]);
        assertEquals("00010000", HexFormat.of().formatHex(wire.toByteArray(), 0, 4));
    }

    @Test
    void emptyPayloadIsRejectedAndNothingIsWritten() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        assertThrows(IllegalArgumentException.class, () -> new FrameWriter(wire).writeFrame(new byte[0]));
        assertEquals(0, wire.size());
    }

    @ParameterizedTest(name = "payload of {0} bytes")
    @ValueSource(ints = {65_537, 100_000})
    void oversizedPayloadIsRejectedAndNothingIsWritten(int n) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        assertThrows(IllegalArgumentException.class, () -> new FrameWriter(wire).writeFrame(new byte[n]));
        assertEquals(0, wire.size());
    }

    @Test
    void writeFrameDoesNotFlushButFlushDoes() throws Exception {
        RecordingStream wire = new RecordingStream();
        FrameWriter writer = new FrameWriter(wire);
        writer.writeFrame(new byte[] {'{', '}'});
        writer.writeFrame(new byte[] {'{', '}'});
        assertEquals(0, wire.flushes);
        writer.flush();
        assertEquals(1, wire.flushes);
        assertEquals(12, wire.size());
    }
}
