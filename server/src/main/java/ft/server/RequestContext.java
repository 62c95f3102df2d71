package ft.server;

import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.Response;
import ft.server.storage.Storage;
import ft.transfer.Deadline;
import ft.transfer.Throttle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Everything one request's handler may use, made fresh for each request: where answers go,
 * who asked and what they may reach, the server's collaborators, and the access log entry
 * being filled in (written once, by {@link FailureTranslator}).
 *
 * <p>The handler also says how far the byte stream has got ({@link #phase}), which decides
 * whether a failure can still be answered with an error frame.
 */
final class RequestContext {
    private static final HeaderCodec CODEC = new HeaderCodec();

    /** Where the request stands in the byte stream; what a failure can still do. */
    enum Phase {
        /** Nothing of a body in flight: a failure is answered and the connection goes on. */
        IN_STEP,
        /** The client is still sending a body: a failure is answered, then the connection ends. */
        RECEIVING,
        /** A body is going out: no frame can be put in; a failure ends the connection. */
        SENDING
    }

    /** The parts of a connection a body moves through. */
    record Wire(
            SocketChannel channel,
            Deadline clock,
            InputStream bodyIn,
            OutputStream tlsOut,
            Throttle throttle,
            Runnable hangUp) {}

    private final FrameWriter writer;
    private final SocketAddress client;
    private final Share share;
    private final ServerServices services;
    private final Wire wire;
    private final long startNanos;
    private final String op;
    private String logPath;
    private long bytes;
    private String result = "ok";
    private Phase phase = Phase.IN_STEP;

    RequestContext(
            FrameWriter writer,
            SocketAddress client,
            Share share,
            ServerServices services,
            Wire wire,
            long startNanos,
            String op,
            String logPath) {
        this.writer = writer;
        this.client = client;
        this.share = share;
        this.services = services;
        this.wire = wire;
        this.startNanos = startNanos;
        this.op = op;
        this.logPath = logPath;
        services.metrics().requestStarted(op); // ended in log(), which FailureTranslator always calls
    }

    FrameWriter writer() {
        return writer;
    }

    SocketAddress client() {
        return client;
    }

    Share share() {
        return share;
    }

    /** The tree this request's share reaches. */
    Storage storage() {
        return share.storage();
    }

    /** The authenticated user's name, or null for anonymous access. */
    String user() {
        return share == null ? null : share.user();
    }

    ServerServices services() {
        return services;
    }

    Wire wire() {
        return wire;
    }

    String op() {
        return op;
    }

    /** Sends one header frame and flushes it. */
    void answer(Response response) throws IOException {
        writer.writeFrame(CODEC.encode(response));
        writer.flush();
    }

    /** The body bytes the access log reports (sent or received). */
    void bytes(long n) {
        // Counted as they go, so a scrape during a long transfer sees its bytes move.
        services.metrics().transferred(op, n - bytes);
        bytes = n;
    }

    long bytes() {
        return bytes;
    }

    void phase(Phase p) {
        phase = p;
    }

    Phase phase() {
        return phase;
    }

    void result(String r) {
        result = r;
    }

    /**
     * Keeps a client that asked for keepalives ({@code keepaliveMs > 0}) informed with wait
     * frames while its file is hashed; null for one that did not ask.
     */
    Storage.Progress keepalive(int keepaliveMs) {
        if (keepaliveMs <= 0) {
            return null;
        }
        return new Storage.Progress(
                Duration.ofMillis(keepaliveMs), (done, total) -> answer(new Response.Wait(done, total)));
    }

    /** The one access log line of this request. */
    void log() {
        AccessLog.request(client, user(), op, logPath, bytes, startNanos, result);
        services.metrics().requestEnded(op, result, startNanos);
    }
}
