package ft.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.slf4j.LoggerFactory;

/**
 * The access log's lines while it is open, as the server writes them. A line is written just
 * after the answer goes out, so a test that has its answer may still have to wait for it.
 */
final class AccessLogCapture implements AutoCloseable {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final Pattern MILLIS = Pattern.compile(" ms=(\\d+) ");

    private final Logger access = (Logger) LoggerFactory.getLogger("ft.access");
    private final Level level = access.getLevel();
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    AccessLogCapture() {
        events.start();
        access.setLevel(Level.INFO);
        access.addAppender(events);
    }

    /** The first line that {@code matches}, waiting for it up to a bounded deadline. */
    String await(Predicate<String> matches, String what) {
        AtomicReference<String> found = new AtomicReference<>();
        Awaitility.await("an access log line for " + what)
                .atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    lines().stream().filter(matches).findFirst().ifPresent(found::set);
                    return found.get() != null;
                });
        return found.get();
    }

    /** The {@code ms=} a line reports. */
    static long millisOf(String line) {
        Matcher m = MILLIS.matcher(line);
        assertTrue(m.find(), "no ms= in " + line);
        return Long.parseLong(m.group(1));
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        synchronized (events) {
            for (ILoggingEvent e : events.list) {
                out.add(e.getFormattedMessage());
            }
        }
        return out;
    }

    @Override
    public void close() {
        access.detachAppender(events);
        access.setLevel(level);
    }
}
