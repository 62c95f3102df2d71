package ft.testing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.Md5;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Connections to a server with nothing kept around the socket, for tests that open hundreds of
 * them: {@link RawClient}'s 64 KiB output buffer would be counted against a server that shares
 * the test's heap, and would swell a test JVM that holds a thousand of them.
 */
public final class BareSockets {
    private static final byte[] HELLO = RawClient.CODEC.encode(new Request.Hello(1));

    private BareSockets() {}

    /** A connection past its hello (asserted accepted) that then says nothing. */
    public static Socket hello(InetSocketAddress server) throws IOException {
        return open(server, null, 0L);
    }

    /**
     * A connection that starts a put of {@code size} bytes to {@code path}, sends 100 body bytes
     * and then nothing: an upload that stalls.
     */
    public static Socket stalledUpload(InetSocketAddress server, String path, long size) throws IOException {
        return open(server, path, size);
    }

    /** Says hello and, unless {@code path} is null, starts the put and sends its first bytes. */
    private static Socket open(InetSocketAddress server, String path, long size) throws IOException {
        Socket socket = RawClient.open(server, null);
        boolean ok = false;
        try {
            OutputStream out = socket.getOutputStream();
            FrameWriter writer = new FrameWriter(out);
            FrameReader reader = new FrameReader(socket.getInputStream());
            writer.writeFrame(HELLO);
            writer.flush();
            Response hello = RawClient.CODEC.decodeResponse(reader.readRequiredFrame(), Response.HelloOk.class);
            assertInstanceOf(Response.HelloOk.class, hello, "hello must be accepted");
            if (path != null) {
                writer.writeFrame(RawClient.CODEC.encode(new Request.Put(path, size, Md5.of(new byte[16]))));
                writer.flush();
                Response ready = RawClient.CODEC.decodeResponse(reader.readRequiredFrame(), Response.PutReady.class);
                assertInstanceOf(Response.PutReady.class, ready, () -> "put " + path + ": " + ready);
                out.write(new byte[100]);
                out.flush();
            }
            ok = true;
            return socket;
        } catch (ProtocolException e) {
            throw new IOException(e);
        } finally {
            if (!ok) {
                socket.close();
            }
        }
    }
}
