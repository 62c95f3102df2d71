package ft.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Forwards every connection made to it on 127.0.0.1 to a target, passing at most
 * {@code bytesPerSecond} per connection from the server to the client: a slow link, so that
 * a transfer is still running, at a predictable pace, when a test interrupts it.
 */
final class ThrottlingProxy implements AutoCloseable {
    /** The most a connection may send at once after being idle. */
    private static final int BURST = 64 * 1024;

    private final ServerSocket listener;
    private final String host;
    private final int port;
    private final double bytesPerSecond;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    ThrottlingProxy(String target, long bytesPerSecond) throws IOException {
        if (bytesPerSecond < BURST) {
            throw new IllegalArgumentException("rate below " + BURST + " bytes per second");
        }
        String[] hp = target.split(":");
        this.host = hp[0];
        this.port = Integer.parseInt(hp[1]);
        this.bytesPerSecond = bytesPerSecond;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("throttle-accept").start(this::acceptAll);
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Connections accepted so far. */
    int connections() {
        return accepted.get();
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(client);
            Socket server;
            try {
                server = new Socket(host, port);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            sockets.add(server);
            Thread.ofPlatform().daemon().start(() -> forward(client, server, 0));
            Thread.ofPlatform().daemon().start(() -> forward(server, client, bytesPerSecond));
        }
    }

    /**
     * Copies at most {@code rate} bytes per second ({@code 0}: as fast as possible) until either
     * side ends, then closes both: a dead client ends its server link.
     */
    private static void forward(Socket from, Socket to, double rate) {
        byte[] buf = new byte[16 * 1024];
        double credit = BURST;
        long last = System.nanoTime();
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                // Token bucket: wait until the link has earned n bytes, then spend them.
                while (rate > 0) {
                    long now = System.nanoTime();
                    credit = Math.min(BURST, credit + (now - last) * rate / 1e9);
                    last = now;
                    if (credit >= n) {
                        credit -= n;
                        break;
                    }
                    LockSupport.parkNanos((long) ((n - credit) * 1e9 / rate) + 1);
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // either side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(ThrottlingProxy::closeQuietly);
    }
}
