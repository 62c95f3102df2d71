package ft.testing;

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
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * A fake ft server on 127.0.0.1 that says hello properly on every connection and then answers
 * each request with whatever bytes a test scripted: hostile names, wrong sizes, extra bytes,
 * lies about a listing, or nothing at all. The client under test is judged by how it takes them.
 *
 * <p>Two ways to script it: a fixed sequence of answers, one per request in turn
 * ({@link #ScriptedServer(Response.HelloOk, byte[]...)}), after which the server takes whatever
 * the client still sends until it leaves; or a function from each decoded request to a
 * {@link Reply} ({@link #ScriptedServer(Function)}), for clients that stat, find and download
 * over several connections.
 */
public final class ScriptedServer implements AutoCloseable {
    private static final HeaderCodec CODEC = new HeaderCodec();
    private static final Response.HelloOk HELLO = new Response.HelloOk(Protocol.VERSION, "scripted");

    /** What the server does after sending a reply. */
    public enum Then {
        /** Reads the next request. */
        READ_ON,
        /** Closes the connection. */
        CLOSE,
        /** Takes whatever the client still sends, answering nothing, until it hangs up. */
        DRAIN,
        /** Holds the connection and reads nothing more (a hung peer) until the server closes. */
        STALL
    }

    /** What to send for one request, and what to do next. */
    public record Reply(byte[] bytes, Then then) {
        public Reply {
            Objects.requireNonNull(bytes);
            Objects.requireNonNull(then);
        }

        public static Reply keepOpen(byte[] bytes) {
            return new Reply(bytes, Then.READ_ON);
        }

        public static Reply thenClose(byte[] bytes) {
            return new Reply(bytes, Then.CLOSE);
        }

        public static Reply thenDrain(byte[] bytes) {
            return new Reply(bytes, Then.DRAIN);
        }

        public static Reply thenStall(byte[] bytes) {
            return new Reply(bytes, Then.STALL);
        }
    }

    private final ServerSocket listener;
    private final Response.HelloOk hello;
    private final Function<Request, Reply> script;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Request.Hello> hellos = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile String lastRequest;
    private final java.util.concurrent.atomic.AtomicInteger sentAhead = new java.util.concurrent.atomic.AtomicInteger();

    /** Answers the first request with {@code answer}, then takes what the client sends until it leaves. */
    public ScriptedServer(byte[] answer) throws IOException {
        this(HELLO, answer);
    }

    /**
     * With {@code hello} as the answer to the client's hello (limits, say), then each of
     * {@code answers} to one request in turn; after the last, the server answers nothing more
     * but keeps reading until the client leaves, so only the answers are judged.
     */
    public ScriptedServer(Response.HelloOk hello, byte[]... answers) throws IOException {
        this(hello, inTurn(answers));
    }

    /** {@code script} answers each request; it returns null to close the connection without answering. */
    public ScriptedServer(Function<Request, Reply> script) throws IOException {
        this(HELLO, script);
    }

    /** With {@code hello} as the answer to every hello, then {@code script} for each request. */
    public ScriptedServer(Response.HelloOk hello, Function<Request, Reply> script) throws IOException {
        this.hello = Objects.requireNonNull(hello);
        this.script = Objects.requireNonNull(script);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("scripted-accept").start(this::acceptAll);
    }

    private static Function<Request, Reply> inTurn(byte[]... answers) {
        Iterator<byte[]> next = List.of(answers).iterator();
        return request -> {
            synchronized (next) {
                if (!next.hasNext()) {
                    return Reply.thenDrain(new byte[0]);
                }
                byte[] answer = next.next();
                return next.hasNext() ? Reply.keepOpen(answer) : Reply.thenDrain(answer);
            }
        };
    }

    /** {@code 127.0.0.1:PORT}, for {@code ft -s}. */
    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Every request received so far, across connections, hellos excluded. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Every hello received so far (token included), one per connection, in arrival order. */
    public List<Request.Hello> hellos() {
        return List.copyOf(hellos);
    }

    /**
     * How many requests (eager puts aside, whose body follows at once) already had more bytes
     * behind them when they were read: requests the client sent before it had the answer to
     * the one before. A client that must not pipeline (this server's hello does not offer it,
     * unless a test's hello does) sends none.
     */
    public int requestsSentAhead() {
        return sentAhead.get();
    }

    /** The last request frame (after a hello) as the client sent it, once it has arrived; else null. */
    public String request() {
        return lastRequest;
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
            Thread.ofPlatform().daemon().name("scripted-conn").start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            FrameReader reader = new FrameReader(in);
            FrameWriter writer = new FrameWriter(out);
            if (CODEC.decodeRequest(reader.readRequiredFrame()) instanceof Request.Hello h) {
                hellos.add(h);
            }
            writer.writeFrame(CODEC.encode(hello));
            writer.flush();
            while (true) {
                byte[] frame = reader.readFrame();
                if (frame == null) {
                    return;
                }
                lastRequest = new String(frame, StandardCharsets.UTF_8);
                Request request = CODEC.decodeRequest(frame);
                if (!(request instanceof Request.Put put && put.eager()) && in.available() > 0) {
                    sentAhead.incrementAndGet();
                }
                requests.add(request);
                Reply reply = script.apply(request);
                if (reply == null) {
                    return;
                }
                out.write(reply.bytes());
                out.flush();
                switch (reply.then()) {
                    case READ_ON -> {}
                    case CLOSE -> {
                        return;
                    }
                    case DRAIN -> {
                        in.transferTo(OutputStream.nullOutputStream());
                        return;
                    }
                    case STALL -> {
                        closed.await();
                        return;
                    }
                }
            }
        } catch (Exception e) {
            // The client hanging up on a hostile answer is the expected ending.
        }
    }

    // ------------------------------------------------------------------ answers

    /**
     * Frames back to back, as one scripted answer: each {@link Response} or {@link ListItem}
     * encoded as a frame, each {@code byte[]} sent as it is (a body, or bytes that lie).
     */
    public static byte[] frames(Object... items) {
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

    /** A get answer: the header, then {@code body} as is (which may disagree with the header). */
    public static byte[] getAnswer(Response.GetOk header, byte[] body) {
        return frames(header, body);
    }

    /** A find (or list) answer: ok, these entries as files of 4 bytes, and an honest end frame. */
    public static byte[] listing(List<String> filePaths) {
        Object[] items = new Object[filePaths.size() + 2];
        items[0] = new Response.Ok();
        for (int i = 0; i < filePaths.size(); i++) {
            items[i + 1] = new ListItem.Entry(filePaths.get(i), EntryType.FILE, 4, 0);
        }
        items[items.length - 1] = new ListItem.End(filePaths.size(), false, null);
        return frames(items);
    }

    /** Stops accepting, ends every stall and closes every connection. */
    @Override
    public void close() throws IOException {
        listener.close();
        closed.countDown();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
