package ft.client;

import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.Protocol;
import ft.protocol.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A server that says hello properly and then answers the next request with whatever bytes a
 * test scripted: hostile names, wrong sizes, extra bytes, or nothing at all.
 */
final class ScriptedServer implements AutoCloseable {
    private static final HeaderCodec CODEC = new HeaderCodec();

    private final ServerSocket listener;
    private final byte[][] answers;
    private final Response.HelloOk hello;
    private volatile byte[] request;

    ScriptedServer(byte[] answer) throws IOException {
        this(new Response.HelloOk(Protocol.VERSION, "scripted"), answer);
    }

    /**
     * With {@code hello} as the answer to the client's hello (limits, say), then each of
     * {@code answers} to one request frame in turn.
     */
    ScriptedServer(Response.HelloOk hello, byte[]... answers) throws IOException {
        this.hello = hello;
        this.answers = answers;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(this::serveOne);
    }

    /** Frames back to back, as one scripted answer. */
    static byte[] frames(Response... responses) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            FrameWriter w = new FrameWriter(b);
            for (Response r : responses) {
                w.writeFrame(CODEC.encode(r));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    /** The last request frame the client sent after its hello, once it has arrived; else null. */
    String request() {
        byte[] r = request;
        return r == null ? null : new String(r, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A get answer: the header, then {@code body} as is (which may disagree with the header). */
    static byte[] getAnswer(Response.GetOk header, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            FrameWriter w = new FrameWriter(b);
            w.writeFrame(CODEC.encode(header));
            b.write(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    private void serveOne() {
        try (Socket s = listener.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            FrameReader reader = new FrameReader(in);
            FrameWriter writer = new FrameWriter(out);
            reader.readRequiredFrame();
            writer.writeFrame(CODEC.encode(hello));
            writer.flush();
            for (byte[] answer : answers) {
                request = reader.readRequiredFrame();
                out.write(answer);
                out.flush();
            }
            // Hold the connection open until the client leaves, so only the answer is judged.
            in.transferTo(OutputStream.nullOutputStream());
        } catch (Exception e) {
            // The client hanging up on a hostile answer is the expected ending.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
