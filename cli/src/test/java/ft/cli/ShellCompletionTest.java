package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.server.FtServer;
import ft.server.PemStore;
import ft.server.TlsIdentity;
import ft.server.TlsServerSockets;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The script {@code ft completion} prints, run by real bash and zsh: each case sources it,
 * sets COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT as the shell would for a TAB at the end
 * of a line, calls the completion function (in zsh through bashcompinit's compgen -F, as zsh
 * does) and prints COMPREPLY. Remote paths come from a real ft server on 127.0.0.1, through an
 * {@code ft} on PATH that runs this build's classes (the script runs the command on the line).
 */
class ShellCompletionTest {
    @TempDir
    Path tmp;

    private Path script;
    private Path cwd;
    private FtServer server;
    private final Map<String, String> env = new HashMap<>();

    /** What one completion printed: the candidates as COMPREPLY held them, stderr, and how long it took. */
    private record Completion(List<String> candidates, String err, Duration took) {}

    @BeforeEach
    void setUp() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Main.run(new String[] {"completion"}, new PrintWriter(out), new PrintWriter(err), Map.of()))
                .as(err.toString())
                .isZero();
        script = Files.writeString(tmp.resolve("ft-completion.bash"), out.toString());

        cwd = Files.createDirectories(tmp.resolve("cwd"));
        Files.writeString(cwd.resolve("alpha.txt"), "a");
        Files.createDirectories(cwd.resolve("alpine"));
        Files.createDirectories(cwd.resolve("my dir"));
        Files.writeString(cwd.resolve("my dir/f.txt"), "f");
        Files.writeString(cwd.resolve(".hidden"), "h");

        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("docs/sub"));
        Files.createDirectories(root.resolve("data"));
        Files.writeString(root.resolve("docs/readme.txt"), "r");
        Files.writeString(root.resolve("docs/report.pdf"), "p");
        Files.writeString(root.resolve("top.txt"), "t");
        Files.writeString(root.resolve("docs/with space.txt"), "w");
        server = FtServer.start(root, new InetSocketAddress("127.0.0.1", 0));

        // `ft` on PATH: this build's classes, as ./ft would run the jar. It answers only when the
        // script says it is completing (FT_COMPLETING: ./ft then never builds), as ./ft needs.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path ft = bin.resolve("ft");
        Files.writeString(
                ft,
                "#!/bin/sh\n[ \"$FT_COMPLETING\" = 1 ] || exit 1\nexec "
                        + CompletionScript.quote(Path.of(System.getProperty("java.home"), "bin", "java")
                                .toString())
                        + " -XX:TieredStopAtLevel=1 -cp "
                        + CompletionScript.quote(System.getProperty("java.class.path"))
                        + " ft.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(ft, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path home = Files.createDirectories(tmp.resolve("home"));
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("ZDOTDIR", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.put("XDG_CACHE_HOME", home.resolve("cache").toString());
        env.put("FT_SERVER", "127.0.0.1:" + server.address().getPort());
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private static final String BASH_DRIVER = """
            source "$FT_TEST_SCRIPT"
            word="$1"; COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; shift 2
            COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _ft_complete "${COMP_WORDS[0]}" "$word" "${COMP_WORDS[COMP_CWORD-1]}"
            for w in "${COMPREPLY[@]}"; do printf '[%s]\\n' "$w"; done
            """;

    /** zsh calls the function through bashcompinit's _bash_complete, which runs compgen -F. */
    private static final String ZSH_DRIVER = """
            source "$FT_TEST_SCRIPT"
            word="$1"; COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; shift 2
            COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
            compgen -F _ft_complete -- "$word" | while IFS= read -r w; do
              if [ -n "$w" ]; then printf '[%s]\\n' "$w"; fi
            done
            """;

    /**
     * Completes at the end of {@code line} in {@code shell}: {@code words} are COMP_WORDS (the
     * last is the word under the cursor, as the shell splits it) and {@code word} the text the
     * shell would replace (bash: after the last : or =).
     */
    private Completion complete(String shell, String word, String line, String... words)
            throws IOException, InterruptedException {
        boolean zsh = shell.equals("zsh");
        Path driver = Files.writeString(tmp.resolve("driver." + shell), zsh ? ZSH_DRIVER : BASH_DRIVER);
        List<String> command = new ArrayList<>(List.of(shell));
        if (zsh) {
            command.add("-f"); // no rc files: only what the script sets up
        }
        command.addAll(List.of(driver.toString(), word, line));
        command.addAll(List.of(words));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectOutput(tmp.resolve("out").toFile())
                .redirectError(tmp.resolve("err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("FT_"));
        pb.environment().putAll(env);
        pb.environment().put("FT_TEST_SCRIPT", script.toString());
        Instant start = Instant.now();
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS))
                .as(shell + " finished completing '" + line + "'")
                .isTrue();
        Duration took = Duration.between(start, Instant.now());
        String err = Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(shell + " exit; stderr: " + err).isZero();
        List<String> candidates = Files.readAllLines(tmp.resolve("out"), StandardCharsets.UTF_8).stream()
                .map(l -> l.substring(1, l.length() - 1))
                .toList();
        return new Completion(candidates, err, took);
    }

    private List<String> bash(String word, String line, String... words) throws Exception {
        Completion c = complete("bash", word, line, words);
        assertThat(c.err()).as("stderr while completing '%s'", line).isEmpty();
        return c.candidates();
    }

    private List<String> zsh(String word, String line, String... words) throws Exception {
        RequiredTool.require("zsh");
        Completion c = complete("zsh", word, line, words);
        assertThat(c.err()).as("stderr while completing '%s'", line).isEmpty();
        return c.candidates();
    }

    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void bashCompletesSubcommandsButNotTheHiddenOne() throws Exception {
        assertThat(bash("", "ft ", "ft", ""))
                .contains("get", "put", "ls", "stat", "rm", "mkdir", "mv", "serve", "user", "completion")
                .doesNotContain("complete-remote");
        assertThat(bash("", "ft user ", "ft", "user", "")).containsExactly("add", "list", "remove");
        assertThat(bash("", "ft -q user ", "ft", "-q", "user", "")).containsExactly("add", "list", "remove");
    }

    @Test
    void bashCompletesTheOptionsOfGetIncludingTheGlobalOnes() throws Exception {
        assertThat(bash("-", "ft get -", "ft", "get", "-"))
                .contains("-o", "--output", "-r", "--recursive", "-i", "--input", "--json", "-j", "--server", "--help")
                .doesNotContain("--root", "get");
        assertThat(bash("--ou", "ft get --ou", "ft", "get", "--ou")).containsExactly("--output");
        assertThat(bash("-", "ft put -", "ft", "put", "-"))
                .contains("--recursive")
                .doesNotContain("--output");
    }

    @Test
    void bashCompletesLocalPathsForPutWithASlashAfterDirectories() throws Exception {
        assertThat(bash("al", "ft put al", "ft", "put", "al")).containsExactly("alpha.txt", "alpine/");
        assertThat(bash("", "ft put ", "ft", "put", "")).containsExactly("alpha.txt", "alpine/", "my dir/");
        assertThat(bash("my\\ dir/", "ft put my\\ dir/", "ft", "put", "my\\ dir/"))
                .containsExactly("my dir/f.txt");
        assertThat(bash(".h", "ft put .h", "ft", "put", ".h")).containsExactly(".hidden");
        // After the first argument too: put's arguments are all local.
        assertThat(bash("al", "ft put -r x al", "ft", "put", "-r", "x", "al")).containsExactly("alpha.txt", "alpine/");
    }

    @Test
    void bashCompletesLocalPathsForTheOutputOfGet() throws Exception {
        assertThat(bash("al", "ft get x -o al", "ft", "get", "x", "-o", "al")).containsExactly("alpha.txt", "alpine/");
        assertThat(bash("al", "ft get --output al", "ft", "get", "--output", "al"))
                .containsExactly("alpha.txt", "alpine/");
        // bash splits --output=al at the '=' and replaces only what follows it.
        assertThat(bash("al", "ft get --output=al", "ft", "get", "--output", "=", "al"))
                .containsExactly("alpha.txt", "alpine/");
        assertThat(bash("", "ft get --output=", "ft", "get", "--output", "="))
                .containsExactly("alpha.txt", "alpine/", "my dir/");
        assertThat(bash("", "ft get -i ", "ft", "get", "-i", "")).containsExactly("alpha.txt", "alpine/", "my dir/");
    }

    @Test
    void bashCompletesOnlyDirectoriesWhereADirectoryGoesAndNothingForOtherValues() throws Exception {
        assertThat(bash("", "ft serve --root ", "ft", "serve", "--root", "")).containsExactly("alpine/", "my dir/");
        assertThat(bash("", "ft user add bob --root ", "ft", "user", "add", "bob", "--root", ""))
                .containsExactly("alpine/", "my dir/");
        assertThat(bash("", "ft serve --users ", "ft", "serve", "--users", "")).contains("alpha.txt");
        assertThat(bash("", "ft get -j ", "ft", "get", "-j", "")).isEmpty();
        assertThat(bash("", "ft completion ", "ft", "completion", "")).containsExactly("bash", "zsh");
    }

    @Test
    void bashCompletesRemotePathsFromTheServer() throws Exception {
        assertThat(bash("", "ft get ", "ft", "get", "")).containsExactly("data/", "docs/", "top.txt");
        assertThat(bash("docs/w", "ft get docs/w", "ft", "get", "docs/w")).containsExactly("docs/with space.txt");
        assertThat(bash("docs/re", "ft get docs/re", "ft", "get", "docs/re"))
                .containsExactly("docs/readme.txt", "docs/report.pdf");
        assertThat(bash("docs/s", "ft ls docs/s", "ft", "ls", "docs/s")).containsExactly("docs/sub/");
    }

    @Test
    void bashAsksTheServerNamedOnTheLine() throws Exception {
        int port = server.address().getPort();
        env.put("FT_SERVER", "127.0.0.1:" + deadPort());
        // bash splits 127.0.0.1:PORT at the ':'; the script reads it whole.
        assertThat(bash("d", "ft -s 127.0.0.1:" + port + " get d", "ft", "-s", "127.0.0.1", ":", "" + port, "get", "d"))
                .containsExactly("data/", "docs/");
        assertThat(bash(
                        "d",
                        "ft mv --server=127.0.0.1:" + port + " d",
                        "ft",
                        "mv",
                        "--server",
                        "=",
                        "127.0.0.1",
                        ":",
                        "" + port,
                        "d"))
                .containsExactly("data/", "docs/");
    }

    @Test
    void aDeadServerGivesNoCandidatesAndNoWordOnStderrWithinSeconds() throws Exception {
        env.put("FT_SERVER", "127.0.0.1:" + deadPort());
        Completion refused = complete("bash", "d", "ft get d", "ft", "get", "d");
        assertThat(refused.candidates()).isEmpty();
        assertThat(refused.err()).isEmpty();
        assertThat(refused.took()).isLessThan(Duration.ofSeconds(10));

        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            env.put("FT_SERVER", "127.0.0.1:" + silent.getLocalPort());
            Completion mute = complete("bash", "d", "ft ls d", "ft", "ls", "d");
            assertThat(mute.candidates()).isEmpty();
            assertThat(mute.err()).isEmpty();
            assertThat(mute.took()).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void anUntrustedTlsServerGivesNoCandidatesEvenWithTrustOnTheLine() throws Exception {
        server.close();
        Path root = tmp.resolve("root");
        TlsIdentity identity = PemStore.loadOrCreate(root.resolve(".ft"));
        server = FtServer.start(FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0))
                .withTls(new TlsServerSockets(identity)));
        int port = server.address().getPort();
        // A TAB never answers the trust question, and --trust is for the command, not for completing it.
        assertThat(bash(
                        "d",
                        "ft --trust --tls -s 127.0.0.1:" + port + " get d",
                        "ft",
                        "--trust",
                        "--tls",
                        "-s",
                        "127.0.0.1",
                        ":",
                        "" + port,
                        "get",
                        "d"))
                .isEmpty();
        assertThat(tmp.resolve("home/config/ft/known_servers")).doesNotExist();
    }

    @Test
    void zshCompletesSubcommandsOptionsAndLocalPathsThroughBashcompinit() throws Exception {
        // Registered with nospace for zsh: every candidate but a directory carries its own space.
        assertThat(zsh("", "ft ", "ft", ""))
                .contains("get ", "put ", "serve ", "completion ")
                .doesNotContain("complete-remote ");
        assertThat(zsh("--ou", "ft get --ou", "ft", "get", "--ou")).containsExactly("--output ");
        assertThat(zsh("al", "ft put al", "ft", "put", "al")).containsExactly("alpha.txt ", "alpine/");
        assertThat(zsh("al", "ft get -o al", "ft", "get", "-o", "al")).containsExactly("alpha.txt ", "alpine/");
        // zsh keeps --output=al one word, and replaces all of it.
        assertThat(zsh("--output=al", "ft get --output=al", "ft", "get", "--output=al"))
                .containsExactly("--output=alpha.txt ", "--output=alpine/");
        assertThat(zsh("", "ft serve --root ", "ft", "serve", "--root", "")).containsExactly("alpine/", "my dir/");
        assertThat(zsh("", "ft completion ", "ft", "completion", "")).containsExactly("bash ", "zsh ");
    }

    @Test
    void zshCompletesRemotePathsFromTheServer() throws Exception {
        assertThat(zsh("", "ft get ", "ft", "get", "")).containsExactly("data/", "docs/", "top.txt ");
        assertThat(zsh("docs/s", "ft ls docs/s", "ft", "ls", "docs/s")).containsExactly("docs/sub/");
        env.put("FT_SERVER", "127.0.0.1:" + deadPort());
        Completion dead = complete("zsh", "d", "ft get d", "ft", "get", "d");
        assertThat(dead.candidates()).isEmpty();
        assertThat(dead.err()).isEmpty();
        assertThat(dead.took()).isLessThan(Duration.ofSeconds(10));
    }

    // At a real terminal (tmux): what the line looks like after TAB, with an X typed after it,
    // shows the space bash or zsh added (after a file) or not (after a directory) and the quoting.

    private static final Duration TERMINAL_DEADLINE = Duration.ofSeconds(30);

    /** A shell at a terminal in a private tmux server (its own socket: nobody else's sessions). */
    private final class Terminal implements AutoCloseable {
        private final Path socket = tmp.resolve("tmux.sock");

        Terminal(String shell) throws Exception {
            RequiredTool.require("tmux");
            Path home = tmp.resolve("home");
            String exports = "export PATH=" + CompletionScript.quote(env.get("PATH")) + " HOME="
                    + CompletionScript.quote(home.toString())
                    + " XDG_CONFIG_HOME=" + CompletionScript.quote(env.get("XDG_CONFIG_HOME"))
                    + " XDG_CACHE_HOME=" + CompletionScript.quote(env.get("XDG_CACHE_HOME"))
                    + " FT_SERVER=" + CompletionScript.quote(env.get("FT_SERVER")) + "\n"
                    + "cd " + CompletionScript.quote(cwd.toString()) + "\n"
                    + "source " + CompletionScript.quote(script.toString()) + "\n";
            String command;
            if (shell.equals("zsh")) {
                RequiredTool.require("zsh");
                Files.writeString(home.resolve(".zshrc"), "PROMPT='$ '\nunsetopt beep\n" + exports);
                command = "env -u FT_TOKEN -u FT_TLS -u FT_CONFIG ZDOTDIR=" + CompletionScript.quote(home.toString())
                        + " zsh -i";
            } else {
                Path rc = Files.writeString(tmp.resolve("bashrc"), "PS1='$ '\nbind 'set bell-style none'\n" + exports);
                command = "env -u FT_TOKEN -u FT_TLS -u FT_CONFIG bash --noprofile --rcfile "
                        + CompletionScript.quote(rc.toString()) + " -i";
            }
            tmux("new-session", "-d", "-s", "t", "-x", "200", "-y", "50", command);
            type("echo READY");
            keys("Enter");
            awaitScreen(lines -> lines.contains("READY") && last(lines).equals("$"), "the shell to start");
        }

        private String tmux(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().remove("TMUX"); // the test may itself run inside someone's tmux
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("tmux %s", args[0]).isTrue();
            assertThat(p.exitValue()).as("tmux %s: %s", args[0], out).isZero();
            return out;
        }

        void type(String text) throws Exception {
            tmux("send-keys", "-t", "t", "-l", text);
        }

        void keys(String... keys) throws Exception {
            List<String> args = new ArrayList<>(List.of("send-keys", "-t", "t"));
            args.addAll(List.of(keys));
            tmux(args.toArray(String[]::new));
        }

        /** The screen's non-blank lines once {@code done} holds for them (a bounded wait). */
        List<String> awaitScreen(Predicate<List<String>> done, String what) throws Exception {
            AtomicReference<List<String>> lines = new AtomicReference<>(List.of());
            try {
                await(what)
                        .atMost(TERMINAL_DEADLINE)
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> {
                            lines.set(tmux("capture-pane", "-p", "-t", "t")
                                    .lines()
                                    .map(String::stripTrailing)
                                    .filter(l -> !l.isEmpty())
                                    .toList());
                            return done.test(lines.get());
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(
                        "waited " + TERMINAL_DEADLINE + " for " + what + "; the screen: " + lines.get(), e);
            }
            return lines.get();
        }

        private static String last(List<String> lines) {
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        /** Types {@code line}, TAB, then X; returns the line as it then stands, and clears it. */
        String tab(String line) throws Exception {
            type(line);
            keys("Tab");
            type("X");
            String shown = last(awaitScreen(
                    lines -> last(lines).startsWith("$ ft") && last(lines).endsWith("X"), "'" + line + "<TAB>X'"));
            keys("C-u");
            awaitScreen(lines -> last(lines).equals("$"), "the line to clear");
            return shown.substring(2, shown.length() - 1);
        }

        @Override
        public void close() throws Exception {
            tmux("kill-server");
        }
    }

    private void atATerminal(String shell) throws Exception {
        try (Terminal t = new Terminal(shell)) {
            assertThat(t.tab("ft put alph")).isEqualTo("ft put alpha.txt ");
            assertThat(t.tab("ft put alpi")).isEqualTo("ft put alpine/");
            assertThat(t.tab("ft put my")).isEqualTo("ft put my\\ dir/");
            assertThat(t.tab("ft get -o alpi")).isEqualTo("ft get -o alpine/");
            assertThat(t.tab("ft get --outp")).isEqualTo("ft get --output ");
            assertThat(t.tab("ft get docs/s")).isEqualTo("ft get docs/sub/");
            assertThat(t.tab("ft get docs/w")).isEqualTo("ft get docs/with\\ space.txt ");
            assertThat(t.tab("ft ls da")).isEqualTo("ft ls data/");
        }
    }

    @Test
    void bashAtATerminalAddsASpaceAfterAFileNoneAfterADirectoryAndQuotes() throws Exception {
        atATerminal("bash");
    }

    @Test
    void zshAtATerminalAddsASpaceAfterAFileNoneAfterADirectoryAndQuotes() throws Exception {
        atATerminal("zsh");
    }
}
