package ft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A private tmux server (its own socket in a test directory, no config file): a real
 * pseudo-terminal of a chosen size that a test can run commands in, read back as the screen
 * shows it, type into and resize. Closing it kills that server only.
 */
final class Tmux implements AutoCloseable {
    private static final String SESSION = "ft";

    private final Path socket;
    private final Map<String, String> env;

    /**
     * Starts a {@code columns} × {@code rows} session running {@code command} (executed directly,
     * no shell between) with exactly {@code env} (plus what tmux adds, such as TERM).
     */
    Tmux(Path dir, int columns, int rows, Map<String, String> env, List<String> command) throws IOException {
        this.socket = dir.resolve("tmux.sock");
        this.env = env;
        List<String> args = new ArrayList<>(List.of(
                "new-session", "-d", "-s", SESSION, "-x", Integer.toString(columns), "-y", Integer.toString(rows)));
        args.addAll(command);
        run(args);
    }

    /** Skips the test where tmux is not installed; fails it instead on CI, which must have it. */
    static void requireInstalled() {
        boolean installed;
        try {
            Process p =
                    new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            installed = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            installed = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            installed = false;
        }
        if ("true".equals(System.getenv("CI"))) {
            assertThat(installed)
                    .as("tmux is installed (CI must run the terminal tests)")
                    .isTrue();
        }
        Assumptions.assumeTrue(installed, "tmux is not installed");
    }

    /**
     * The screen and its scrollback as logical lines: rows the terminal wrapped are joined
     * again (-J), so a line that was too wide shows up as one longer than the terminal.
     */
    List<String> lines() throws IOException {
        String text = run(List.of("capture-pane", "-p", "-J", "-S", "-", "-t", SESSION));
        List<String> lines =
                new ArrayList<>(text.lines().map(String::stripTrailing).toList());
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    /** Types keys as tmux names them, e.g. {@code C-c}. */
    void sendKeys(String keys) throws IOException {
        run(List.of("send-keys", "-t", SESSION, keys));
    }

    /** Makes the window {@code columns} wide; the program in it gets SIGWINCH. */
    void resize(int columns, int rows) throws IOException {
        run(List.of("resize-window", "-t", SESSION, "-x", Integer.toString(columns), "-y", Integer.toString(rows)));
    }

    private String run(List<String> args) throws IOException {
        // -u: UTF-8 whatever the locale, so the captured text keeps the ellipsis as it was drawn.
        List<String> cmd = new ArrayList<>(List.of("tmux", "-u", "-f", "/dev/null", "-S", socket.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("tmux " + args + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("tmux " + args + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (Files.exists(socket)) {
            try {
                run(List.of("kill-server"));
            } catch (IOException alreadyGone) {
                // the server had exited
            }
        }
    }
}
