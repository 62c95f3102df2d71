import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy for bench/run that delays each direction by a fixed time: a link with latency
 * (issue #15), on loopback only.
 *
 * <pre>java bench/LatencyProxy.java LISTEN_PORT TARGET_PORT DELAY_MS</pre>
 *
 * <p>Listens on 127.0.0.1:LISTEN_PORT and connects every accepted connection to
 * 127.0.0.1:TARGET_PORT (nothing else: it can never reach beyond this machine). Every chunk
 * read from one side is written to the other DELAY_MS after it was read, bytes untouched and in
 * order. Each direction of each connection has its own reader and its own writer thread
 * joined by a queue of time-stamped chunks: the reader keeps reading while earlier chunks wait
 * for their time, and the writer sleeps only until the oldest chunk is due, so the delay is a
 * latency, not a serialisation of sleeps, and the throughput is what the machine gives. What may be in flight per direction is bounded (BENCH_PROXY_INFLIGHT_MIB,
 * 64 MiB by default, i.e. 3.2 GB/s at 20 ms: far above loopback here): it plays the part of
 * the TCP window of a real link. An end-of-stream is forwarded (as a half-close) after the
 * same delay, as a FIN would be; a reset or error on either side closes both sides at once.
 *
 * <p>Not modelled: packet loss, reordering, jitter, a bandwidth limit, and TCP's own
 * behaviour over the slow path (slow start and the window growing against a real round trip):
 * each side talks TCP to the proxy over loopback without delay.
 *
 * <p>Prints "listening on 127.0.0.1:PORT" once ready; runs until killed.
 */
public final class LatencyProxy {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int READ_BUFFER = 256 * 1024;
    /** Reads shorter than this are copied out; longer ones hand their buffer to the writer. */
    private static final int SMALL = 32 * 1024;
    /**
     * Platform threads by default: a blocking read then waits in the kernel, where a virtual
     * thread would go through the poller on every read (measurably more CPU per byte);
     * BENCH_PROXY_VIRTUAL=1 for very many connections.
     */
    private static final Thread.Builder THREADS =
            System.getenv("BENCH_PROXY_VIRTUAL") != null ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
    /** Socket buffers asked for: large, so the loopback legs never throttle the transfer. */
    private static final int SOCKET_BUFFER = 4 * 1024 * 1024;
    /** Queue markers (compared by identity): end of stream, and a reset or error. */
    private static final byte[] END = new byte[0];

    private static final byte[] RESET = new byte[0];

    private record Chunk(byte[] bytes, int length, long dueNanos) {}

    private LatencyProxy() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java LatencyProxy.java LISTEN_PORT TARGET_PORT DELAY_MS");
            System.exit(2);
        }
        int listen = Integer.parseInt(args[0]);
        int target = Integer.parseInt(args[1]);
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[2]));
        long inflight = Long.parseLong(System.getenv().getOrDefault("BENCH_PROXY_INFLIGHT_MIB", "64")) << 20;
        if (inflight > Integer.MAX_VALUE) {
            inflight = Integer.MAX_VALUE;
        }
        String scaling = readProc("/proc/sys/net/ipv4/tcp_window_scaling");
        System.err.println("LatencyProxy: window scaling " + scaling + ", rmem_max " + readProc("/proc/sys/net/core/rmem_max")
                + ", wmem_max " + readProc("/proc/sys/net/core/wmem_max") + ", in flight per direction "
                + (inflight >> 20) + " MiB");
        if (!"1".equals(scaling)) {
            System.err.println("LatencyProxy: WARNING: TCP window scaling is off; windows stay under 64 KiB");
        }
        AtomicInteger connections = new AtomicInteger();
        int perDirection = (int) inflight;
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.setReceiveBufferSize(SOCKET_BUFFER); // inherited by accepted sockets, before the handshake
            server.bind(new InetSocketAddress(LOOPBACK, listen), 1024);
            System.out.println("listening on 127.0.0.1:" + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket client = server.accept();
                connections.incrementAndGet();
                THREADS.start(() -> serve(client, target, delayNanos, perDirection));
            }
        }
    }

    private static String readProc(String file) {
        // Not Files.readString: it trusts the size /proc reports, and cut "4194304" to "4".
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void serve(Socket client, int target, long delayNanos, int inflight) {
        Socket upstream = new Socket();
        try {
            tune(client);
            tune(upstream);
            upstream.connect(new InetSocketAddress(LOOPBACK, target), 10_000);
        } catch (IOException e) {
            System.err.println("LatencyProxy: cannot connect to 127.0.0.1:" + target + ": " + e.getMessage());
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        Link link = new Link(client, upstream);
        direction(link, client, upstream, delayNanos, inflight);
        direction(link, upstream, client, delayNanos, inflight);
    }

    private static void tune(Socket s) throws IOException {
        s.setTcpNoDelay(true); // the proxy must not add Nagle's delay on top of its own
        s.setReceiveBufferSize(SOCKET_BUFFER);
        s.setSendBufferSize(SOCKET_BUFFER);
    }

    /** Both sockets of one proxied connection: closed together once both directions ended. */
    private static final class Link {
        private final Socket a;
        private final Socket b;
        private final AtomicInteger open = new AtomicInteger(2);

        Link(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        /** One direction ended cleanly (its half-close forwarded). */
        void finished() {
            if (open.decrementAndGet() == 0) {
                abort();
            }
        }

        /** A reset or error: close both sides now, which ends the other direction too. */
        void abort() {
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    /** Starts the reader and the writer of one direction. */
    private static void direction(Link link, Socket from, Socket to, long delayNanos, int inflight) {
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Semaphore window = new Semaphore(inflight);
        Queue<byte[]> spare = new ConcurrentLinkedQueue<>();
        THREADS.start(() -> {
            byte[] buffer = new byte[READ_BUFFER];
            try {
                InputStream in = from.getInputStream();
                while (true) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException e) {
                        // A reset (or the link closed): it reaches the other side after the
                        // data read before it, as a real RST would.
                        queue.put(new Chunk(RESET, 0, System.nanoTime() + delayNanos));
                        return;
                    }
                    long now = System.nanoTime();
                    if (n < 0) {
                        queue.put(new Chunk(END, 0, now + delayNanos));
                        return;
                    }
                    window.acquire(n);
                    if (n < SMALL) {
                        queue.put(new Chunk(Arrays.copyOf(buffer, n), n, now + delayNanos));
                    } else { // a large read hands its buffer over rather than copying it
                        queue.put(new Chunk(buffer, n, now + delayNanos));
                        buffer = spare.poll();
                        if (buffer == null) {
                            buffer = new byte[READ_BUFFER];
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                link.abort();
            }
        });
        THREADS.start(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    long wait;
                    while ((wait = chunk.dueNanos() - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (chunk.bytes() == END) {
                        to.shutdownOutput(); // the FIN, delayed like the data before it
                        link.finished();
                        return;
                    }
                    if (chunk.bytes() == RESET) {
                        to.setSoLinger(true, 0); // close with a reset, as the other side did
                        link.abort();
                        return;
                    }
                    out.write(chunk.bytes(), 0, chunk.length());
                    window.release(chunk.length());
                    if (chunk.bytes().length == READ_BUFFER) {
                        spare.offer(chunk.bytes());
                    }
                }
            } catch (IOException | InterruptedException e) {
                link.abort();
                window.release(inflight); // a reader waiting for room goes on, and fails on the closed socket
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing is best effort: the other side sees the reset or end either way
        }
    }
}
