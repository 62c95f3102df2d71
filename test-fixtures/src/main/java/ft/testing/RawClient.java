package ft.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import ft.protocol.ErrorCode;
import ft.protocol.FileAttributes;
import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.Md5;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A deliberately dumb client for tests: a plain socket to 127.0.0.1, frames written by hand,
 * every read bounded by a timeout so that no test can hang on a server that went quiet. It
 * knows nothing of ft-client, so a test can say exactly the bytes it means to, wrong ones too.
 *
 * <p>Not final: a module's tests may bind it to their own server type with a subclass that
 * adds factories (the server's tests connect it to an in-process {@code FtServer}).
 */
public class RawClient implements AutoCloseable {
    public static final int READ_TIMEOUT_MILLIS = 10_000;
    public static final HeaderCodec CODEC = new HeaderCodec();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final FrameReader reader;
    private final FrameWriter writer;

    /** Takes over a connected socket, whose timeouts the caller has set. */
    protected RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.reader = new FrameReader(in);
        this.writer = new FrameWriter(out);
    }

    /** Connects to {@code server} (a wildcard address means this host's loopback) without saying hello. */
    public static RawClient connect(InetSocketAddress server) throws IOException {
        return new RawClient(open(server, null));
    }

    /**
     * Connects from {@code from} (one of the loopback addresses 127.0.0.2 and up, say, to look
     * like many hosts) without saying hello.
     */
    public static RawClient connect(InetSocketAddress server, InetAddress from) throws IOException {
        return new RawClient(open(server, from));
    }

    /** Connects and completes the hello exchange, asserting it succeeds. */
    public static RawClient hello(InetSocketAddress server) throws IOException {
        RawClient client = connect(server);
        client.sayHello();
        return client;
    }

    /**
     * A socket connected to {@code server} (from {@code from} unless null), reads bounded by
     * {@link #READ_TIMEOUT_MILLIS}: for subclasses' factories.
     */
    protected static Socket open(InetSocketAddress server, InetAddress from) throws IOException {
        InetAddress host = server.getAddress() == null || server.getAddress().isAnyLocalAddress()
                ? InetAddress.getByName("127.0.0.1")
                : server.getAddress();
        Socket socket = new Socket();
        try {
            if (from != null) {
                socket.bind(new InetSocketAddress(from, 0));
            }
            socket.connect(new InetSocketAddress(host, server.getPort()), READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Completes the hello exchange, asserting it succeeds; closes this client if it does not. */
    protected final void sayHello() throws IOException {
        try {
            Response r = request(new Request.Hello(1), Response.HelloOk.class);
            assertInstanceOf(Response.HelloOk.class, r, "hello must be accepted");
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    public Socket socket() {
        return socket;
    }

    /** For requests the server needs long to answer (hashing gigabytes before the header). */
    public void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    // ------------------------------------------------------------------ raw writing

    public void send(Request request) throws IOException {
        writer.writeFrame(CODEC.encode(request));
        out.flush();
    }

    public void sendJson(String json) throws IOException {
        writer.writeFrame(json.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Writes raw bytes as they are: a hand-made length prefix, a partial body, anything. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void sendRaw(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        out.flush();
    }

    // ------------------------------------------------------------------ reading

    /** Reads one response frame, failing the test if the server closed instead. */
    public Response read(Class<? extends Response> expected) throws IOException {
        byte[] frame;
        try {
            frame = reader.readFrame();
        } catch (ProtocolException e) {
            throw new AssertionError("server sent a malformed frame: " + e.getMessage(), e);
        }
        if (frame == null) {
            fail("server closed the connection instead of answering");
        }
        try {
            return CODEC.decodeResponse(frame, expected);
        } catch (ProtocolException e) {
            throw new AssertionError(
                    "server sent an undecodable header: " + new String(frame, StandardCharsets.UTF_8), e);
        }
    }

    public Response request(Request request, Class<? extends Response> expected) throws IOException {
        send(request);
        return read(expected);
    }

    /** Reads an error response and asserts its code. */
    public Response.Error readError(ErrorCode expected) throws IOException {
        Response r = read(Response.Error.class);
        Response.Error error = assertInstanceOf(Response.Error.class, r, "expected an error answer");
        assertEquals(expected, error.code(), () -> "error message: " + error.message());
        return error;
    }

    public Response.Error expectError(Request request, ErrorCode expected) throws IOException {
        send(request);
        return readError(expected);
    }

    public byte[] readBody(long length) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("body too large to hold in memory: " + length);
        }
        byte[] body = in.readNBytes((int) length);
        assertEquals(length, body.length, "server sent a short body");
        return body;
    }

    /** A get that must succeed; returns header and body. */
    public Fetched get(String path, long offset, Md5 ifMd5) throws IOException {
        Response r = request(new Request.Get(path, offset, ifMd5), Response.GetOk.class);
        Response.GetOk ok = assertInstanceOf(Response.GetOk.class, r, () -> "get " + path + " failed: " + r);
        return new Fetched(ok, readBody(ok.bodyLength()));
    }

    public Fetched get(String path) throws IOException {
        return get(path, 0, null);
    }

    public record Fetched(Response.GetOk header, byte[] body) {}

    /** A complete put that must succeed; returns the final answer. */
    public Response.PutDone put(String path, byte[] content) throws IOException {
        return put(path, content, null);
    }

    /** A complete put, carrying {@code attributes} (null for none), that must succeed. */
    public Response.PutDone put(String path, byte[] content, FileAttributes attributes) throws IOException {
        Md5 md5 = md5(content);
        Response r = request(new Request.Put(path, content.length, md5, false, attributes), Response.PutReady.class);
        Response.PutReady ready = assertInstanceOf(Response.PutReady.class, r, () -> "put " + path + " refused: " + r);
        sendRaw(content, (int) ready.offset(), content.length - (int) ready.offset());
        Response done = read(Response.PutDone.class);
        Response.PutDone putDone =
                assertInstanceOf(Response.PutDone.class, done, () -> "put " + path + " failed: " + done);
        assertEquals(md5, putDone.md5());
        return putDone;
    }

    /**
     * Starts a put of {@code content} to {@code path}, sends its first {@code sent} bytes and
     * half-closes: the server sees the body end early, keeps what it got for a resume, and hangs up.
     */
    public void putAndHangUp(String path, byte[] content, int sent) throws IOException {
        request(new Request.Put(path, content.length, md5(content)), Response.PutReady.class);
        sendRaw(content, 0, sent);
        shutdownOutput();
        assertClosedByServer();
    }

    /** An eager put (header and body at once), carrying {@code attributes} (null for none), that must succeed. */
    public Response.PutDone putEager(String path, byte[] content, FileAttributes attributes) throws IOException {
        Md5 md5 = md5(content);
        send(new Request.Put(path, content.length, md5, true, attributes));
        sendRaw(content);
        Response done = read(Response.PutDone.class);
        Response.PutDone putDone =
                assertInstanceOf(Response.PutDone.class, done, () -> "put " + path + " failed: " + done);
        assertEquals(md5, putDone.md5());
        return putDone;
    }

    /**
     * Reads until the server closes the connection. Anything the server still sends is
     * discarded; a timeout fails the test (the server kept the connection open).
     */
    public void assertClosedByServer() {
        byte[] sink = new byte[8192];
        try {
            while (true) {
                if (in.read(sink) < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection within the read timeout");
        } catch (SocketException e) {
            // A reset is the server closing too (it may have had unread input): closed it is.
            return;
        } catch (IOException e) {
            fail("unexpected failure while waiting for the server to close: " + e);
        }
    }

    /** Half-closes: the server sees the end of the stream, we can still read its answer. */
    public void shutdownOutput() throws IOException {
        out.flush();
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ------------------------------------------------------------------ helpers

    /** The MD5 of {@code content}. */
    public static Md5 md5(byte[] content) {
        return TestData.md5(content);
    }
}
