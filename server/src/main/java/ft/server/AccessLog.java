package ft.server;

import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per request: who, what, how much, how long, and how it ended. */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("ft.access");

    private AccessLog() {}

    static void request(SocketAddress client, String op, String path, long bytes, long startNanos, String result) {
        request(client, null, op, path, bytes, startNanos, result);
    }

    /**
     * As above, ending with {@code user=NAME} for an authenticated connection. Only a name is
     * ever logged, never a token.
     */
    static void request(
            SocketAddress client, String user, String op, String path, long bytes, long startNanos, String result) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        if (user == null) {
            LOG.info("{} {} {} bytes={} ms={} result={}", client, op, printable(path), bytes, millis, result);
        } else {
            LOG.info(
                    "{} {} {} bytes={} ms={} result={} user={}",
                    client,
                    op,
                    printable(path),
                    bytes,
                    millis,
                    result,
                    printable(user));
        }
    }

    /**
     * Client-chosen text is kept on one printable line, at most 200 characters, so it cannot
     * forge log entries or reorder what a reader sees ({@link ft.protocol.Printable}'s rule).
     */
    public static String printable(String s) {
        return ft.protocol.Printable.replaced(s, 200);
    }
}
