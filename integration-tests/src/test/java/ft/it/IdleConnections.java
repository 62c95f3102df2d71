package ft.it;

import ft.protocol.Protocol;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.RawClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Many TCP connections to an ft server that complete the hello and then say nothing, spread
 * over source addresses 127.0.0.2, 127.0.0.3, … so that no address holds more than
 * {@code perAddress} of them. Closing closes every one.
 */
final class IdleConnections implements AutoCloseable {
    private final List<RawClient> clients = new ArrayList<>();

    /**
     * Opens {@code count} connections and says hello on each; throws on the first that is not
     * answered {@code ok} (e.g. BUSY from a connection limit), keeping what it opened for close.
     */
    void open(InetSocketAddress server, int count, int perAddress) throws IOException {
        for (int i = 0; i < count; i++) {
            int host = 2 + i / perAddress;
            if (host > 254) {
                throw new IllegalArgumentException(count + " connections at " + perAddress + " per address need more "
                        + "than 127.0.0.2 … 127.0.0.254");
            }
            RawClient c = RawClient.connect(server, InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) host}));
            clients.add(c);
            c.readTimeout(30_000);
            Response answer = c.request(new Request.Hello(Protocol.VERSION), Response.HelloOk.class);
            if (!(answer instanceof Response.HelloOk)) {
                throw new IOException("connection " + i + " from " + c.socket().getLocalSocketAddress()
                        + " was answered " + answer + " instead of a hello ok");
            }
        }
    }

    int size() {
        return clients.size();
    }

    /**
     * How many of every {@code step}-th connection are still open from the server's side: a
     * read with a short timeout times out (nothing sent, nothing closed) instead of returning
     * end of stream or failing.
     *
     * @return {@code [checked, open]}
     */
    int[] stillOpen(int step, int timeoutMillis) throws IOException {
        int checked = 0;
        int open = 0;
        for (int i = 0; i < clients.size(); i += step) {
            checked++;
            RawClient c = clients.get(i);
            c.readTimeout(timeoutMillis);
            try {
                c.socket().getInputStream().read();
                // end of stream or an unexpected byte: either way, not an idle open connection
            } catch (SocketTimeoutException expected) {
                open++;
            } catch (IOException reset) {
                // reset by the server: closed
            }
        }
        return new int[] {checked, open};
    }

    @Override
    public void close() {
        for (RawClient c : clients) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        clients.clear();
    }
}
