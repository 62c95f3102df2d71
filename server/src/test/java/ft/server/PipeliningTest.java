package ft.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.ErrorCode;
import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelining (PROTOCOL.md): requests sent ahead in one write are all answered, in order, an
 * error in the middle included, and a version-1 client that knows nothing of it is served as
 * before. Real sockets on 127.0.0.1.
 */
class PipeliningTest {
    private static final HeaderCodec CODEC = new HeaderCodec();

    @TempDir
    Path tmp;

    private Path root;
    private FtServer server;

    @BeforeEach
    void startServer() throws IOException {
        root = tmp.resolve("root");
        server = FtServer.start(root, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void requestsSentAheadInOneWriteAreAnsweredInOrderAnErrorInTheMiddleIncluded() throws IOException {
        byte[] a = "first file".getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[70_000]; // larger than the server's read buffer: the body goes zero-copy
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        byte[] c = "third".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("a"), a);
        Files.write(root.resolve("b"), b);
        Files.write(root.resolve("c"), c);
        byte[] put = "sent ahead with its body".getBytes(StandardCharsets.UTF_8);

        try (Socket s = connect()) {
            Response.HelloOk hello = hello(s);
            assertNotNull(hello.limits(), "the new server states its limits");
            assertTrue(hello.limits().pipeline(), "the hello answer must advertise pipelining");

            // Seven requests, one write: nothing is read before the last one has left.
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            FrameWriter w = new FrameWriter(all);
            w.writeFrame(CODEC.encode(new Request.Get("a", 0)));
            w.writeFrame(CODEC.encode(new Request.Stat("missing")));
            w.writeFrame(CODEC.encode(new Request.Get("b", 0)));
            w.writeFrameWithBody(CODEC.encode(new Request.Put("up", put.length, md5(put), true)), put);
            w.writeFrame(CODEC.encode(new Request.Get("nothing-here", 0)));
            w.writeFrame(CODEC.encode(new Request.Stat("c")));
            w.writeFrame(CODEC.encode(new Request.Get("c", 3)));
            s.getOutputStream().write(all.toByteArray());
            s.getOutputStream().flush();

            InputStream in = s.getInputStream();
            FrameReader r = new FrameReader(in);
            assertArrayEquals(a, body(in, getOk(r, "a")));
            assertEquals(ErrorCode.NOT_FOUND, error(r).code());
            assertArrayEquals(b, body(in, getOk(r, "b")));
            Response.PutDone done = assertInstanceOf(Response.PutDone.class, read(r, Response.PutDone.class));
            assertEquals(md5(put), done.md5());
            assertEquals(ErrorCode.NOT_FOUND, error(r).code(), "an error answer leaves the connection in step");
            Response.StatOk stat = assertInstanceOf(Response.StatOk.class, read(r, Response.StatOk.class));
            assertEquals("c", stat.name());
            assertEquals(md5(c), stat.md5());
            Response.GetOk tail = getOk(r, "c");
            assertEquals(3, tail.offset());
            assertArrayEquals("rd".getBytes(StandardCharsets.UTF_8), body(in, tail));
            assertArrayEquals(put, Files.readAllBytes(root.resolve("up")), "the eager put sent ahead is stored");

            // Still in step after all of it: one more exchange on the same connection.
            w = new FrameWriter(s.getOutputStream());
            w.writeFrame(CODEC.encode(new Request.Get("a", 0)));
            w.flush();
            assertArrayEquals(a, body(in, getOk(r, "a")));
        }
    }

    @Test
    void aVersionOneClientOneRequestAtATimeIsServedAsBeforeAndMayIgnoreTheNewLimit() throws Exception {
        Files.write(root.resolve("f"), "v1".getBytes(StandardCharsets.UTF_8));
        try (Socket s = connect()) {
            FrameWriter w = new FrameWriter(s.getOutputStream());
            FrameReader r = new FrameReader(s.getInputStream());
            w.writeFrame("{\"op\":\"hello\",\"version\":1}".getBytes(StandardCharsets.UTF_8));
            w.flush();
            String raw = new String(r.readRequiredFrame(), StandardCharsets.UTF_8);
            // A version-1 client checks the version and ignores limits it does not know; the new
            // capability lives only inside "limits", so nothing it reads changed.
            assertTrue(raw.contains("\"version\":1"), raw);
            assertTrue(raw.matches(".*\"limits\":\\{[^}]*\"pipeline\":true[^}]*}.*"), raw);

            w.writeFrame(CODEC.encode(new Request.Get("f", 0)));
            w.flush();
            InputStream in = s.getInputStream();
            assertArrayEquals("v1".getBytes(StandardCharsets.UTF_8), body(in, getOk(r, "f")));
            w.writeFrame(CODEC.encode(new Request.Stat("f")));
            w.flush();
            assertInstanceOf(Response.StatOk.class, read(r, Response.StatOk.class));
            assertEquals(0, in.available(), "one answer per request, nothing more");
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 10_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static Response.HelloOk hello(Socket s) throws IOException {
        FrameWriter w = new FrameWriter(s.getOutputStream());
        w.writeFrame(CODEC.encode(new Request.Hello(1)));
        w.flush();
        return assertInstanceOf(
                Response.HelloOk.class, read(new FrameReader(s.getInputStream()), Response.HelloOk.class));
    }

    private static Response read(FrameReader r, Class<? extends Response> expected) throws IOException {
        try {
            return CODEC.decodeResponse(r.readRequiredFrame(), expected);
        } catch (ft.protocol.ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    private static Response.GetOk getOk(FrameReader r, String name) throws IOException {
        Response.GetOk ok = assertInstanceOf(Response.GetOk.class, read(r, Response.GetOk.class));
        assertEquals(name, ok.name(), "answers come in request order");
        return ok;
    }

    private static Response.Error error(FrameReader r) throws IOException {
        return assertInstanceOf(Response.Error.class, read(r, Response.StatOk.class));
    }

    private static byte[] body(InputStream in, Response.GetOk ok) throws IOException {
        byte[] body = in.readNBytes((int) ok.bodyLength());
        assertEquals(ok.bodyLength(), body.length);
        return body;
    }

    private static Md5 md5(byte[] bytes) {
        try {
            return Md5.of(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
