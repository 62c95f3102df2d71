package ft.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

/**
 * Forwards one connection on 127.0.0.1 but lets only the first N bytes from the server
 * through, then holds the connection open: a transfer frozen halfway, at a known point.
 */
final class StallingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final CountDownLatch stalled = new CountDownLatch(1);
    private Socket client;
    private Socket server;

    StallingProxy(String target, long passBytes) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        String[] hp = target.split(":");
        Thread.ofPlatform().daemon().start(() -> {
            try {
                client = listener.accept();
                server = new Socket(hp[0], Integer.parseInt(hp[1]));
                Thread.ofPlatform().daemon().start(() -> copy(client, server, Long.MAX_VALUE));
                copy(server, client, passBytes);
            } catch (IOException e) {
                stalled.countDown();
            }
        });
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Waits until N bytes went to the client and the proxy holds the rest back. */
    boolean awaitStall(long seconds) throws InterruptedException {
        return stalled.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    private void copy(Socket from, Socket to, long limit) {
        byte[] buf = new byte[64 * 1024];
        long passed = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (passed < limit) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, limit - passed));
                if (n < 0) {
                    return;
                }
                out.write(buf, 0, n);
                out.flush();
                passed += n;
            }
            stalled.countDown();
        } catch (IOException e) {
            stalled.countDown();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
