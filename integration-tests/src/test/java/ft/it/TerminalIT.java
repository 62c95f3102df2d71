package ft.it;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static ft.testing.FaultProxy.Direction.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The progress display on a real pseudo-terminal: the packaged client runs inside a private
 * tmux server at 40, 80 and 200 columns (stderr a terminal, FT_STDERR_TTY=1 as the launcher
 * sets it), through a throttled {@link FaultProxy} so that transfers last long enough to be
 * redrawn many times; then the screen is read back as tmux shows it.
 *
 * <p>What a person would see is checked: every progress line fits on its row (tmux joins rows
 * it wrapped, so a line that wrapped reads back as one longer than the terminal), each
 * transfer or batch leaves exactly one progress line, which ends with the time taken, and
 * after Ctrl-C the exit code is 130 and the shell's next output starts on a fresh line.
 */
class TerminalIT {
    private static final long MIB = 1 << 20;
    /** 98 characters: a name that once filled a whole screen with the debris of its bar. */
    private static final String LONG_NAME = "a-rather-long-file-name-" + "x".repeat(58) + "-that-goes-on.bin";
    /** Long enough that the bar fills every column it may use, so an echoed ^C would wrap if it could. */
    private static final String SLOW_NAME = "slow-" + LONG_NAME;

    private static final Pattern RESULT_LINE = Pattern.compile("^[0-9a-f]{32}  ");
    private static final Pattern TIME_TAKEN = Pattern.compile(" in \\d+:\\d\\d( |$)");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path shared;

    private static FtProcesses.Server server;
    private static FaultProxy proxy;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws IOException {
        Tmux.requireInstalled();
        Path root = Files.createDirectories(shared.resolve("root"));
        TestData.randomFile(root.resolve(LONG_NAME), 12 * MIB, 1);
        Path tree = Files.createDirectories(root.resolve("tree"));
        Files.createDirectories(tree.resolve("sub"));
        TestData.randomFile(tree.resolve("one.bin"), 4 * MIB, 2);
        TestData.randomFile(tree.resolve("two.bin"), 4 * MIB, 3);
        TestData.randomFile(tree.resolve("sub/three.bin"), 4 * MIB, 4);
        TestData.randomFile(root.resolve(SLOW_NAME), 64 * MIB, 5);
        server = new FtProcesses.Server(root);
        proxy = new FaultProxy(server.address);
        // About 1.5 s per command: many redraws, and a rate and time left worth showing.
        proxy.setDefault(Faults.none().throttle(DOWNSTREAM, 8 * MIB).throttle(UPSTREAM, 8 * MIB));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {40, 80, 200})
    void eachTransferAndEachBatchLeavesOneLineThatFitsAndEndsWithTheTimeTaken(int columns) throws IOException {
        Path work = Files.createDirectories(tmp.resolve("work"));
        TestData.randomFile(work.resolve(LONG_NAME), 12 * MIB, 6);

        Screen get = runToEnd(columns, work, "get", LONG_NAME, "-o", "got/");
        assertThat(get.exit).as(get.describe()).isZero();
        String bar = get.onlyProgressLine(columns);
        assertThat(bar).matches(".* 100% 12\\.0 MiB in 0:\\d\\d.*");
        if (columns < 120) {
            // Shortened in the middle: the start and the end of the name are both still there.
            assertThat(bar)
                    .startsWith("a-rathe")
                    .containsPattern("(\u2026|\\.\\.\\.)")
                    .doesNotContain(LONG_NAME);
        } else {
            assertThat(bar).startsWith(LONG_NAME + " 100%");
        }

        Screen put = runToEnd(columns, work, "put", LONG_NAME, "up/" + columns + "/");
        assertThat(put.exit).as(put.describe()).isZero();
        assertThat(put.onlyProgressLine(columns)).matches(".* 100% 12\\.0 MiB in 0:\\d\\d.*");

        Screen batch = runToEnd(columns, work, "get", "-r", "tree", "-j", "2", "-o", "trees/");
        assertThat(batch.exit).as(batch.describe()).isZero();
        assertThat(batch.onlyProgressLine(columns))
                .as("one aggregate line for the whole batch")
                .matches("3/3 files 100% 12\\.0 MiB in 0:\\d\\d.*");
        assertThat(batch.lines)
                .as("one result per file above it, then the summary")
                .filteredOn(l -> RESULT_LINE.matcher(l).find())
                .hasSize(3);
        assertThat(batch.lines).anyMatch(l -> l.startsWith("ft: 3 files: 3 transferred"));
    }

    @Test
    void ctrlCExits130AndTheShellContinuesOnAFreshLine() throws IOException, InterruptedException {
        int columns = 40;
        try (FaultProxy slow = new FaultProxy(server.address)) {
            slow.setDefault(Faults.none().throttle(DOWNSTREAM, MIB));
            Path work = Files.createDirectories(tmp.resolve("work"));
            try (Session s = new Session(tmp, columns, work, "-s", slow.address(), "get", SLOW_NAME, "-o", "got/")) {
                // A few percent in: some bytes are surely on disk for the rerun to resume from.
                await("the bar at 3%")
                        .atMost(COMMAND_TIMEOUT)
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> s.lines().stream().anyMatch(l -> l.matches(".* ([3-9]|\\d\\d)% ETA .*")));
                s.tmux.sendKeys("C-c");
                Screen screen = s.awaitEnd();
                assertThat(screen.exit).as(screen.describe()).isEqualTo(130);
                assertThat(screen.lines).as(screen.describe()).contains("exit=130");
                String bar = screen.onlyProgressLine(columns);
                assertThat(bar)
                        .as("the echoed ^C stays on the bar's row")
                        .startsWith("slow-")
                        .contains("% ETA ")
                        .endsWith("^C")
                        .hasSize(columns - 1);
            }
            FtProcesses.Result rerun = FtProcesses.run(work, "-s", server.address, "get", SLOW_NAME, "-o", "got/");
            assertThat(rerun.exit()).as(rerun.err()).isZero();
            assertThat(rerun.err())
                    .as("the rerun continues where Ctrl-C stopped it")
                    .contains("ft: resuming at ");
        }
    }

    @Test
    void aTerminalMadeWiderIsMeasuredAgain() throws IOException {
        String name = "a-name-of-sixty-characters-" + "y".repeat(29) + ".bin";
        Files.copy(shared.resolve("root/tree/one.bin"), shared.resolve("root/" + name));
        try (FaultProxy slow = new FaultProxy(server.address)) {
            slow.setDefault(Faults.none().throttle(DOWNSTREAM, MIB));
            Path work = Files.createDirectories(tmp.resolve("work"));
            try (Session s = new Session(tmp, 40, work, "-s", slow.address(), "get", name, "-o", "got/")) {
                await("the bar drawn")
                        .atMost(COMMAND_TIMEOUT)
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> s.lines().stream().anyMatch(l -> l.contains("ETA")));
                assertThat(s.lines()).noneMatch(l -> l.contains(name));
                s.tmux.resize(150, 20);
                Screen screen = s.awaitEnd();
                assertThat(screen.exit).as(screen.describe()).isZero();
                assertThat(screen.onlyProgressLine(150))
                        .as("after SIGWINCH the whole name fits")
                        .startsWith(name + " 100% 4.0 MiB in 0:");
            }
        }
    }

    /** Runs one ft command in a fresh terminal of {@code columns} and returns the screen it left. */
    private Screen runToEnd(int columns, Path work, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("-s", proxy.address()));
        all.addAll(List.of(args));
        Path dir = Files.createTempDirectory(tmp, "term");
        try (Session s = new Session(dir, columns, work, all.toArray(String[]::new))) {
            return s.awaitEnd();
        }
    }

    /** What a command left on the screen, and its exit code. */
    private record Screen(int exit, List<String> lines) {
        /** The one line that is neither a result, a note nor the shell's: the progress line. */
        String onlyProgressLine(int columns) {
            List<String> progress = lines.stream()
                    .filter(l -> !l.isEmpty()
                            && !RESULT_LINE.matcher(l).find()
                            && !l.startsWith("ft: ")
                            && !l.startsWith("exit="))
                    .toList();
            assertThat(progress)
                    .as("exactly one progress line, no debris:%n%s", describe())
                    .hasSize(1);
            String line = progress.getFirst();
            assertThat(line.codePointCount(0, line.length()))
                    .as("fits in %d columns without wrapping: %s", columns, line)
                    .isLessThan(columns);
            if (exit == 0) {
                assertThat(line)
                        .as("ends with the time taken, not a time left")
                        .doesNotContain("ETA")
                        .containsPattern(TIME_TAKEN);
            }
            return line;
        }

        String describe() {
            return lines.stream().map(l -> "|" + l + "|").collect(Collectors.joining("\n"));
        }
    }

    /**
     * One command in a terminal of its own: a script runs ft with stderr (and stdout) on the
     * pseudo-terminal, then prints {@code exit=N} as a shell user would see it, records N in a
     * marker file and keeps the pane open so that the screen can be read.
     */
    private static final class Session implements AutoCloseable {
        final Tmux tmux;
        private final Path marker;

        Session(Path dir, int columns, Path work, String... args) throws IOException {
            Path home = Files.createDirectories(dir.resolve("home"));
            marker = dir.resolve("exit-code");
            StringBuilder script = new StringBuilder("cd ")
                    .append(quote(work.toString()))
                    .append('\n')
                    .append("export FT_STDERR_TTY=1\n");
            for (String word : FtProcesses.command(args)) {
                script.append(quote(word)).append(' ');
            }
            script.append("\nrc=$?\n")
                    .append("echo \"exit=$rc\"\n")
                    .append("echo \"$rc\" > ")
                    .append(quote(marker + ".tmp"))
                    .append(" && mv ")
                    .append(quote(marker + ".tmp"))
                    .append(' ')
                    .append(quote(marker.toString()))
                    .append("\nexec sleep 600\n");
            Path file = Files.writeString(dir.resolve("run.sh"), script);
            Map<String, String> env =
                    new HashMap<>(FtProcesses.Launch.isolatedIn(home).env());
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("LANG", "C.UTF-8");
            tmux = new Tmux(dir, columns, 20, env, List.of("bash", file.toString()));
        }

        List<String> lines() {
            try {
                return tmux.lines();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Screen awaitEnd() throws IOException {
            await("the command to end")
                    .atMost(COMMAND_TIMEOUT)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> Files.exists(marker));
            // tmux reads the terminal on its own time: wait until it shows the exit line too.
            await("the exit line on the screen")
                    .atMost(COMMAND_TIMEOUT)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> lines().stream().anyMatch(l -> l.contains("exit=")));
            return new Screen(Integer.parseInt(Files.readString(marker).strip()), tmux.lines());
        }

        private static String quote(String word) {
            return "'" + word.replace("'", "'\\''") + "'";
        }

        @Override
        public void close() throws IOException {
            tmux.close();
        }
    }
}
