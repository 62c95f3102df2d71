package ft.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A running {@code ft serve} whose stderr (start line and access log) is kept in a file, so a
 * test can read what the server logged about each request. Closing it kills the process.
 */
final class LoggedServer implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("ft: serving .* on (\\S+)$", Pattern.MULTILINE);

    final Process process;
    final String address;
    private final Path log;

    /** Starts {@code ft serve --root root --listen 127.0.0.1:0 extra...} in {@code dir} and waits for its serving line. */
    LoggedServer(Path dir, Path root, FtProcesses.Launch launch, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("serve", "--root", root.toString(), "--listen", "127.0.0.1:0"));
        args.addAll(List.of(extra));
        process = FtProcesses.start(dir, launch, args.toArray(String[]::new));
        log = dir.resolve(".err");
        AtomicReference<String> found = new AtomicReference<>();
        try {
            await("ft serve serving")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        Matcher m = SERVING.matcher(Files.exists(log) ? Files.readString(log) : "");
                        if (m.find()) {
                            found.set(m.group(1));
                        }
                        return found.get() != null || !process.isAlive();
                    });
        } catch (ConditionTimeoutException e) {
            // told below, with the log
        }
        if (found.get() == null) {
            process.destroyForcibly();
            throw new IOException("ft serve did not start serving within 60 s: " + Files.readString(log));
        }
        address = found.get();
    }

    InetSocketAddress socketAddress() {
        int colon = address.lastIndexOf(':');
        return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    /** Everything the server wrote to stderr so far. */
    List<String> logLines() throws IOException {
        return Files.readAllLines(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
