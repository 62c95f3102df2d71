package ft.transfer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ft.protocol.Frames;
import ft.protocol.Md5;
import ft.protocol.TrickleInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.time.Duration;
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
        Body.receive(new ByteArrayInputStream(body), Channels.newChannel(out), body.length, md5, n -> {});
        assertArrayEquals(body, out.toByteArray());
        assertEquals(md5Of(body), Md5.of(md5.digest()));
    }

    @Test
    void receiveOfZeroBytesReadsNothing() throws Exception {
        TrickleInputStream in = new TrickleInputStream(new byte[] {1, 2, 3});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest md5 = Body.newMd5();
        Body.receive(in, Channels.newChannel(out), 0, md5, n -> {});
        assertEquals(0, out.size());
        assertEquals(0, in.consumed());
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", Md5.of(md5.digest()).hex());
    }

    @Test
    void receiveOfABodyCutShortThrowsEofAfterWritingWhatArrived() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> progress = new ArrayList<>();
        assertThrows(
                EOFException.class,
                () -> Body.receive(
                        new ByteArrayInputStream("hel".getBytes(UTF_8)),
                        Channels.newChannel(out),
                        5,
                        Body.newMd5(),
                        progress::add));
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
        Body.SinkFailedException e = assertThrows(
                Body.SinkFailedException.class,
                () -> Body.receive(new ByteArrayInputStream(new byte[10]), fullDisk, 10, Body.newMd5(), n -> {}));
        assertEquals(IOException.class, e.getCause().getClass());

        EOFException shortBody = assertThrows(
                EOFException.class,
                () -> Body.receive(
                        new ByteArrayInputStream(new byte[3]),
                        Channels.newChannel(new ByteArrayOutputStream()),
                        10,
                        Body.newMd5(),
                        n -> {}));
        assertEquals("connection closed after 3 of 10 body bytes", shortBody.getMessage());
    }

    /** Hands out its bytes in reads of varying, seeded sizes, as a socket does. */
    private static java.io.InputStream ragged(byte[] data) {
        Random sizes = new Random(7);
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + sizes.nextInt(100_000)));
            }
        };
    }

    @Test
    void pipelinedReceiveHashesAndWritesEveryByteInOrderAroundItsThreshold() throws Exception {
        byte[] all = randomBytes((int) Body.PIPELINE_MIN_BYTES + Body.BUFFER_BYTES + 1);
        for (int length : new int[] {
            (int) Body.PIPELINE_MIN_BYTES - 1,
            (int) Body.PIPELINE_MIN_BYTES,
            (int) Body.PIPELINE_MIN_BYTES + 1,
            all.length
        }) {
            byte[] body = java.util.Arrays.copyOf(all, length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MessageDigest md5 = Body.newMd5();
            List<Long> progress = new ArrayList<>();
            Body.receive(ragged(body), Channels.newChannel(out), length, md5, progress::add);
            assertArrayEquals(body, out.toByteArray(), "length " + length);
            assertEquals(md5Of(body), Md5.of(md5.digest()), "length " + length);
            assertEquals((long) length, progress.getLast());
        }
    }

    @Test
    void pipelinedReceiveCutShortWritesWhatArrivedAndThrowsEof() {
        byte[] arrived = randomBytes((int) Body.PIPELINE_MIN_BYTES + 1000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> progress = new ArrayList<>();
        EOFException e = assertThrows(
                EOFException.class,
                () -> Body.receive(
                        ragged(arrived),
                        Channels.newChannel(out),
                        arrived.length + 5000L,
                        Body.newMd5(),
                        progress::add));
        assertArrayEquals(arrived, out.toByteArray());
        assertEquals((long) arrived.length, progress.getLast());
        assertEquals(
                "connection closed after " + arrived.length + " of " + (arrived.length + 5000L) + " body bytes",
                e.getMessage());
    }

    @Test
    void pipelinedReceiveTimingOutMidBufferWritesWhatArrivedAndRethrows() {
        byte[] arrived = randomBytes((int) Body.PIPELINE_MIN_BYTES + 1000);
        java.io.InputStream thenTimeout = new java.io.SequenceInputStream(ragged(arrived), new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                throw new java.net.SocketTimeoutException("Read timed out");
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(
                java.net.SocketTimeoutException.class,
                () -> Body.receive(thenTimeout, Channels.newChannel(out), arrived.length * 2L, Body.newMd5(), n -> {}));
        assertArrayEquals(arrived, out.toByteArray());
    }

    @Test
    void pipelinedReceiveWritesWhatArrivedBeforeWaitingForMore() throws Exception {
        byte[] body = randomBytes((int) Body.PIPELINE_MIN_BYTES * 2);
        int first = Body.BUFFER_BYTES + 1000;
        QueuedNetwork network = new QueuedNetwork();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.nio.channels.WritableByteChannel sink = Channels.newChannel(out);
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        MessageDigest md5 = Body.newMd5();
        Thread receiver = Thread.ofPlatform().daemon().start(() -> {
            try {
                Body.receive(network, sink, body.length, md5, written::set);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        network.send(java.util.Arrays.copyOf(body, first));
        await("the bytes sent so far written")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(1))
                .until(() -> written.get() >= first);
        assertEquals(first, written.get(), "bytes written while the sender has sent no more");
        network.send(java.util.Arrays.copyOfRange(body, first, body.length));
        receiver.join(30_000);
        assertArrayEquals(body, out.toByteArray());
        assertEquals(md5Of(body), Md5.of(md5.digest()));
    }

    @Test
    void pipelinedReceiveReportsAFullDiskAsSinkFailure() {
        java.nio.channels.WritableByteChannel fullAfterOneBuffer = new java.nio.channels.WritableByteChannel() {
            long written;

            @Override
            public int write(java.nio.ByteBuffer src) throws java.io.IOException {
                if (written >= Body.BUFFER_BYTES) {
                    throw new java.io.IOException("No space left on device");
                }
                int n = src.remaining();
                src.position(src.limit());
                written += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        byte[] body = randomBytes((int) Body.PIPELINE_MIN_BYTES * 2);
        Body.SinkFailedException e = assertThrows(
                Body.SinkFailedException.class,
                () -> Body.receive(
                        new ByteArrayInputStream(body), fullAfterOneBuffer, body.length, Body.newMd5(), n -> {}));
        assertEquals(IOException.class, e.getCause().getClass());
    }

    @Test
    void hashingThreadEndsWhenClosedWithoutFinishing() throws Exception {
        HashingThread hasher = new HashingThread(Body.newMd5(), 16);
        byte[] buf = hasher.emptyBuffer();
        hasher.hash(buf, 16);
        hasher.close();
        org.junit.jupiter.api.Assertions.assertFalse(hasher.isAlive());
    }

    @Test
    void hashingThreadDigestHoldsEveryQueuedBufferInOrderAfterFinish() throws Exception {
        MessageDigest md5 = Body.newMd5();
        byte[] data = randomBytes(10 * 16 + 5);
        try (HashingThread hasher = new HashingThread(md5, 16)) {
            for (int off = 0; off < data.length; off += 16) {
                byte[] buf = hasher.emptyBuffer();
                int n = Math.min(16, data.length - off);
                System.arraycopy(data, off, buf, 0, n);
                hasher.hash(buf, n);
            }
            hasher.finish();
            org.junit.jupiter.api.Assertions.assertFalse(hasher.isAlive());
        }
        assertEquals(md5Of(data), Md5.of(md5.digest()));
    }
}
