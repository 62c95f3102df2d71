package ft.server;

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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A deliberately dumb client for tests: a plain socket to 127.0.0.1, frames written by hand,
 * every read bounded by a timeout so that no test can hang on a server that went quiet.
 */
final class RawClient implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 10_000;
    static final HeaderCodec CODEC = new HeaderCodec();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final FrameReader reader;
    private final FrameWriter writer;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.reader = new FrameReader(in);
        this.writer = new FrameWriter(out);
    }

    /** Connects without saying hello. */
    static RawClient connect(FtServer server) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            return new RawClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Connects and completes the hello exchange, asserting it succeeds. */
    static RawClient hello(FtServer server) throws IOException {
        RawClient client = connect(server);
        try {
            Response r = client.request(new Request.Hello(1), Response.HelloOk.class);
            assertInstanceOf(Response.HelloOk.class, r, "hello must be accepted");
            return client;
        } catch (IOException | RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    Socket socket() {
        return socket;
    }

    /** For requests the server needs long to answer (hashing gigabytes before the header). */
    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    // ------------------------------------------------------------------ raw writing

    void send(Request request) throws IOException {
        writer.writeFrame(CODEC.encode(request));
        out.flush();
    }

    void sendJson(String json) throws IOException {
        writer.writeFrame(json.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Writes raw bytes as they are: a hand-made length prefix, a partial body, anything. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendRaw(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        out.flush();
    }

    // ------------------------------------------------------------------ reading

    /** Reads one response frame, failing the test if the server closed instead. */
    Response read(Class<? extends Response> expected) throws IOException {
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
            throw new AssertionError("server sent an undecodable header: "
                    + new String(frame, StandardCharsets.UTF_8), e);
        }
    }

    Response request(Request request, Class<? extends Response> expected) throws IOException {
        send(request);
        return read(expected);
    }

    /** Reads an error response and asserts its code. */
    Response.Error readError(ErrorCode expected) throws IOException {
        Response r = read(Response.Error.class);
        Response.Error error = assertInstanceOf(Response.Error.class, r, "expected an error answer");
        assertEquals(expected, error.code(), () -> "error message: " + error.message());
        return error;
    }

    Response.Error expectError(Request request, ErrorCode expected) throws IOException {
        send(request);
        return readError(expected);
    }

    byte[] readBody(long length) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("body too large to hold in memory: " + length);
        }
        byte[] body = in.readNBytes((int) length);
        assertEquals(length, body.length, "server sent a short body");
        return body;
    }

    /** A get that must succeed; returns header and body. */
    Fetched get(String path, long offset, Md5 ifMd5) throws IOException {
        Response r = request(new Request.Get(path, offset, ifMd5), Response.GetOk.class);
        Response.GetOk ok = assertInstanceOf(Response.GetOk.class, r, () -> "get " + path + " failed: " + r);
        return new Fetched(ok, readBody(ok.bodyLength()));
    }

    Fetched get(String path) throws IOException {
        return get(path, 0, null);
    }

    record Fetched(Response.GetOk header, byte[] body) {}

    /** A complete put that must succeed; returns the final answer. */
    Response.PutDone put(String path, byte[] content) throws IOException {
        return put(path, content, null);
    }

    /** A complete put, carrying {@code attributes} (null for none), that must succeed. */
    Response.PutDone put(String path, byte[] content, FileAttributes attributes) throws IOException {
        Md5 md5 = md5(content);
        Response r = request(new Request.Put(path, content.length, md5, false, attributes), Response.PutReady.class);
        Response.PutReady ready = assertInstanceOf(Response.PutReady.class, r, () -> "put " + path + " refused: " + r);
        sendRaw(content, (int) ready.offset(), content.length - (int) ready.offset());
        Response done = read(Response.PutDone.class);
        Response.PutDone putDone = assertInstanceOf(Response.PutDone.class, done, () -> "put " + path + " failed: " + done);
        assertEquals(md5, putDone.md5());
        return putDone;
    }

    /** An eager put (header and body at once), carrying {@code attributes} (null for none), that must succeed. */
    Response.PutDone putEager(String path, byte[] content, FileAttributes attributes) throws IOException {
        Md5 md5 = md5(content);
        send(new Request.Put(path, content.length, md5, true, attributes));
        sendRaw(content);
        Response done = read(Response.PutDone.class);
        Response.PutDone putDone = assertInstanceOf(Response.PutDone.class, done, () -> "put " + path + " failed: " + done);
        assertEquals(md5, putDone.md5());
        return putDone;
    }

    /**
     * Reads until the server closes the connection. Anything the server still sends is
     * discarded; a timeout fails the test (the server kept the connection open).
     */
    void assertClosedByServer() {
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
    void shutdownOutput() throws IOException {
        out.flush();
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ------------------------------------------------------------------ helpers

    static Md5 md5(byte[] content) {
        try {
            return new Md5(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
