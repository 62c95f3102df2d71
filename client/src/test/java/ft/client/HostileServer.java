package ft.client;

import ft.protocol.EntryType;
import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.ListItem;
import ft.protocol.Protocol;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted ft server for multi-request hostile scenarios: it says hello properly on every
 * connection and then answers each request with whatever a script returns for it (raw bytes,
 * which may lie), keeping the connection open or closing it afterwards.
 *
 * <p>Unlike {@link ScriptedServer} it serves any number of connections and requests, so a
 * client that stats, finds and then downloads over several connections can be led on.
 */
final class HostileServer implements AutoCloseable {
    private static final HeaderCodec CODEC = new HeaderCodec();

    /** What to send for one request, and whether to hang up after it. */
    record Reply(byte[] bytes, boolean closeAfter) {
        static Reply keepOpen(byte[] bytes) {
            return new Reply(bytes, false);
        }

        static Reply thenClose(byte[] bytes) {
            return new Reply(bytes, true);
        }
    }

    private final ServerSocket listener;
    private final Function<Request, Reply> script;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** {@code script} returns null to close the connection without answering. */
    HostileServer(Function<Request, Reply> script) throws IOException {
        this.script = script;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("hostile-accept").start(this::acceptAll);
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Every request received so far, across connections, hellos excluded. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(s);
            Thread.ofPlatform().daemon().name("hostile-conn").start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            FrameReader reader = new FrameReader(in);
            FrameWriter writer = new FrameWriter(out);
            reader.readRequiredFrame();
            writer.writeFrame(CODEC.encode(new Response.HelloOk(Protocol.VERSION, "hostile")));
            writer.flush();
            while (true) {
                byte[] frame = reader.readFrame();
                if (frame == null) {
                    return;
                }
                Request request = CODEC.decodeRequest(frame);
                requests.add(request);
                Reply reply = script.apply(request);
                if (reply == null) {
                    return;
                }
                out.write(reply.bytes());
                out.flush();
                if (reply.closeAfter()) {
                    return;
                }
            }
        } catch (Exception e) {
            // The client hanging up on a hostile answer is the expected ending.
        }
    }

    // ------------------------------------------------------------------ answers

    static byte[] frames(Object... items) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(b);
        try {
            for (Object item : items) {
                switch (item) {
                    case Response r -> w.writeFrame(CODEC.encode(r));
                    case ListItem i -> w.writeFrame(CODEC.encode(i));
                    case byte[] raw -> b.write(raw);
                    default -> throw new IllegalArgumentException("cannot send " + item);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    /** A find (or list) answer: ok, these entries as files, and an honest end frame. */
    static byte[] listing(List<String> filePaths) {
        Object[] items = new Object[filePaths.size() + 2];
        items[0] = new Response.Ok();
        for (int i = 0; i < filePaths.size(); i++) {
            items[i + 1] = new ListItem.Entry(filePaths.get(i), EntryType.FILE, 4, 0);
        }
        items[items.length - 1] = new ListItem.End(filePaths.size(), false, null);
        return frames(items);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
