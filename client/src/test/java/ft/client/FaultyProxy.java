package ft.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 that breaks things on purpose: it cuts a connection after N bytes
 * in one direction or flips one byte at an offset. Faults apply to every connection.
 */
final class FaultyProxy implements AutoCloseable {
    /** What to do to the bytes of one direction; -1 means never. */
    record Fault(long cutAfter, long flipAt) {
        static final Fault NONE = new Fault(-1, -1);

        static Fault cutAfter(long n) {
            return new Fault(n, -1);
        }

        static Fault flipAt(long n) {
            return new Fault(-1, n);
        }
    }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Fault toClient;
    private final Fault toServer;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final int faultyConnections;
    private int accepted;

    FaultyProxy(InetSocketAddress target, Fault toServer, Fault toClient) throws IOException {
        this(target, toServer, toClient, Integer.MAX_VALUE);
    }

    /** Faults apply to the first {@code faultyConnections} connections only; later ones pass. */
    FaultyProxy(InetSocketAddress target, Fault toServer, Fault toClient, int faultyConnections) throws IOException {
        this.faultyConnections = faultyConnections;
        this.target = target;
        this.toServer = toServer;
        this.toClient = toClient;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().start(this::acceptLoop);
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                boolean faulty = accepted++ < faultyConnections;
                Fault up = faulty ? toServer : Fault.NONE;
                Fault down = faulty ? toClient : Fault.NONE;
                Thread.ofPlatform().daemon().start(() -> pump(client, server, up));
                Thread.ofPlatform().daemon().start(() -> pump(server, client, down));
            } catch (IOException e) {
                return; // listener closed
            }
        }
    }

    private void pump(Socket from, Socket to, Fault fault) {
        byte[] buf = new byte[16 * 1024];
        long seen = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    to.shutdownOutput();
                    return;
                }
                if (fault.cutAfter() >= 0 && seen + n >= fault.cutAfter()) {
                    out.write(buf, 0, (int) (fault.cutAfter() - seen));
                    out.flush();
                    // A plain close (FIN), so the receiver gets every byte before the cut.
                    quietClose(to);
                    quietClose(from);
                    return;
                }
                if (fault.flipAt() >= seen && fault.flipAt() < seen + n) {
                    buf[(int) (fault.flipAt() - seen)] ^= 0x5a;
                }
                out.write(buf, 0, n);
                seen += n;
            }
        } catch (IOException e) {
            hardClose(from);
            hardClose(to);
        }
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone: that is the point of a cut
        }
    }

    private static void hardClose(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // already gone: that is the point of a cut
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            hardClose(s);
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
