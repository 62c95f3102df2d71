package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Md5;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Large bodies read from a real socket's channel into direct buffers (client side, unbudgeted). */
class DirectReceiveTest {
    private ServerSocketChannel listener;
    private SocketChannel receiver;
    private SocketChannel sender;
    private ChannelInput in;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        receiver = SocketChannel.open(listener.getLocalAddress());
        sender = listener.accept();
        receiver.socket().setSoTimeout(5_000);
        in = new ChannelInput(receiver.socket().getInputStream(), receiver, 256 * 1024);
    }

    @AfterEach
    void close() throws IOException {
        sender.close();
        receiver.close();
        listener.close();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    private static Md5 md5Of(byte[] b, int length) throws Exception {
        MessageDigest d = MessageDigest.getInstance("MD5");
        d.update(b, 0, length);
        return Md5.of(d.digest());
    }

    /** Writes {@code bytes} from another thread, then {@code after} (may close the socket). */
    private Thread send(byte[] bytes, Runnable after) {
        return Thread.ofPlatform().start(() -> {
            try {
                OutputStream out = sender.socket().getOutputStream();
                out.write(bytes);
                out.flush();
                after.run();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aLargeBodyArrivesWholeHashedAndLeavesTheNextFrameInTheStream() throws Exception {
        byte[] body = randomBytes(5 * Body.BUFFER_BYTES + 12345);
        byte[] next = {0, 0, 0, 2, '{', '}'};
        byte[] wire = Arrays.copyOf(body, body.length + next.length);
        System.arraycopy(next, 0, wire, body.length, next.length);
        Thread t = send(wire, () -> {});
        // The header read before the body pulls some body bytes into the stream's buffer.
        byte[] first = in.readNBytes(100);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest md5 = Body.newMd5();
        long[] last = {0};

        Body.receive(in, Channels.newChannel(out), body.length - 100, md5, n -> last[0] = n);

        t.join();
        byte[] got = out.toByteArray();
        assertArrayEquals(Arrays.copyOfRange(body, 100, body.length), got);
        assertEquals(md5Of(got, got.length), Md5.of(md5.digest()));
        assertEquals(body.length - 100, last[0]);
        assertArrayEquals(Arrays.copyOf(body, 100), first);
        assertArrayEquals(next, in.readNBytes(next.length), "the bytes after the body are the next frame's");
    }

    @Test
    void aBodyCutShortWritesAndHashesExactlyWhatArrivedThenThrowsEof() throws Exception {
        byte[] body = randomBytes(3 * Body.BUFFER_BYTES + 777);
        Thread t = send(body, () -> {
            try {
                sender.close();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest md5 = Body.newMd5();

        EOFException e = assertThrows(
                EOFException.class,
                () -> Body.receive(in, Channels.newChannel(out), 8L * Body.BUFFER_BYTES, md5, n -> {}));

        t.join();
        assertArrayEquals(body, out.toByteArray(), "every byte that arrived is written for a resume");
        assertEquals(md5Of(body, body.length), Md5.of(md5.digest()), "the digest covers exactly the bytes written");
        assertTrue(e.getMessage().contains("after " + body.length + " of"), e.getMessage());
    }

    @Test
    void aSenderThatStallsMidBodyTimesOutThroughTheStreamAfterWritingWhatArrived() throws Exception {
        receiver.socket().setSoTimeout(300);
        byte[] part = randomBytes(2 * Body.BUFFER_BYTES + 5);
        CountDownLatch done = new CountDownLatch(1);
        Thread t = send(part, () -> {
            try {
                done.await(); // holds the connection open, sending nothing more
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest md5 = Body.newMd5();

        assertThrows(
                SocketTimeoutException.class,
                () -> Body.receive(in, Channels.newChannel(out), 8L * Body.BUFFER_BYTES, md5, n -> {}));

        done.countDown();
        t.join();
        assertArrayEquals(part, out.toByteArray());
        assertEquals(md5Of(part, part.length), Md5.of(md5.digest()));
    }

    @Test
    void aFullDiskIsReportedAsTheSinksFailure() throws Exception {
        byte[] body = randomBytes(4 * Body.BUFFER_BYTES);
        Thread t = send(body, () -> {});
        var failing = new java.nio.channels.WritableByteChannel() {
            @Override
            public int write(java.nio.ByteBuffer src) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };

        Body.SinkFailedException e = assertThrows(
                Body.SinkFailedException.class, () -> Body.receive(in, failing, body.length, Body.newMd5(), n -> {}));

        t.join();
        assertTrue(e.getMessage().contains("No space"), e.getMessage());
    }
}
