package ft.server;

import ft.protocol.ErrorCode;
import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.Protocol;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.Deadline;
import ft.transfer.Throttle;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: hello, then requests one after another until the client leaves.
 *
 * <p>Refusals of a single request ({@link RefusedException}) are answered and the connection
 * stays usable. Anything that leaves the byte stream out of step (a bad frame, a body cut
 * short, a failed write mid-body) is answered if possible and ends the connection.
 */
final class Connection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final HeaderCodec CODEC = new HeaderCodec();
    /** What a connection buffers of its input; a 64 KiB buffer cost 2 000 idle connections 128 MiB of heap. */
    static final int READ_BUFFER_BYTES = 8 * 1024;

    private final FtServer server;
    private final SocketChannel channel;
    private SocketAddress client;
    private FrameReader reader;
    private FrameWriter writer;
    private InputStream in;
    private DeadlineInputStream timed;
    /** Every write's deadline: a client that accepts no bytes for the write timeout is dropped. */
    private Deadline clock;
    /** Under TLS: the (watched) encrypted output a get's body is copied to; null for plain TCP. */
    private OutputStream bodyOut;
    /** {@code --max-rate}: paces this connection's bodies both ways; null without a limit. */
    private Throttle throttle;
    /** Where put bodies are read from: {@link #in}, paced by the throttle if there is one. */
    private InputStream bodyIn;
    /** What this connection may reach; set by a successful hello. */
    private Share share;
    /** Who logged in, as the users file had them then; null for an anonymous connection. */
    private Users.User user;
    /** Between requests (waiting for the next header): a draining server may close it at once. */
    private volatile boolean idle = true;
    /**
     * When the last request's first byte arrived ({@link System#nanoTime}): the access log's
     * {@code ms=} counts from here, so a client that sat idle before asking is not a slow request.
     */
    private long requestStart;

    Connection(FtServer server, SocketChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    /** Used by a draining server: closes the connection unless a request is in flight. */
    void closeIfIdle() {
        if (idle) {
            hangUp();
        }
    }

    /** Closes the connection under whatever its thread is doing, which then fails and ends. */
    private void hangUp() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("{} close failed: {}", client, e.toString());
        }
    }

    @Override
    public void run() {
        try {
            client = channel.getRemoteAddress();
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            TlsServerSockets tls = server.tls();
            if (tls != null) {
                socket = startTls(tls, socket);
                if (socket == null) {
                    return;
                }
            }
            timed = new DeadlineInputStream(
                    socket, socket.getInputStream(), server.services().limits().idleTimeout());
            // Held for the connection's whole life, idle or not, so kept small: headers are small,
            // and a body's reads (Body.BUFFER_BYTES at a time) go around the buffer to the socket.
            in = new BufferedInputStream(timed, READ_BUFFER_BYTES);
            reader = new FrameReader(in);
            throttle = Throttle.atMost(server.services().limits().maxRate());
            bodyIn = throttle.paced(in);
            clock = Deadline.of(server.services().limits().writeTimeout(), this::dropSlowReader);
            OutputStream out = clock.watch(socket.getOutputStream());
            // Under TLS a get's body cannot go zero-copy to the channel: it goes through this stream.
            bodyOut = tls == null ? null : out;
            // Without a size the JDK starts the buffer at 512 bytes and grows it to 8 KiB when needed.
            writer = new FrameWriter(new BufferedOutputStream(out));
            if (hello()) {
                serveRequests();
            }
        } catch (DeadlineInputStream.HeaderTooSlowException e) {
            LOG.info("{} sent a header too slowly; closing", client);
            sendQuietly(new Response.Error(
                    ErrorCode.BAD_REQUEST,
                    "header not received within "
                            + server.services().limits().headerTimeout().toSeconds() + " s"));
        } catch (SocketTimeoutException e) {
            LOG.debug(
                    "{} idle for {}, closing",
                    client,
                    server.services().limits().idleTimeout());
        } catch (ConnectionEnded e) {
            LOG.debug("{} connection ended: {}", client, e.getMessage());
        } catch (IOException e) {
            LOG.debug("{} connection failed: {}", client, e.toString());
        } catch (RuntimeException e) {
            LOG.error("{} unexpected failure", client, e);
            sendQuietly(new Response.Error(ErrorCode.INTERNAL, "internal server error"));
        }
    }

    /** A write made no progress for the write timeout: closing the channel unblocks it. */
    private void dropSlowReader() {
        LOG.info(
                "closing a connection whose client read nothing for {} ms",
                server.services().limits().writeTimeout().toMillis());
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }

    /**
     * Reads the first byte, then completes a TLS handshake and returns the TLS socket; a plain
     * client is told, in plain frames, that TLS is required and null is returned, as it is when
     * nothing arrives. All of it, first byte, handshake or refusal, within one header timeout
     * in total: a client trickling a byte now and then must not hold the connection longer.
     */
    private Socket startTls(TlsServerSockets tls, Socket raw) throws IOException {
        Duration budget = server.services().limits().headerTimeout();
        long started = System.nanoTime();
        int headerMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, budget.toMillis()));
        raw.setSoTimeout(headerMillis);
        int first;
        try {
            first = raw.getInputStream().read();
        } catch (SocketTimeoutException e) {
            LOG.debug("{} sent nothing within the header timeout", client);
            return null;
        }
        if (first < 0) {
            return null;
        }
        if (!TlsServerSockets.startsTls(first)) {
            LOG.info("{} spoke plain ft to a TLS server; refusing", client);
            // Each read below has its own timeout; this bounds them all together.
            Deadline whole = Deadline.of(remaining(budget, started), () -> closeQuietly(raw));
            whole.enter();
            try {
                FrameWriter plain = new FrameWriter(raw.getOutputStream());
                plain.writeFrame(CODEC.encode(
                        new Response.Error(ErrorCode.BAD_REQUEST, "this server requires TLS (use tls://HOST:PORT)")));
                plain.flush();
                // Let the client read the answer: take what it sent until it hangs up (bounded by
                // the header timeout), so closing does not reset the connection under it.
                raw.shutdownOutput();
                InputStream rest = raw.getInputStream();
                byte[] sink = new byte[8 * 1024];
                long drained = 0;
                int n;
                while (drained < (1 << 20) && (n = rest.read(sink)) >= 0) {
                    drained += n;
                }
            } catch (IOException e) {
                LOG.debug("{} could not be told that TLS is required: {}", client, e.toString());
            } finally {
                whole.exit();
            }
            return null;
        }
        SSLSocket ssl = tls.wrapServer(raw, new byte[] {(byte) first}, remaining(budget, started));
        ssl.setTcpNoDelay(true);
        return ssl;
    }

    /** What is left of {@code budget} since {@code startedNanos}; at least a millisecond. */
    private static Duration remaining(Duration budget, long startedNanos) {
        Duration left = budget.minusNanos(System.nanoTime() - startedNanos);
        return left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is how the deadline ends a stalled exchange; nothing more to do.
        }
    }

    private boolean hello() throws IOException {
        // A connection that says nothing holds a slot; before hello it gets only the header
        // timeout, not the idle timeout (like sshd's LoginGraceTime).
        timed.deadlineIn(server.services().limits().headerTimeout());
        Request request = readRequest();
        if (request == null) {
            return false;
        }
        long start = requestStart;
        if (!(request instanceof Request.Hello hello)) {
            refuseAndClose("-", start, ErrorCode.BAD_REQUEST, "the first request must be hello");
            return false;
        }
        if (hello.version() != Protocol.VERSION) {
            refuseAndClose(
                    "hello",
                    start,
                    ErrorCode.UNSUPPORTED_VERSION,
                    "protocol version " + hello.version() + " is not supported; this server speaks "
                            + Protocol.VERSION);
            return false;
        }
        Authenticator auth = server.auth();
        if (auth == null) {
            // Anonymous access: a token, if the client sent one, is not needed and not looked at.
            share = server.anonymousShare();
        } else {
            Authenticator.Result result;
            try {
                // The hello keeps its deadline while it waits for its turn to be checked.
                long deadline =
                        start + server.services().limits().headerTimeout().toNanos();
                result = auth.authenticate(FtServer.remoteAddress(channel), hello.token(), deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectionEnded("interrupted during authentication");
            }
            if (result.refusal() == Authenticator.Refusal.BUSY || result.refusal() == Authenticator.Refusal.TOO_SLOW) {
                refuseAndClose(
                        "hello",
                        start,
                        ErrorCode.BUSY,
                        result.refusal() == Authenticator.Refusal.BUSY
                                ? "too many logins in progress; try again later"
                                : "the server could not check the token in time; try again later");
                return false;
            }
            if (!result.ok()) {
                // The token itself is never logged; the name only when it is a real user's.
                sendQuietly(new Response.Error(
                        ErrorCode.UNAUTHORIZED,
                        result.tokenMissing()
                                ? "this server requires a token; none was sent"
                                : "the token was not accepted"));
                AccessLog.request(
                        client,
                        auth.knownNameOf(hello.token()),
                        "hello",
                        null,
                        0,
                        start,
                        ErrorCode.UNAUTHORIZED.name());
                server.metrics().request("hello", ErrorCode.UNAUTHORIZED.name());
                return false;
            }
            try {
                user = result.user();
                share = server.shareFor(user);
            } catch (IOException e) {
                LOG.error("{} user {}: {}", client, result.user().name(), e.getMessage());
                refuseAndClose("hello", start, ErrorCode.INTERNAL, "the server cannot open this user's root");
                return false;
            }
        }
        send(new Response.HelloOk(Protocol.VERSION, FtServer.SERVER_NAME, server.statedLimits(share)));
        writer.flush();
        AccessLog.request(client, share.user(), "hello", null, 0, start, "ok");
        server.metrics().request("hello", "ok");
        return true;
    }

    private void serveRequests() throws IOException {
        RequestContext.Wire wire = new RequestContext.Wire(channel, clock, bodyIn, bodyOut, throttle, this::hangUp);
        while (true) {
            idle = true;
            if (server.draining()) {
                return;
            }
            Request request = readRequest();
            if (request == null) {
                return;
            }
            idle = false;
            String revoked = user == null ? null : server.auth().revoked(user);
            if (revoked != null) {
                // Removed or changed in the users file since the hello: this session ends here.
                LOG.info("{} {}; closing", client, revoked);
                refuseAndClose(request.op(), requestStart, ErrorCode.ACCESS_DENIED, revoked);
                return;
            }
            if (request instanceof Request.Hello) {
                refuseAndClose(
                        "hello", requestStart, ErrorCode.BAD_REQUEST, "hello was already done on this connection");
                return;
            }
            RequestContext ctx = new RequestContext(
                    writer, client, share, server.services(), wire, requestStart, request.op(), logPathOf(request));
            if (share.readOnly() && changes(request)) {
                FailureTranslator.serve(this::refuseReadOnly, request, ctx);
                continue;
            }
            // The one dispatch table: every request goes through the same translator and log.
            switch (request) {
                case Request.Get get -> FailureTranslator.serve(SendFile::handle, get, ctx);
                case Request.Put put -> FailureTranslator.serve(ReceiveUpload::handle, put, ctx);
                case Request.Stat stat -> FailureTranslator.serve(DescribePath::stat, stat, ctx);
                case Request.List list -> FailureTranslator.serve(ListDirectory::handle, list, ctx);
                case Request.Find find -> FailureTranslator.serve(FindFiles::handle, find, ctx);
                case Request.MakeDirectory mkdir -> FailureTranslator.serve(EditTree::mkdir, mkdir, ctx);
                case Request.Remove rm -> FailureTranslator.serve(EditTree::rm, rm, ctx);
                case Request.Move mv -> FailureTranslator.serve(EditTree::mv, mv, ctx);
                case Request.Hello h -> throw new IllegalStateException("handled above");
            }
        }
    }

    /** What the access log names for a request: its path, or both of a move's. */
    private static String logPathOf(Request request) {
        return switch (request) {
            case Request.Get r -> r.path();
            case Request.Put r -> r.path();
            case Request.Stat r -> r.path();
            case Request.List r -> r.path();
            case Request.Find r -> r.path();
            case Request.MakeDirectory r -> r.path();
            case Request.Remove r -> r.path();
            case Request.Move r -> r.from() + " -> " + r.to();
            case Request.Hello r -> null;
        };
    }

    /** A change asked of a read-only share: refused, in step with an eager put's body. */
    private void refuseReadOnly(Request request, RequestContext ctx) throws RefusedException, IOException {
        if (request instanceof Request.Put put && put.eager()) {
            in.skipNBytes(put.size()); // its body is already on the way: stay in step
        }
        throw new RefusedException(
                ErrorCode.ACCESS_DENIED,
                ctx.user() == null
                        ? "this server is read-only"
                        : "read-only: user " + ctx.user() + " may not change files");
    }

    private static boolean changes(Request request) {
        return request instanceof Request.Put
                || request instanceof Request.MakeDirectory
                || request instanceof Request.Remove
                || request instanceof Request.Move;
    }

    /**
     * The next request, or null when the client closed the connection between requests;
     * {@link #requestStart} says when its first byte arrived.
     */
    private Request readRequest() throws IOException {
        requestStart = System.nanoTime();
        try {
            // Waiting for a header's first byte is idle time; once it arrives, the rest of the
            // header is on the clock (the header timeout's and the access log's).
            in.mark(1);
            if (in.read() < 0) {
                return null;
            }
            requestStart = System.nanoTime();
            in.reset();
            timed.deadlineIn(server.services().limits().headerTimeout());
            byte[] frame;
            try {
                frame = reader.readFrame();
            } finally {
                timed.noDeadline();
            }
            return frame == null ? null : CODEC.decodeRequest(frame);
        } catch (ProtocolException e) {
            refuseAndClose("-", requestStart, e.code(), e.getMessage());
            // Not the message: a parser's message may quote the bad input, which can be a token.
            throw new ConnectionEnded("bad request (" + e.code() + ")");
        }
    }

    private void refuseAndClose(String op, long start, ErrorCode code, String message) {
        sendQuietly(new Response.Error(code, message));
        AccessLog.request(client, share == null ? null : share.user(), op, null, 0, start, code.name());
        server.metrics().request(op, code.name());
    }

    private void send(Response response) throws IOException {
        writer.writeFrame(CODEC.encode(response));
    }

    private void sendQuietly(Response response) {
        if (writer == null) {
            return;
        }
        try {
            send(response);
            writer.flush();
        } catch (IOException e) {
            LOG.debug("{} could not send {}: {}", client, response, e.toString());
        }
    }

    /** The connection cannot go on: the stream is out of step or the peer is gone. */
    static final class ConnectionEnded extends IOException {
        ConnectionEnded(String message) {
            super(message);
        }
    }
}
