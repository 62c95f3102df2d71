package ft.client;

import static org.awaitility.Awaitility.await;

import ft.cli.Main;
import ft.protocol.Md5;
import ft.server.FtServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server on 127.0.0.1 over a temporary root, and the ft command line run in-process
 * against it with a private environment (no user config, cache in the temp dir).
 */
abstract class CliHarness {
    protected static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    protected Path root;
    protected Path local;
    protected FtServer server;
    protected final Map<String, String> env = new HashMap<>();

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void startServer() throws IOException {
        root = tmp.resolve("root");
        local = Files.createDirectories(tmp.resolve("local"));
        server = FtServer.start(root, new InetSocketAddress("127.0.0.1", 0));
        env.put("FT_SERVER", "127.0.0.1:" + server.address().getPort());
        env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        env.put("FT_RETRY_BACKOFF_MS", "1");
        env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
        env.put("HOME", tmp.toString());
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    protected Run ft(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err), env);
        return new Run(exit, out.toString(), err.toString());
    }

    /** As {@link #ft}, with {@code stdin} as standard input; standard output's bytes land in {@code stdout}. */
    protected Run ftWithStreams(byte[] stdin, java.io.ByteArrayOutputStream stdout, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(
                args, new PrintWriter(out), new PrintWriter(err), env, new java.io.ByteArrayInputStream(stdin), stdout);
        return new Run(exit, out.toString(), err.toString());
    }

    /** What a client could see in the served root: everything but the server's own .ft. */
    protected java.util.List<String> rootEntries() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(".ft"))
                    .sorted()
                    .toList();
        }
    }

    /** Writes {@code content} to {@code path} below the served root, creating parents. */
    protected Path remoteFile(String path, byte[] content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    /** Writes {@code content} to {@code path} below the local directory, creating parents. */
    protected Path localFile(String path, byte[] content) throws IOException {
        Path file = local.resolve(path);
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    protected static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static String md5(byte[] data) {
        java.security.MessageDigest d = ft.transfer.Body.newMd5();
        return Md5.of(d.digest(data)).hex();
    }

    /** Waits, bounded, until the server has noticed every connection is gone. */
    protected void awaitServerIdle() {
        await("the server letting go of every connection")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> server.connectionCount() == 0);
    }

    protected long partialFiles() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve(".ft/partials"))) {
            return s.count();
        }
    }
}
