package ft.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String found = null;
        while (found == null) {
            Matcher m = SERVING.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                found = m.group(1);
            } else if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("ft serve did not start serving within 60 s: " + Files.readString(log));
            } else {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        address = found;
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
