package ft.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodyTest {

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    private static Md5 md5Of(byte[] b) throws Exception {
        return Md5.of(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void receiveCopiesExactlyTheAnnouncedLengthAndLeavesTheRestInTheStream() throws Exception {
        byte[] body = "hello".getBytes(UTF_8);
        TrickleInputStream in = new TrickleInputStream(Frames.concat(body, Frames.frame(new byte[] {'{', '}'})));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest md5 = Body.newMd5();
        List<Long> progress = new ArrayList<>();

        Body.receive(in, Channels.newChannel(out), body.length, md5, progress::add);

        assertArrayEquals(body, out.toByteArray());
        assertEquals("5d41402abc4b2a76b9719d911017c592", Md5.of(md5.digest()).hex());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), progress);
        assertArrayEquals(Frames.frame(new byte[] {'{', '}'}), in.rest());
    }

    @Test
    void receiveOfABodyLargerThanTheBufferHashesAllOfIt() throws Exception {
        byte[] body = randomBytes(Body.BUFFER_BYTES * 2 + 123);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest md5 = Body.newMd5();
        Body.receive(new ByteArrayInputStream(body), Channels.newChannel(out), body.length, md5, n -> { });
        assertArrayEquals(body, out.toByteArray());
        assertEquals(md5Of(body), Md5.of(md5.digest()));
    }

    @Test
    void receiveOfZeroBytesReadsNothing() throws Exception {
        TrickleInputStream in = new TrickleInputStream(new byte[] {1, 2, 3});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest md5 = Body.newMd5();
        Body.receive(in, Channels.newChannel(out), 0, md5, n -> { });
        assertEquals(0, out.size());
        assertEquals(0, in.consumed());
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", Md5.of(md5.digest()).hex());
    }

    @Test
    void receiveOfABodyCutShortThrowsEofAfterWritingWhatArrived() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> progress = new ArrayList<>();
        assertThrows(EOFException.class, () -> Body.receive(new ByteArrayInputStream("hel".getBytes(UTF_8)),
                Channels.newChannel(out), 5, Body.newMd5(), progress::add));
        assertEquals("hel", out.toString(UTF_8));
        assertEquals(3L, progress.getLast());
    }

    @Test
    void hashFeedsOnlyTheFirstLengthBytes() throws Exception {
        byte[] data = "hello, world".getBytes(UTF_8);
        MessageDigest md5 = Body.newMd5();
        ReadableByteChannel in = Channels.newChannel(new TrickleInputStream(data));
        Body.hash(in, 5, md5);
        assertEquals("5d41402abc4b2a76b9719d911017c592", Md5.of(md5.digest()).hex());
    }

    @Test
    void hashOfMoreBytesThanTheChannelHoldsThrowsEof() {
        ReadableByteChannel in = Channels.newChannel(new ByteArrayInputStream(new byte[4]));
        assertThrows(EOFException.class, () -> Body.hash(in, 5, Body.newMd5()));
    }

    @Test
    void hashOfALargeChannelMatchesTheDigestOfItsBytes() throws Exception {
        byte[] data = randomBytes(Body.BUFFER_BYTES + 17);
        MessageDigest md5 = Body.newMd5();
        Body.hash(Channels.newChannel(new ByteArrayInputStream(data)), data.length, md5);
        assertEquals(md5Of(data), Md5.of(md5.digest()));
    }

    @Test
    void writeFailuresAreToldApartFromAShortBody() {
        java.nio.channels.WritableByteChannel fullDisk = new java.nio.channels.WritableByteChannel() {
            @Override
            public int write(java.nio.ByteBuffer src) throws java.io.IOException {
                throw new java.io.IOException("No space left on device");
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        Body.SinkFailedException e = assertThrows(Body.SinkFailedException.class, () -> Body.receive(
                new ByteArrayInputStream(new byte[10]), fullDisk, 10, Body.newMd5(), n -> {}));
        org.junit.jupiter.api.Assertions.assertTrue(e.isNoSpace());

        EOFException shortBody = assertThrows(EOFException.class, () -> Body.receive(
                new ByteArrayInputStream(new byte[3]), Channels.newChannel(new ByteArrayOutputStream()), 10,
                Body.newMd5(), n -> {}));
        assertEquals("connection closed after 3 of 10 body bytes", shortBody.getMessage());
    }
}
