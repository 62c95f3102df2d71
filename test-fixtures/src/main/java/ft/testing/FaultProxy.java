package ft.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on 127.0.0.1 (ephemeral port) that forwards every connection it accepts to a
 * target {@code host:port} and can break each one in a chosen way: a network between an ft
 * client and server that fails on purpose, at a known byte.
 *
 * <p>Each accepted connection takes the next {@link Faults} from the queue ({@link #enqueue},
 * first in, first out), or the default ({@link #setDefault}, initially {@link Faults#none()})
 * when the queue is empty. Faults apply per direction ({@link Direction#UPSTREAM} client to
 * server, {@link Direction#DOWNSTREAM} server to client) and count bytes of that direction of
 * that connection from 0, frames and bodies alike:
 * <ul>
 *   <li>{@link Faults#cutAfter cut}: forward exactly N bytes, then close both sides;</li>
 *   <li>{@link Faults#stallAfter stall}: forward N bytes, then forward nothing (and read
 *       nothing) for a while, or until the connection or proxy closes;</li>
 *   <li>{@link Faults#throttle throttle}: at most R bytes per second (token bucket, 64 KiB burst);</li>
 *   <li>{@link Faults#flipAt flip}: invert (XOR 0xFF) the byte at one offset.</li>
 * </ul>
 * When either side of a connection ends (or a cut fires), both sides are closed. A stalled
 * direction reads nothing, so like a real dead link it does not notice its sender leaving:
 * the stall ends after its duration, when the other direction sees its side end, or on
 * {@link #disconnectAll()} or {@link #close()}. Tests can
 * count forwarded bytes ({@link #bytes}), connections, and wait for a fault to have fired
 * ({@link #awaitFired}) instead of sleeping.
 *
 * <p>The one fault proxy of ft's tests: the in-process end-to-end tests and the process
 * integration tests break their links with it alike.
 */
public final class FaultProxy implements AutoCloseable {
    /** Which way bytes flow through the proxy. */
    public enum Direction {
        /** Client to server. */
        UPSTREAM,
        /** Server to client. */
        DOWNSTREAM
    }

    /** What a fault did, counted over all connections. */
    public enum Kind {
        /** A connection was closed after its N bytes. */
        CUT,
        /** A direction stopped forwarding after its N bytes (counted when the stall begins). */
        STALL,
        /** A byte was inverted. */
        FLIP
    }

    /** The faults of one direction; a negative position means "not set". */
    public record Plan(long cutAfter, long stallAfter, Duration stallFor, long bytesPerSecond, long flipAt) {
        public static final Plan CLEAN = new Plan(-1, -1, null, 0, -1);
    }

    /**
     * The faults of one connection, both directions: an immutable value, built fluently from
     * {@link #none()}, e.g. {@code Faults.none().throttle(UPSTREAM, 8 << 20).cutAfter(UPSTREAM, 5 << 20)}.
     */
    public record Faults(Plan upstream, Plan downstream) {
        public Faults {
            Objects.requireNonNull(upstream);
            Objects.requireNonNull(downstream);
        }

        /** A clean connection. */
        public static Faults none() {
            return new Faults(Plan.CLEAN, Plan.CLEAN);
        }

        public Plan plan(Direction d) {
            return d == Direction.UPSTREAM ? upstream : downstream;
        }

        /** Forward exactly {@code bytes} in direction {@code d}, then close both sides. */
        public Faults cutAfter(Direction d, long bytes) {
            requireNonNegative(bytes);
            Plan p = plan(d);
            return with(d, new Plan(bytes, p.stallAfter(), p.stallFor(), p.bytesPerSecond(), p.flipAt()));
        }

        /** After {@code bytes} in direction {@code d}, forward nothing for {@code duration}, then go on. */
        public Faults stallAfter(Direction d, long bytes, Duration duration) {
            requireNonNegative(bytes);
            Objects.requireNonNull(duration);
            Plan p = plan(d);
            return with(d, new Plan(p.cutAfter(), bytes, duration, p.bytesPerSecond(), p.flipAt()));
        }

        /** After {@code bytes} in direction {@code d}, forward nothing until the connection closes. */
        public Faults stallForeverAfter(Direction d, long bytes) {
            return stallAfter(d, bytes, FOREVER);
        }

        /** At most {@code bytesPerSecond} in direction {@code d}. */
        public Faults throttle(Direction d, long bytesPerSecond) {
            if (bytesPerSecond <= 0) {
                throw new IllegalArgumentException("rate must be positive: " + bytesPerSecond);
            }
            Plan p = plan(d);
            return with(d, new Plan(p.cutAfter(), p.stallAfter(), p.stallFor(), bytesPerSecond, p.flipAt()));
        }

        /** Invert the byte at {@code offset} (0-based) of direction {@code d}. */
        public Faults flipAt(Direction d, long offset) {
            requireNonNegative(offset);
            Plan p = plan(d);
            return with(d, new Plan(p.cutAfter(), p.stallAfter(), p.stallFor(), p.bytesPerSecond(), offset));
        }

        private Faults with(Direction d, Plan p) {
            return d == Direction.UPSTREAM ? new Faults(p, downstream) : new Faults(upstream, p);
        }

        private static void requireNonNegative(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("negative byte count: " + n);
            }
        }
    }

    private static final int BURST = 64 * 1024;
    /** The stall duration that means "until the connection closes". */
    private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Queue<Faults> queue = new ConcurrentLinkedQueue<>();
    private volatile Faults defaults = Faults.none();
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<Direction, AtomicLong> bytes =
            new EnumMap<>(Map.of(Direction.UPSTREAM, new AtomicLong(), Direction.DOWNSTREAM, new AtomicLong()));
    private final Map<Kind, Integer> fired = new EnumMap<>(Kind.class);
    private final Set<Link> open = ConcurrentHashMap.newKeySet();

    /** Starts listening on 127.0.0.1 and forwarding to {@code target} ({@code host:port}). */
    public FaultProxy(String target) throws IOException {
        this(hostPort(target));
    }

    /** Starts listening on 127.0.0.1 and forwarding to {@code target}. */
    public FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofPlatform()
                .daemon()
                .name("fault-proxy-accept-" + listener.getLocalPort())
                .start(this::acceptAll);
    }

    /** A proxy to {@code target} that applies {@code faults} to every connection. */
    public static FaultProxy start(InetSocketAddress target, Faults faults) throws IOException {
        FaultProxy proxy = new FaultProxy(target);
        proxy.setDefault(faults);
        return proxy;
    }

    /**
     * A proxy to {@code target} that applies {@code faults} to its first {@code connections}
     * connections and lets later ones (a client's retries, say) through clean.
     */
    public static FaultProxy start(InetSocketAddress target, Faults faults, int connections) throws IOException {
        FaultProxy proxy = new FaultProxy(target);
        proxy.enqueue(faults, connections);
        return proxy;
    }

    private static InetSocketAddress hostPort(String target) {
        int colon = target.lastIndexOf(':');
        return new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
    }

    /** {@code 127.0.0.1:PORT}, for {@code ft -s}. */
    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** The faults of connections that find the queue empty (initially none). */
    public void setDefault(Faults faults) {
        defaults = Objects.requireNonNull(faults);
    }

    /** The faults of the next accepted connection that finds no earlier one queued. */
    public void enqueue(Faults faults) {
        queue.add(Objects.requireNonNull(faults));
    }

    /** The faults of the next {@code connections} accepted connections, after any queued before. */
    public void enqueue(Faults faults, int connections) {
        for (int i = 0; i < connections; i++) {
            enqueue(faults);
        }
    }

    /** Bytes forwarded in direction {@code d} over all connections so far. */
    public long bytes(Direction d) {
        return bytes.get(d).get();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** How many times faults of this kind have fired so far, over all connections. */
    public synchronized int fired(Kind kind) {
        return fired.getOrDefault(kind, 0);
    }

    /** Waits until {@link #fired(Kind)} reaches {@code atLeast}; false if {@code timeout} passed first. */
    public synchronized boolean awaitFired(Kind kind, int atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (fired(kind) < atLeast) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Waits for the first cut; false if none fired within {@code timeout}. */
    public boolean awaitCut(Duration timeout) throws InterruptedException {
        return awaitFired(Kind.CUT, 1, timeout);
    }

    /** Waits for the first stall to begin; false if none did within {@code timeout}. */
    public boolean awaitStall(Duration timeout) throws InterruptedException {
        return awaitFired(Kind.STALL, 1, timeout);
    }

    private synchronized void fire(Kind kind) {
        fired.merge(kind, 1, Integer::sum);
        notifyAll();
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            connections.incrementAndGet();
            Faults faults = queue.poll();
            Link link = new Link(client, faults != null ? faults : defaults);
            open.add(link);
            Thread.ofPlatform().daemon().name("fault-proxy-link").start(link::run);
        }
    }

    /** One proxied connection: a client socket, its server socket, two forwarding threads. */
    private final class Link {
        private final Socket client;
        private final Faults faults;
        private volatile Socket server;
        private final CountDownLatch closed = new CountDownLatch(1);

        Link(Socket client, Faults faults) {
            this.client = client;
            this.faults = faults;
        }

        void run() {
            try {
                Socket s = new Socket();
                server = s;
                if (closed.getCount() == 0) {
                    s.close();
                    return;
                }
                s.connect(target, 10_000);
                s.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
            } catch (IOException e) {
                close();
                return;
            }
            Thread.ofPlatform()
                    .daemon()
                    .name("fault-proxy-up")
                    .start(() -> forward(Direction.UPSTREAM, client, server));
            forward(Direction.DOWNSTREAM, server, client);
        }

        private void forward(Direction d, Socket from, Socket to) {
            Plan plan = faults.plan(d);
            AtomicLong total = bytes.get(d);
            byte[] buf = new byte[BURST];
            long passed = 0;
            boolean stalled = false;
            long burst = plan.bytesPerSecond() > 0 ? Math.min(BURST, plan.bytesPerSecond()) : BURST;
            double credit = burst;
            long last = System.nanoTime();
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    if (!stalled && plan.stallAfter() == passed) {
                        stalled = true;
                        fire(Kind.STALL);
                        if (plan.stallFor() == FOREVER) {
                            closed.await();
                        } else {
                            closed.await(plan.stallFor().toNanos(), TimeUnit.NANOSECONDS);
                        }
                        if (closed.getCount() == 0) {
                            return; // closed during the stall: not one byte more goes through
                        }
                    }
                    if (plan.cutAfter() == passed) {
                        fire(Kind.CUT);
                        return; // finally closes both sides
                    }
                    long max = buf.length;
                    if (plan.cutAfter() > passed) {
                        max = Math.min(max, plan.cutAfter() - passed);
                    }
                    if (!stalled && plan.stallAfter() > passed) {
                        max = Math.min(max, plan.stallAfter() - passed);
                    }
                    max = Math.min(max, burst);
                    int n = in.read(buf, 0, (int) max);
                    if (n < 0) {
                        return;
                    }
                    if (plan.bytesPerSecond() > 0) {
                        // Token bucket: wait until the link has earned n bytes, then spend them.
                        double rate = plan.bytesPerSecond();
                        while (true) {
                            long now = System.nanoTime();
                            credit = Math.min(burst, credit + (now - last) * rate / 1e9);
                            last = now;
                            if (credit >= n) {
                                credit -= n;
                                break;
                            }
                            LockSupport.parkNanos((long) ((n - credit) * 1e9 / rate) + 1);
                        }
                    }
                    if (plan.flipAt() >= passed && plan.flipAt() < passed + n) {
                        buf[(int) (plan.flipAt() - passed)] ^= (byte) 0xFF;
                        fire(Kind.FLIP);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    passed += n;
                    total.addAndGet(n);
                }
            } catch (IOException | InterruptedException ended) {
                // either side went away, or the proxy closed
            } finally {
                close();
            }
        }

        void close() {
            closeQuietly(client);
            Socket s = server;
            if (s != null) {
                closeQuietly(s);
            }
            closed.countDown();
            open.remove(this);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Closes every connection open now (both sides), ending their stalls, and goes on accepting
     * new ones: a stuck link reset, so the server learns the client is gone.
     */
    public void disconnectAll() {
        for (Link link : open) {
            link.close();
        }
    }

    /** Stops accepting and closes every connection, ending any stall. */
    @Override
    public void close() throws IOException {
        listener.close();
        disconnectAll();
    }
}
