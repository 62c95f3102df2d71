package ft.it;

import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.Protocol;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Many TCP connections to an ft server that complete the hello and then say nothing, spread
 * over source addresses 127.0.0.2, 127.0.0.3, … so that no address holds more than
 * {@code perAddress} of them. Closing closes every one.
 */
final class IdleConnections implements AutoCloseable {
    private static final HeaderCodec CODEC = new HeaderCodec();

    private final List<Socket> sockets = new ArrayList<>();
    private final List<InputStream> inputs = new ArrayList<>();

    /**
     * Opens {@code count} connections and says hello on each; throws on the first that is not
     * answered {@code ok} (e.g. BUSY from a connection limit), keeping what it opened for close.
     */
    void open(InetSocketAddress server, int count, int perAddress) throws IOException, ProtocolException {
        byte[] hello = CODEC.encode(new Request.Hello(Protocol.VERSION));
        for (int i = 0; i < count; i++) {
            int host = 2 + i / perAddress;
            if (host > 254) {
                throw new IllegalArgumentException(count + " connections at " + perAddress + " per address need more "
                        + "than 127.0.0.2 … 127.0.0.254");
            }
            Socket s = new Socket();
            sockets.add(s);
            s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) host}), 0));
            s.connect(server, 10_000);
            s.setSoTimeout(30_000);
            FrameWriter writer = new FrameWriter(s.getOutputStream());
            writer.writeFrame(hello);
            writer.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            inputs.add(in);
            Response answer = CODEC.decodeResponse(new FrameReader(in).readRequiredFrame(), Response.HelloOk.class);
            if (!(answer instanceof Response.HelloOk)) {
                throw new IOException("connection " + i + " from " + s.getLocalSocketAddress() + " was answered "
                        + answer + " instead of a hello ok");
            }
        }
    }

    int size() {
        return sockets.size();
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
        for (int i = 0; i < sockets.size(); i += step) {
            checked++;
            Socket s = sockets.get(i);
            s.setSoTimeout(timeoutMillis);
            try {
                inputs.get(i).read();
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
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
        inputs.clear();
    }
}
