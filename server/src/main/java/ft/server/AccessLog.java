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

    /** Client-chosen text is kept on one printable line so it cannot forge log entries. */
    public static String printable(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
