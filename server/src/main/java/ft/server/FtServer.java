package ft.server;

import ft.protocol.ErrorCode;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.Response;
import ft.server.metrics.MetricsEndpoint;
import ft.server.metrics.ServerMetrics;
import ft.server.storage.Storage;
import ft.server.storage.local.LocalStorage;
import ft.server.storage.local.RootJail;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ft server: one listening socket, one virtual thread per connection, one served root
 * (or, with a users file, one root per user).
 *
 * <p>Blocking I/O on virtual threads keeps each connection's code a straight line (read a
 * header, stream a body, answer) while thousands of idle connections cost some 16 KB of heap
 * each (see IdleConnectionMemoryTest).
 * Admission (connection limits), a write deadline per connection and a periodic sweep of abandoned partial
 * uploads keep one client from exhausting what the others need.
 */
public final class FtServer implements AutoCloseable {
    public static final String SERVER_NAME = "ft/0.1.0";
    /** A connection that sends nothing for this long is closed; partial uploads are kept. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = ServerLimits.DEFAULTS.idleTimeout();

    private static final Logger LOG = LoggerFactory.getLogger(FtServer.class);
    private static final HeaderCodec CODEC = new HeaderCodec();
    private static final Duration SWEEP_EVERY = Duration.ofHours(1);

    private final ServerSocketChannel listener;
    /** The served tree (and users' roots in it); the only way to the tree. */
    private final Store store;
    /** What an anonymous connection gets: the served root with the server's read-only flag. */
    private final Share anonymous;
    /** Null when anyone may connect; else checks each hello's token against the users file. */
    private final Authenticator auth;

    private final ServerServices services;
    private final ServerLimits limits;
    private final boolean readOnly;
    private final Map<SocketChannel, Connection> open = new ConcurrentHashMap<>();
    /** Open connections per client address (IPv6 per /64, see {@link ClientAddresses}). */
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    /** Counted always; served and storage calls timed only with {@code --metrics}. */
    private final ServerMetrics metrics = new ServerMetrics(open::size);
    /** Null without {@code --metrics}. */
    private MetricsEndpoint metricsEndpoint;

    private final Thread acceptor;
    private final Thread sweeper;
    private final PingResponder pings;
    /** Null for plain TCP; else every connection must start with a TLS handshake. */
    private final TlsServerSockets tls;

    private volatile boolean draining;
    /**
     * With {@code --metrics}, where the store does not time its own requests (a local
     * directory): every share's storage calls are timed by a wrapper.
     */
    private final boolean wrapStorage;

    private final java.util.concurrent.CountDownLatch terminated = new java.util.concurrent.CountDownLatch(1);

    private FtServer(
            ServerSocketChannel listener,
            Store store,
            ServerLimits limits,
            boolean readOnly,
            Authenticator auth,
            PingResponder pings,
            TlsServerSockets tls,
            boolean timeStorage) {
        this.listener = listener;
        this.tls = tls;
        this.store = store;
        this.limits = limits;
        this.services = new ServerServices(limits, metrics);
        this.readOnly = readOnly;
        // An object store times each of its own requests (S3: per API call); others are wrapped.
        this.wrapStorage = timeStorage && !store.timeRequests(metrics::storageRequest);
        this.anonymous = new Share(timedIfOn(store.served()), readOnly, null);
        this.auth = auth;
        this.pings = pings;
        this.acceptor = Thread.ofPlatform().name("ft-accept").daemon(false).unstarted(this::acceptLoop);
        this.sweeper = Thread.ofVirtual().name("ft-partial-sweeper").unstarted(this::sweepLoop);
    }

    /**
     * How to start a server. {@link #of} gives the defaults; each {@code with} method returns a
     * copy with one thing changed.
     *
     * @param store     opens what is served: {@link Store#local} for a directory (created if
     *                  missing), or an object store
     * @param listen    where to listen; port 0 picks a free port
     * @param limits    what the server tolerates from clients, including {@code --max-rate} and
     *                  how long interrupted uploads are kept
     * @param readOnly  whether every connection is refused changes
     * @param usersFile the users file, read now and again whenever it changes; null for
     *                  anonymous access to the whole root. With it every connection must
     *                  authenticate in its hello and then sees its user's root (see {@link Users}),
     *                  read-only if the user or the server is
     * @param tls       the TLS socket maker (see {@link TlsServerSockets#TlsServerSockets(TlsIdentity)}), or null for
     *                  plain TCP; with it every connection must begin with a TLS 1.3 handshake
     * @param metrics   where to serve Prometheus metrics and the health check (see {@link MetricsEndpoint}),
     *                  or null for nowhere
     */
    public record Options(
            Store.Opener store,
            InetSocketAddress listen,
            ServerLimits limits,
            boolean readOnly,
            Path usersFile,
            TlsServerSockets tls,
            InetSocketAddress metrics) {
        public Options {
            java.util.Objects.requireNonNull(store, "store");
            java.util.Objects.requireNonNull(listen, "listen");
            java.util.Objects.requireNonNull(limits, "limits");
        }

        /** Serving {@code root} on {@code listen}, anonymous, writable, plain TCP, default limits. */
        public static Options of(Path root, InetSocketAddress listen) {
            return of(Store.local(root), listen);
        }

        /** Serving what {@code store} opens on {@code listen}, anonymous, writable, plain TCP, default limits. */
        public static Options of(Store.Opener store, InetSocketAddress listen) {
            return new Options(store, listen, ServerLimits.DEFAULTS, false, null, null, null);
        }

        public Options withLimits(ServerLimits l) {
            return new Options(store, listen, l, readOnly, usersFile, tls, metrics);
        }

        public Options withReadOnly(boolean ro) {
            return new Options(store, listen, limits, ro, usersFile, tls, metrics);
        }

        public Options withUsersFile(Path file) {
            return new Options(store, listen, limits, readOnly, file, tls, metrics);
        }

        public Options withTls(TlsServerSockets t) {
            return new Options(store, listen, limits, readOnly, usersFile, t, metrics);
        }

        public Options withListen(InetSocketAddress address) {
            return new Options(store, address, limits, readOnly, usersFile, tls, metrics);
        }

        /** Serves {@code /metrics} and {@code /healthz} on {@code address} (port 0: a free one); null: off. */
        public Options withMetrics(InetSocketAddress address) {
            return new Options(store, listen, limits, readOnly, usersFile, tls, address);
        }
    }

    /** Binds and starts serving {@code root} (created if missing) with the defaults; port 0 picks a free port. */
    public static FtServer start(Path root, InetSocketAddress listen) throws IOException {
        return start(Options.of(root, listen));
    }

    /** Binds and starts a server as {@code options} say. */
    public static FtServer start(Options options) throws IOException {
        Path usersFile = options.usersFile();
        Store store = options.store().open();
        Authenticator auth = null;
        try {
            // Config, not the served tree: where the users file really is.
            if (usersFile != null && store.exposes(usersFile.toRealPath())) {
                throw new IllegalArgumentException("the users file " + usersFile + " is inside the served root, "
                        + "where clients could read or replace it; keep it outside (or in the root's "
                        + RootJail.STATE_DIR + " directory)");
            }
            auth = usersFile == null ? null : new Authenticator(usersFile);
            return bind(
                    store,
                    options.listen(),
                    options.limits(),
                    options.readOnly(),
                    auth,
                    options.tls(),
                    options.metrics());
        } catch (IOException | RuntimeException e) {
            if (auth != null) {
                auth.close();
            }
            try {
                store.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static FtServer bind(
            Store store,
            InetSocketAddress listen,
            ServerLimits limits,
            boolean readOnly,
            Authenticator auth,
            TlsServerSockets tls,
            InetSocketAddress metricsAt)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            ServerSocketChannel listener = ServerSocketChannel.open();
            PingResponder pings;
            try {
                // A restarted server must bind at once, not wait out TIME_WAIT of the last run.
                listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                listener.bind(listen, 512);
                // `ft ping` uses UDP on the very address and port number of the TCP listener.
                pings = PingResponder.start((InetSocketAddress) listener.getLocalAddress());
            } catch (BindException e) {
                listener.close();
                // Port 0 found a port free for TCP whose UDP twin is taken: pick another.
                if (listen.getPort() == 0 && attempt < 10) {
                    continue;
                }
                throw e;
            } catch (IOException e) {
                listener.close();
                throw e;
            }
            FtServer server = new FtServer(listener, store, limits, readOnly, auth, pings, tls, metricsAt != null);
            if (metricsAt != null) {
                try {
                    server.metricsEndpoint = MetricsEndpoint.start(
                            metricsAt, server.metrics, server.anonymous.storage(), server::draining);
                } catch (IOException | RuntimeException e) {
                    server.closeListener();
                    throw e;
                }
            }
            server.acceptor.start();
            server.sweeper.start();
            return server;
        }
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("listener already closed", e);
        }
    }

    /** The served directory; only for a local store ({@link Store#localRoot}). */
    public Path root() {
        Path root = store.localRoot();
        if (root == null) {
            throw new IllegalStateException("this server does not serve a local directory: " + store.describe());
        }
        return root;
    }

    /** What is served, as the start-up line shows it: a directory, or {@code s3://bucket/prefix}. */
    public String served() {
        return store.describe();
    }

    /** Null when connections are plain TCP. */
    TlsServerSockets tls() {
        return tls;
    }

    /** The served root's storage (what anonymous connections see), for tests of a local one. */
    LocalStorage storage() {
        return (LocalStorage) store.served();
    }

    /** Null when the server takes anonymous connections. */
    Authenticator auth() {
        return auth;
    }

    /** Whether connections must authenticate ({@code --users}). */
    public boolean requiresAuthentication() {
        return auth != null;
    }

    Share anonymousShare() {
        return anonymous;
    }

    /**
     * What an authenticated user sees: their root ({@link Store#userRoot}), read-only if the
     * user or the whole server is.
     */
    Share shareFor(Users.User user) throws IOException {
        Storage own = store.userRoot(user.root(), auth.realFile());
        return new Share(timedIfOn(own), false, null).as(user.name(), readOnly || user.readOnly());
    }

    boolean draining() {
        return draining;
    }

    /** Where {@code /metrics} and {@code /healthz} are served; null without metrics. */
    public InetSocketAddress metricsAddress() {
        return metricsEndpoint == null ? null : metricsEndpoint.address();
    }

    /** What this server counts (served at {@link #metricsAddress} when that is not null). */
    public ServerMetrics metrics() {
        return metrics;
    }

    private Storage timedIfOn(Storage s) {
        return wrapStorage ? metrics.timed(s) : s;
    }

    /** What every request of this server shares (limits, upload locks, reserved space). */
    ServerServices services() {
        return services;
    }

    /** What this server states in its hello answer to anonymous connections. */
    Response.Limits statedLimits() {
        return statedLimits(anonymous);
    }

    /** What this server states in its hello answer to a connection that got {@code share}. */
    Response.Limits statedLimits(Share share) {
        long free;
        try {
            free = Math.max(0, share.storage().usableSpace() - services.reserved());
        } catch (IOException e) {
            free = 0;
        }
        // pipeline: Connection reads each request only after answering the one before, from a
        // buffered stream that keeps whatever the client sent ahead, so requests sent ahead are
        // answered in order without anything else to do here.
        return new Response.Limits(limits.maxFileSize(), free, share.readOnly(), true, true, true, true);
    }

    /** Connections open right now; lets operators (and tests) see when a client has really gone. */
    public int connectionCount() {
        return open.size();
    }

    /** Blocks until the server is closed. */
    public void awaitClose() throws InterruptedException {
        // Not the acceptor: it ends as soon as a graceful stop closes the listener, while
        // transfers in flight still have their grace period to run.
        terminated.await();
    }

    /**
     * Graceful stop: no new connections, idle connections closed at once, requests in flight
     * get up to {@code grace} to finish; then everything still open is dropped (its partial
     * uploads stay for resume).
     *
     * @return true if every connection finished within the grace period
     */
    public boolean shutdown(Duration grace) {
        draining = true;
        closeListener();
        for (Connection c : open.values()) {
            c.closeIfIdle();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        boolean clean = open.isEmpty();
        close();
        return clean;
    }

    /** Stops listening and drops every connection at once; partial uploads stay for resume. */
    @Override
    public void close() {
        draining = true;
        closeListener();
        for (SocketChannel channel : open.keySet()) {
            closeQuietly(channel);
        }
        sweeper.interrupt();
        if (auth != null) {
            auth.close();
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
        closeOrWarn(store, "closing the store: {}");
        terminated.countDown();
    }

    private void closeListener() {
        closeOrWarn(listener, "closing the listener failed: {}");
        pings.close();
    }

    /** Closes {@code resource}; a failure is logged as a warning with {@code message}, not thrown. */
    private static void closeOrWarn(java.io.Closeable resource, String message) {
        try {
            resource.close();
        } catch (IOException e) {
            LOG.warn(message, e.toString());
        }
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                // Usually EMFILE: log, give the system a moment, keep serving what we have.
                LOG.warn("accept failed: {}", e.toString());
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                continue;
            }
            InetAddress from = ClientAddresses.keyOf(remoteAddress(channel));
            String refused = open.size() >= limits.maxConnections()
                    ? ServerMetrics.MAX_CONNECTIONS
                    : admit(from) ? null : ServerMetrics.MAX_PER_ADDRESS;
            if (refused != null) {
                metrics.connectionRefused(refused);
                Thread.ofVirtual().name("ft-refuse").start(() -> refuseBusy(channel));
                continue;
            }
            Connection connection = new Connection(this, channel);
            open.put(channel, connection);
            Thread.ofVirtual().name("ft-conn").start(() -> {
                try {
                    connection.run();
                } finally {
                    open.remove(channel);
                    release(from);
                    closeQuietly(channel);
                }
            });
        }
    }

    /**
     * Counts one more connection from {@code from} (a {@link ClientAddresses} key) if it is under
     * its cap; a refused one changes nothing, so refused connections never grow the map.
     */
    private boolean admit(InetAddress from) {
        boolean[] admitted = {false};
        perAddress.compute(from, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= limits.maxPerAddress()) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        return admitted[0];
    }

    /** One connection from {@code from} ended; an address with none left is forgotten. */
    private void release(InetAddress from) {
        perAddress.computeIfPresent(from, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Client addresses (IPv6: /64 networks) with a connection open now. */
    int perAddressEntries() {
        return perAddress.size();
    }

    /** Over a connection limit: say BUSY at once rather than leave the client waiting. */
    private static void refuseBusy(SocketChannel channel) {
        try (channel) {
            FrameWriter writer = new FrameWriter(Channels.newOutputStream(channel));
            writer.writeFrame(CODEC.encode(
                    new Response.Error(ErrorCode.BUSY, "the server has too many connections; try again later")));
            writer.flush();
        } catch (IOException e) {
            LOG.debug("could not refuse a connection politely: {}", e.toString());
        }
    }

    static InetAddress remoteAddress(SocketChannel channel) {
        try {
            return ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
        } catch (IOException | ClassCastException e) {
            return InetAddress.getLoopbackAddress();
        }
    }

    private void sweepLoop() {
        while (!draining) {
            store.expireUploads(limits.partialMaxAge());
            LockSupport.parkNanos(SWEEP_EVERY.toNanos());
            if (Thread.interrupted()) {
                return;
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }
}
