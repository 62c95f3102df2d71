package ft.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ft server: one listening socket, one virtual thread per connection, one shared root.
 *
 * <p>Blocking I/O on virtual threads keeps each connection's code a straight line (read a
 * header, stream a body, answer) while thousands of connections cost a few kilobytes each.
 */
public final class FtServer implements AutoCloseable {
    public static final String SERVER_NAME = "ft/0.1.0";
    /** A connection that sends nothing for this long is closed; partial uploads are kept. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(FtServer.class);

    private final ServerSocketChannel listener;
    private final RootJail jail;
    private final DigestCache digests = new DigestCache();
    private final PartialStore partials;
    private final PathLocks uploadLocks = new PathLocks();
    private final Duration idleTimeout;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final PingResponder pings;

    private FtServer(ServerSocketChannel listener, RootJail jail, PartialStore partials, Duration idleTimeout,
                     PingResponder pings) {
        this.listener = listener;
        this.jail = jail;
        this.partials = partials;
        this.idleTimeout = idleTimeout;
        this.pings = pings;
        this.acceptor = Thread.ofPlatform().name("ft-accept").daemon(false).unstarted(this::acceptLoop);
    }

    /** Binds and starts serving {@code root} (created if missing); port 0 picks a free port. */
    public static FtServer start(Path root, InetSocketAddress listen) throws IOException {
        return start(root, listen, DEFAULT_IDLE_TIMEOUT);
    }

    public static FtServer start(Path root, InetSocketAddress listen, Duration idleTimeout) throws IOException {
        Files.createDirectories(root);
        RootJail jail = new RootJail(root);
        PartialStore partials = new PartialStore(jail.stateDir());
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
            FtServer server = new FtServer(listener, jail, partials, idleTimeout, pings);
            server.acceptor.start();
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

    public Path root() {
        return jail.root();
    }

    RootJail jail() {
        return jail;
    }

    DigestCache digests() {
        return digests;
    }

    PartialStore partials() {
        return partials;
    }

    PathLocks uploadLocks() {
        return uploadLocks;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    /** Connections open right now; lets operators (and tests) see when a client has really gone. */
    public int connectionCount() {
        return open.size();
    }

    /** Blocks until the server is closed. */
    public void awaitClose() throws InterruptedException {
        acceptor.join();
    }

    /** Stops listening and drops every connection at once; partial uploads stay for resume. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            LOG.warn("closing the listener failed: {}", e.toString());
        }
        pings.close();
        for (SocketChannel channel : open) {
            closeQuietly(channel);
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
                // Usually EMFILE: log and keep serving the connections we have.
                LOG.warn("accept failed: {}", e.toString());
                continue;
            }
            open.add(channel);
            Thread.ofVirtual().name("ft-conn").start(() -> {
                try {
                    new Connection(this, channel).run();
                } finally {
                    open.remove(channel);
                    closeQuietly(channel);
                }
            });
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
