package ft.client;

import ft.protocol.ErrorCode;
import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.HostPort;
import ft.protocol.ListItem;
import ft.protocol.Protocol;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.ChannelInput;
import ft.transfer.Deadline;
import ft.transfer.Throttle;
import ft.transfer.TlsReady;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One connection to an ft server, past the hello. Requests go one after another; a get's
 * body must be read whole from {@link #body()} before the next request. To a server that
 * {@link #pipelines}, gets and eager puts may also be sent ahead ({@link #sendGet},
 * {@link #sendEagerPut}, {@link #flush}) and their answers read later, in order
 * ({@link #receiveGet}, {@link #receivePutDone}); see PROTOCOL.md, "Pipelining".
 *
 * <p>Every failure is an {@link FtException}: the network ({@link ConnectionException}), the
 * server's refusal ({@link RemoteException}) or a server breaking the protocol
 * ({@link BadResponseException}).
 */
public final class FtClient implements AutoCloseable {
    /** How long to wait for the server to connect or to send anything before giving up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How much of a put's body is handed to the socket at once. The upload watchdog sees
     * progress per chunk, so a link must move this much per timeout to count as alive.
     */
    private static final long BODY_CHUNK = 256 * 1024;

    private static final HeaderCodec CODEC = new HeaderCodec();

    private final HostPort server;
    private final SocketChannel channel;
    private final Duration timeout;
    private final InputStream in;
    private final FrameReader reader;
    private final FrameWriter writer;
    private String serverName = "";
    private Response.Limits limits;
    /**
     * Requests sent ahead ({@link #sendGet}, {@link #sendEagerPut}) whose final answers have not
     * been read yet: while there are any, bytes waiting after a body are the next answer, not
     * excess body bytes.
     */
    private int unanswered;

    /**
     * TLS settings for {@link #connect(HostPort, Duration, String, Tls)}: whom to trust, who
     * decides about a server met for the first time, and whether TLS is always used or only
     * where a token would otherwise leave this machine in clear text.
     */
    public record Tls(TlsTrust trust, TrustDecision decision, boolean always) {
        public Tls {
            java.util.Objects.requireNonNull(trust, "trust");
            java.util.Objects.requireNonNull(decision, "decision");
        }

        public Tls(TlsTrust trust, TrustDecision decision) {
            this(trust, decision, true);
        }

        /** TLS on every connection. */
        public static Tls always(TlsTrust trust, TrustDecision decision) {
            return new Tls(trust, decision, true);
        }

        /**
         * Plain TCP, except to a server that is not on this machine when there is a token to
         * send: the token never crosses a network in clear text, whatever the user forgot.
         */
        public static Tls whenTokenLeavesHost(TlsTrust trust, TrustDecision decision) {
            return new Tls(trust, decision, false);
        }
    }

    /** Under TLS, where a put's body goes (encrypted); null to send zero-copy to the channel. */
    private final OutputStream tlsOut;

    private FtClient(HostPort server, SocketChannel channel, Socket socket, boolean tls, Duration timeout)
            throws IOException {
        this.server = server;
        this.channel = channel;
        this.timeout = timeout;
        socket.setSoTimeout((int) timeout.toMillis());
        socket.setTcpNoDelay(true);
        InputStream received = socket.getInputStream();
        if (tls) {
            // SSLSocket counts only decrypted bytes as available (one record at most): without
            // this a TLS body was written and hashed one 16 KiB record at a time (issue #15).
            received = new TlsReady(received, channel.socket().getInputStream());
        }
        // Plain: large bodies are read from the channel into direct buffers (ChannelInput).
        this.in = new ChannelInput(received, tls ? null : channel, 256 * 1024);
        this.reader = new FrameReader(in);
        OutputStream out = socket.getOutputStream();
        this.tlsOut = tls ? out : null;
        this.writer = new FrameWriter(new BufferedOutputStream(out, 8 * 1024));
    }

    public static FtClient connect(HostPort server) throws FtException {
        return connect(server, DEFAULT_TIMEOUT);
    }

    /** Connects and says hello; {@code timeout} bounds the connect and every later wait. */
    public static FtClient connect(HostPort server, Duration timeout) throws FtException {
        return connect(server, timeout, null);
    }

    /**
     * Connects and says hello with {@code token} (null for none); a server that requires
     * authentication refuses a missing or wrong token with {@code UNAUTHORIZED}.
     */
    public static FtClient connect(HostPort server, Duration timeout, String token) throws FtException {
        return connect(server, timeout, token, null);
    }

    /**
     * Like {@link #connect(HostPort, Duration, String)}, over TLS 1.3 when {@code tls} is not
     * null: the server's certificate is checked (see {@link TlsTrust}) before anything, the
     * token included, is sent.
     *
     * @throws TrustException if the server's certificate is not trusted
     * @throws ConnectionException {@link TlsTrust#TLS_FAILED} if the TLS handshake failed
     */
    public static FtClient connect(HostPort server, Duration timeout, String token, Tls tls) throws FtException {
        InetAddress address = resolve(server);
        boolean tokenLeavesHost = token != null && !isOnThisHost(address);
        boolean useTls = tls != null && (tls.always() || tokenLeavesHost);
        if (tokenLeavesHost && !useTls) {
            throw new ConnectionException(
                    ConnectionException.CONNECT_FAILED,
                    "refusing to send a token in clear text to " + server
                            + ", which is not on this machine; connect with TLS",
                    null);
        }
        SocketChannel channel = null;
        Socket socket;
        try {
            channel = SocketChannel.open();
            channel.socket().connect(new InetSocketAddress(address, server.port()), (int) timeout.toMillis());
            socket = channel.socket();
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ConnectionException(
                    ConnectionException.CONNECT_FAILED, "cannot connect to " + server + ": " + TlsTrust.describe(e), e);
        }
        if (useTls) {
            try {
                // Closes the channel itself on any failure.
                socket = tls.trust().wrap(socket, server, timeout, tls.decision(), token != null);
            } catch (ConnectionException e) {
                if (tls.always()) {
                    throw e;
                }
                throw new ConnectionException(
                        e.code(),
                        e.getMessage() + "; ft sends a token only over TLS "
                                + "to a server that is not on this machine (" + server
                                + " does not seem to speak TLS: start it "
                                + "with --tls, or reach it through an SSH tunnel to 127.0.0.1)",
                        e);
            }
        }
        FtClient client;
        try {
            client = new FtClient(server, channel, socket, useTls, timeout);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ConnectionException(
                    ConnectionException.CONNECT_FAILED, "cannot connect to " + server + ": " + TlsTrust.describe(e), e);
        }
        try {
            client.hello(token);
            return client;
        } catch (FtException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Whether connections to {@code address} stay on this machine: a loopback address
     * (127.0.0.0/8, ::1) or the wildcard address, which connects to this host.
     */
    static boolean isOnThisHost(InetAddress address) {
        return address.isLoopbackAddress() || address.isAnyLocalAddress();
    }

    private static InetAddress resolve(HostPort server) throws ConnectionException {
        try {
            return InetAddress.getByName(server.host());
        } catch (UnknownHostException e) {
            throw new ConnectionException(
                    ConnectionException.CONNECT_FAILED, "cannot resolve host " + server.host(), e);
        } catch (SecurityException e) {
            throw new ConnectionException(
                    ConnectionException.CONNECT_FAILED,
                    "cannot resolve host " + server.host() + ": " + e.getMessage(),
                    null);
        }
    }

    /**
     * The hello ends with {@code \r\n\r\n}, whitespace JSON allows after the object: a server of
     * another protocol reached by mistake (HTTP, SMTP, Redis…) then sees a complete request and
     * answers at once, instead of waiting for the end of a line until our timeout fires.
     */
    private static final byte[] HELLO_TAIL = {'\r', '\n', '\r', '\n'};

    /** How much of a non-ft answer to show: enough for a banner or a status line. */
    private static final int SHOWN_ANSWER_BYTES = 80;

    private void hello(String token) throws FtException {
        byte[] header = CODEC.encode(new Request.Hello(Protocol.VERSION, token));
        byte[] frame = java.util.Arrays.copyOf(header, header.length + HELLO_TAIL.length);
        System.arraycopy(HELLO_TAIL, 0, frame, header.length, HELLO_TAIL.length);
        try {
            writer.writeFrame(frame);
            writer.flush();
        } catch (IOException e) {
            throw lost(e, "while sending a request");
        }
        in.mark(SHOWN_ANSWER_BYTES);
        Response response;
        try {
            response = CODEC.decodeResponse(reader.readRequiredFrame(), Response.HelloOk.class);
        } catch (ProtocolException e) {
            throw notFt(e);
        } catch (IOException e) {
            throw lost(e, "while waiting for an answer");
        }
        Response.HelloOk ok = expect(response, Response.HelloOk.class);
        if (ok.version() != Protocol.VERSION) {
            throw new BadResponseException(
                    server + " answered hello with version " + ok.version() + ", not " + Protocol.VERSION);
        }
        serverName = ok.server();
        limits = ok.limits();
    }

    /** What the server said it accepts, or null if it did not say (an older server). */
    public Response.Limits limits() {
        return limits;
    }

    /**
     * Fails fast, before any hashing or sending, when the server already said it would refuse
     * an upload of {@code size} bytes; the server checks again either way.
     */
    public void checkUpload(String remotePath, long size) throws RemoteException {
        if (limits == null) {
            return;
        }
        if (limits.readOnly()) {
            throw new RemoteException(ErrorCode.ACCESS_DENIED, server + " is read-only");
        }
        if (size > limits.maxFileSize()) {
            throw new RemoteException(
                    ErrorCode.TOO_LARGE,
                    "'" + remotePath + "' is " + size + " bytes; " + server + " accepts at most "
                            + limits.maxFileSize());
        }
    }

    public HostPort server() {
        return server;
    }

    public String serverName() {
        return serverName;
    }

    /** Asks for a file; on success exactly {@code bodyLength()} bytes follow on {@link #body()}. */
    public Response.GetOk get(Request.Get request) throws FtException {
        return get(request, NOT_TOLD);
    }

    /**
     * As {@link #get(Request.Get)}. A server that hashes the file before answering keeps the
     * connection alive meanwhile (when it offers to), telling {@code whileHashing} how far it
     * has got, so a large file never trips the timeout.
     */
    public Response.GetOk get(Request.Get request, Consumer<Response.Wait> whileHashing) throws FtException {
        Request.Get asked =
                takesKeepalive() && request.keepaliveMs() == 0 ? request.withKeepalive(keepaliveMs()) : request;
        return expect(exchange(asked, Response.GetOk.class, whileHashing), Response.GetOk.class);
    }

    private static final Consumer<Response.Wait> NOT_TOLD = wait -> {};

    private boolean takesKeepalive() {
        return limits != null && limits.keepalive();
    }

    /** Often enough that the timeout never fires while the server is busy for us. */
    private int keepaliveMs() {
        long third = timeout.toMillis() / 3;
        return (int) Math.clamp(third, Protocol.MIN_KEEPALIVE_MS, Protocol.MAX_KEEPALIVE_MS);
    }

    /** The connection's input, positioned on a get's body after {@link #get}. */
    public InputStream body() {
        return in;
    }

    /** Announces an upload; the answer says from which offset to send. */
    public Response.PutReady put(Request.Put request) throws FtException {
        return expect(exchange(request, Response.PutReady.class), Response.PutReady.class);
    }

    /** Whether this server takes eager puts: a small body right behind its header, one exchange. */
    public boolean takesEagerPut(long size) {
        return limits != null && limits.eagerPut() && size <= Protocol.MAX_EAGER_PUT_BYTES;
    }

    /**
     * An eager put (see {@link #takesEagerPut}): the header and the whole {@code body} in one
     * write, then the server's verdict. There is no offset to resume from: the body is small.
     */
    public Response.PutDone putEager(
            String remotePath, byte[] body, ft.protocol.Md5 md5, ft.protocol.FileAttributes attributes)
            throws FtException {
        Request.Put request = new Request.Put(remotePath, body.length, md5, true, attributes);
        try {
            writer.writeFrameWithBody(CODEC.encode(request), body);
            writer.flush();
        } catch (IOException e) {
            // The server may have hung up after explaining why: prefer its reason.
            Response reason = readErrorQuietly();
            if (reason instanceof Response.Error error) {
                throw new RemoteException(error.code(), error.message());
            }
            throw lostMidTransfer(e, "while sending an upload");
        }
        return expect(receive(Response.PutDone.class), Response.PutDone.class);
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position} as a put's body, then
     * waits for the server's verdict. A server that accepts no bytes of the body for the
     * timeout is given up on ({@code TIMEOUT}), as one that sends nothing would be.
     */
    public Response.PutDone sendBody(FileChannel file, long position, long count, Progress progress, Throttle throttle)
            throws FtException, IOException {
        long sent = 0;
        // Each chunk's write is on the clock: closing the channel unblocks a write the server
        // does not take. Throttle waits are not, as they are no sign of a stuck server.
        Deadline deadline = Deadline.of(timeout, this::closeChannelQuietly);
        try {
            if (tlsOut != null) {
                sent = copyBody(file, position, count, progress, deadline, throttle);
            }
            while (sent < count) {
                long n;
                deadline.enter();
                try {
                    n = file.transferTo(
                            position + sent, throttle.piece((int) Math.min(count - sent, BODY_CHUNK)), channel);
                } finally {
                    deadline.exit();
                }
                if (n <= 0) {
                    throw new EOFException("local file ended before " + count + " bytes were sent");
                }
                sent += n;
                throttle.spend(n);
                progress.advance(position + sent);
            }
        } catch (EOFException e) {
            throw e;
        } catch (IOException e) {
            if (deadline.expired()) {
                throw new ConnectionException(
                        ConnectionException.TIMEOUT,
                        server + " accepted no bytes for " + timeout.toSeconds() + " s after " + (position + sent)
                                + " bytes; giving up" + RESUME_HINT,
                        e);
            }
            // The server may have hung up after explaining why (e.g. NO_SPACE): prefer its reason.
            Response reason = readErrorQuietly();
            if (reason instanceof Response.Error error) {
                throw new RemoteException(error.code(), error.message());
            }
            throw lostMidTransfer(e, "after sending " + (position + sent) + " bytes");
        }
        return expect(receive(Response.PutDone.class), Response.PutDone.class);
    }

    /** What a body's deadline does: the blocked write fails at once. */
    private void closeChannelQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // The blocked write fails either way.
        }
    }

    /** Under TLS: the body through the encrypted stream, one reused buffer at a time. */
    private long copyBody(
            FileChannel file, long position, long count, Progress progress, Deadline deadline, Throttle throttle)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(BODY_CHUNK, Math.max(1, count)));
        long sent = 0;
        while (sent < count) {
            buf.clear();
            buf.limit(throttle.piece((int) Math.min(buf.capacity(), count - sent)));
            int n = file.read(buf, position + sent);
            if (n <= 0) {
                throw new EOFException("local file ended before " + count + " bytes were sent");
            }
            deadline.enter();
            try {
                tlsOut.write(buf.array(), 0, n);
            } finally {
                deadline.exit();
            }
            sent += n;
            throttle.spend(n);
            progress.advance(position + sent);
        }
        deadline.enter();
        try {
            tlsOut.flush();
        } finally {
            deadline.exit();
        }
        return sent;
    }

    /**
     * Whether the server takes requests sent ahead of the answers to earlier ones (its hello
     * said {@code pipeline}); to one that did not say, requests go one at a time.
     */
    public boolean pipelines() {
        return limits != null && limits.pipeline();
    }

    /** Requests sent ahead whose answers are still to be read. */
    public int unanswered() {
        return unanswered;
    }

    /**
     * Sends a get without waiting for its answer (to a server that {@link #pipelines}); the
     * answer comes, in order, from {@link #receiveGet}. Nothing leaves before {@link #flush}.
     *
     * @return the request as sent (with keepalives when the server offers them)
     */
    public Request.Get sendGet(Request.Get request) throws FtException {
        Request.Get asked =
                takesKeepalive() && request.keepaliveMs() == 0 ? request.withKeepalive(keepaliveMs()) : request;
        try {
            writer.writeFrame(CODEC.encode(asked));
        } catch (IOException e) {
            throw lost(e, "while sending a request");
        }
        unanswered++;
        return asked;
    }

    /**
     * Sends an eager put (see {@link #takesEagerPut}) without waiting for its verdict, which
     * comes, in order, from {@link #receivePutDone}.
     */
    public void sendEagerPut(String remotePath, byte[] body, ft.protocol.Md5 md5, ft.protocol.FileAttributes attributes)
            throws FtException {
        Request.Put request = new Request.Put(remotePath, body.length, md5, true, attributes);
        try {
            writer.writeFrameWithBody(CODEC.encode(request), body);
        } catch (IOException e) {
            throw lostMidTransfer(e, "while sending an upload");
        }
        unanswered++;
    }

    /** Sends what {@link #sendGet} and {@link #sendEagerPut} left in the buffer. */
    public void flush() throws FtException {
        try {
            writer.flush();
        } catch (IOException e) {
            throw lost(e, "while sending a request");
        }
    }

    /**
     * The answer to the oldest get sent ahead, {@code asked} as {@link #sendGet} returned it;
     * on success exactly {@code bodyLength()} bytes follow on {@link #body()}.
     */
    public Response.GetOk receiveGet(Request.Get asked, Consumer<Response.Wait> whileHashing) throws FtException {
        if (unanswered == 0) {
            throw new IllegalStateException("no request is waiting for its answer");
        }
        Response response = receive(Response.GetOk.class);
        while (response instanceof Response.Wait wait && asked.keepaliveMs() > 0) {
            whileHashing.accept(wait);
            response = receive(Response.GetOk.class);
        }
        unanswered--;
        return expect(response, Response.GetOk.class);
    }

    /** The verdict on the oldest eager put sent ahead. */
    public Response.PutDone receivePutDone() throws FtException {
        if (unanswered == 0) {
            throw new IllegalStateException("no request is waiting for its answer");
        }
        Response response = receive(Response.PutDone.class);
        unanswered--;
        return expect(response, Response.PutDone.class);
    }

    /** Describes a remote path; a file's description includes its MD5. */
    public Response.StatOk stat(String path) throws FtException {
        return stat(path, NOT_TOLD);
    }

    /** As {@link #stat(String)}, kept alive and told as {@link #get(Request.Get, Consumer)} is. */
    public Response.StatOk stat(String path, Consumer<Response.Wait> whileHashing) throws FtException {
        Request.Stat request = new Request.Stat(path, takesKeepalive() ? keepaliveMs() : 0);
        return expect(exchange(request, Response.StatOk.class, whileHashing), Response.StatOk.class);
    }

    /**
     * Lists a directory ({@code ""} for the root) in name order, page by page, handing each
     * entry to {@code each} as it arrives; memory stays flat however large the directory.
     *
     * @return the number of entries
     */
    public long list(String path, Consumer<ListItem.Entry> each) throws FtException {
        long total = 0;
        String[] last = {null};
        while (true) {
            expect(
                    exchange(new Request.List(path, last[0], Protocol.MAX_PAGE_ENTRIES), Response.Ok.class),
                    Response.Ok.class);
            String before = last[0];
            ListItem.End end = readItems(entry -> {
                if (entry.path().isEmpty() || entry.path().indexOf('/') >= 0) {
                    throw new IllegalStateException("listed name '" + entry.path() + "' is not a plain name");
                }
                last[0] = entry.path();
                each.accept(entry);
            });
            total += end.count();
            // A page that brings no new name cannot be followed by another: stop, never loop.
            if (!end.more() || last[0] == null || last[0].equals(before)) {
                return total;
            }
        }
    }

    /**
     * Streams the files (and, without a pattern, directories) below {@code path} on the
     * server; with a pattern, only files whose path relative to {@code path} matches it.
     * Entry paths are relative to the served root.
     *
     * @return the number of entries
     */
    public long find(String path, String pattern, Consumer<ListItem.Entry> each) throws FtException {
        expect(exchange(new Request.Find(path, pattern), Response.Ok.class), Response.Ok.class);
        return readItems(each).count();
    }

    public void mkdir(String path, boolean parents) throws FtException {
        expect(exchange(new Request.MakeDirectory(path, parents), Response.Ok.class), Response.Ok.class);
    }

    public void remove(String path, boolean recursive) throws FtException {
        expect(exchange(new Request.Remove(path, recursive), Response.Ok.class), Response.Ok.class);
    }

    public void move(String from, String to) throws FtException {
        expect(exchange(new Request.Move(from, to), Response.Ok.class), Response.Ok.class);
    }

    /** Reads entry frames up to the end frame, checking the count the server claims. */
    private ListItem.End readItems(Consumer<ListItem.Entry> each) throws FtException {
        long seen = 0;
        try {
            while (true) {
                ListItem item = CODEC.decodeListItem(reader.readRequiredFrame());
                switch (item) {
                    case ListItem.Entry entry -> {
                        if (entry.path().startsWith("/") || ("/" + entry.path() + "/").contains("/../")) {
                            throw new BadResponseException(server + " listed an unsafe path; refusing the listing");
                        }
                        seen++;
                        each.accept(entry);
                    }
                    case ListItem.End end -> {
                        if (end.count() != seen) {
                            throw new BadResponseException(
                                    server + " announced " + end.count() + " entries but sent " + seen);
                        }
                        if (end.error() != null) {
                            throw new RemoteException(
                                    end.error().code(), end.error().message());
                        }
                        return end;
                    }
                }
            }
        } catch (ProtocolException e) {
            throw new BadResponseException(server + " sent a malformed listing: " + e.getMessage());
        } catch (IllegalStateException e) {
            throw new BadResponseException(server + " sent a bad listing: " + e.getMessage());
        } catch (IOException e) {
            throw lost(e, "while receiving a listing");
        }
    }

    /** The first answer was no ft frame: say what answered, so the user sees the wrong port at once. */
    private ConnectionException notFt(ProtocolException e) {
        String said = "";
        try {
            in.reset();
            // Only what already came: a server with a banner (sshd) waits for us after it.
            byte[] first = in.readNBytes(Math.min(in.available(), SHOWN_ANSWER_BYTES));
            said = new String(first, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .lines()
                    .findFirst()
                    .orElse("")
                    .replaceAll("[^\\x20-\\x7e]", "")
                    .strip();
        } catch (IOException resetImpossible) {
            // Then only the fact is reported.
        }
        return new ConnectionException(
                ConnectionException.NOT_FT_SERVER,
                server + " is not an ft server" + (said.isEmpty() ? "" : " (it answered '" + said + "')"),
                e);
    }

    private Response readErrorQuietly() {
        try {
            byte[] frame = reader.readFrame();
            return frame == null ? null : CODEC.decodeResponse(frame, Response.PutDone.class);
        } catch (IOException | ProtocolException e) {
            return null;
        }
    }

    private Response exchange(Request request, Class<? extends Response> expected) throws FtException {
        return exchange(request, expected, NOT_TOLD);
    }

    private Response exchange(Request request, Class<? extends Response> expected, Consumer<Response.Wait> whileHashing)
            throws FtException {
        try {
            writer.writeFrame(CODEC.encode(request));
            writer.flush();
        } catch (IOException e) {
            throw lost(e, "while sending a request");
        }
        Response response = receive(expected);
        while (response instanceof Response.Wait wait && asksKeepalive(request)) {
            whileHashing.accept(wait);
            response = receive(expected);
        }
        return response;
    }

    private static boolean asksKeepalive(Request request) {
        return (request instanceof Request.Get get && get.keepaliveMs() > 0)
                || (request instanceof Request.Stat stat && stat.keepaliveMs() > 0);
    }

    private Response receive(Class<? extends Response> expected) throws FtException {
        try {
            return CODEC.decodeResponse(reader.readRequiredFrame(), expected);
        } catch (ProtocolException e) {
            throw new BadResponseException(server + " sent a malformed answer: " + e.getMessage());
        } catch (IOException e) {
            throw lost(e, "while waiting for an answer");
        }
    }

    private <T extends Response> T expect(Response response, Class<T> type) throws FtException {
        if (response instanceof Response.Error error) {
            throw new RemoteException(error.code(), error.message());
        }
        if (response instanceof Response.Wait) {
            throw new BadResponseException(server + " sent a wait frame to a request that asked for none");
        }
        return type.cast(response);
    }

    /** As {@link #lost}, mid-transfer: the bytes so far are kept, so the message says how to go on. */
    public ConnectionException lostMidTransfer(IOException e, String when) {
        ConnectionException plain = lost(e, when);
        return new ConnectionException(plain.code(), plain.getMessage() + RESUME_HINT, e);
    }

    static final String RESUME_HINT = "; rerun the same command to resume";

    /** Maps a network failure to the right {@link ConnectionException}. */
    public ConnectionException lost(IOException e, String when) {
        if (e instanceof SocketTimeoutException) {
            return new ConnectionException(
                    ConnectionException.TIMEOUT,
                    server + " sent nothing for " + timeout.toSeconds() + " s " + when + "; giving up",
                    e);
        }
        return new ConnectionException(
                ConnectionException.CONNECTION_LOST,
                "connection to " + server + " lost " + when + ": " + TlsTrust.describe(e),
                e);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    /** False once closed, by {@link #close} or by a transfer that could not leave it in step. */
    public boolean isOpen() {
        return channel.isOpen();
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to tell the server; the socket is gone either way.
        }
    }
}
