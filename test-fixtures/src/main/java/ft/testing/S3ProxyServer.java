package ft.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real S3 server for tests: S3Proxy 4.1.0 with its filesystem blob store in a temporary
 * directory, run as its own JVM ({@code java -jar s3proxy.jar --properties FILE}) on
 * {@code http://127.0.0.1:PORT}. Not S3Proxy's JUnit extension: it carries an unshaded AWS SDK
 * that clashes with the one ft uses.
 *
 * <p>The jar's path comes from the system property {@value #JAR_PROPERTY}; a module that uses this
 * fixture copies {@code org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies} with the
 * maven-dependency-plugin and passes the property to surefire/failsafe. A missing jar, or an
 * S3Proxy that does not answer, throws with the reason (tests never skip for want of it).
 *
 * <p>Clients sign with SigV4 (or V2) using {@link #accessKey()} / {@link #secretKey()} and any
 * region. {@link #restart()} kills the process with SIGKILL and starts it again on the same port
 * and directory: S3Proxy keeps unfinished multipart uploads across such a restart, as a real S3
 * keeps them across a client's crash.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** The system property that names S3Proxy's jar-with-dependencies. */
    public static final String JAR_PROPERTY = "s3proxy.jar";

    private static final String ACCESS_KEY = "ft-test-identity";
    private static final String SECRET_KEY = "ft-test-credential";
    /** S3Proxy starts in ~2 s here; a loaded CI machine gets ample slack, but not forever. */
    private static final long START_TIMEOUT_MS = 90_000;

    private final Path jar;
    private final Path dir;
    private final Path blobs;
    private final Path properties;
    private final Path log;
    private final int port;
    private Process process;

    private S3ProxyServer(Path jar, Path dir, int port) throws IOException {
        this.jar = jar;
        this.dir = dir;
        this.blobs = Files.createDirectories(dir.resolve("blobs"));
        this.properties = dir.resolve("s3proxy.properties");
        this.log = dir.resolve("s3proxy.log");
        this.port = port;
        Files.writeString(
                properties,
                String.join(
                        "\n",
                        "s3proxy.endpoint=" + endpoint(),
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + ACCESS_KEY,
                        "s3proxy.credential=" + SECRET_KEY,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + blobs,
                        ""));
    }

    /**
     * Starts S3Proxy on a free loopback port with an empty store in a new temporary directory and
     * waits (bounded) until it answers HTTP.
     *
     * @throws IllegalStateException when the jar is missing or S3Proxy does not come up
     */
    public static S3ProxyServer start() throws IOException, InterruptedException {
        String property = System.getProperty(JAR_PROPERTY);
        if (property == null || property.isBlank()) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " is not set: the module's pom must "
                    + "copy org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies (maven-dependency-plugin) and pass "
                    + "its path to surefire/failsafe");
        }
        Path jar = Path.of(property);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar " + jar + " (system property " + JAR_PROPERTY
                    + ") does not exist: run the build through Maven, which copies it in generate-test-resources");
        }
        S3ProxyServer server = new S3ProxyServer(jar, Files.createTempDirectory("ft-s3proxy-"), freePort());
        server.launch();
        return server;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The access key id clients sign with. */
    public String accessKey() {
        return ACCESS_KEY;
    }

    /** The secret access key clients sign with. */
    public String secretKey() {
        return SECRET_KEY;
    }

    /** The directory of S3Proxy's filesystem blob store (one subdirectory per bucket). */
    public Path blobDirectory() {
        return blobs;
    }

    /** The S3Proxy process's id (tests that kill it by hand use {@link #restart()} instead). */
    public long pid() {
        return process.pid();
    }

    /**
     * Creates a bucket (PUT /name, signed with AWS signature V2: no SDK needed here).
     *
     * @throws IOException when S3Proxy refuses, with its answer
     */
    public void createBucket(String name) throws IOException {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        String toSign = "PUT\n\n\n" + date + "\n/" + name;
        HttpURLConnection c =
                (HttpURLConnection) URI.create(endpoint() + "/" + name).toURL().openConnection();
        try {
            c.setRequestMethod("PUT");
            c.setRequestProperty("Date", date);
            c.setRequestProperty("Authorization", "AWS " + ACCESS_KEY + ":" + hmacSha1(SECRET_KEY, toSign));
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(0);
            c.getOutputStream().close();
            int status = c.getResponseCode();
            if (status != 200) {
                var err = c.getErrorStream();
                String body = err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8);
                throw new IOException("S3Proxy refused to create bucket " + name + ": HTTP " + status + " " + body);
            }
        } finally {
            c.disconnect();
        }
    }

    /**
     * Kills S3Proxy with SIGKILL (no shutdown of any kind) and starts it again on the same port and
     * blob directory, waiting until it answers.
     */
    public void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    /** Kills the process (SIGKILL) by its handle and waits for it to end. Keeps the directory. */
    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    private void kill() throws InterruptedException {
        Process p = process;
        process = null;
        if (p != null) {
            p.destroyForcibly();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("S3Proxy (pid " + p.pid() + ") did not end 30 s after SIGKILL");
            }
        }
    }

    private void launch() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        List.of(java, "-Xmx256m", "-jar", jar.toString(), "--properties", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        process = p;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        // Bounded: until it answers, the process dies, or the deadline passes. A short pause between
        // attempts is polling for an external process, not synchronisation inside the test.
        while (true) {
            if (!p.isAlive()) {
                process = null;
                throw new IllegalStateException(
                        "S3Proxy exited with status " + p.exitValue() + " before answering; its output:\n" + tail());
            }
            if (answers()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException("S3Proxy did not answer on " + endpoint() + " within "
                        + START_TIMEOUT_MS / 1000 + " s; its output:\n" + tail());
            }
            p.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    /** True when S3Proxy answers an HTTP request at all (any status: an anonymous GET / is a 403). */
    private boolean answers() {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        } catch (IOException e) {
            return false;
        }
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint().toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            try {
                return c.getResponseCode() > 0;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String hmacSha1(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new UncheckedIOException(new IOException("HmacSHA1 unavailable", e));
        }
    }

    @Override
    public String toString() {
        return "S3Proxy " + endpoint() + " (" + dir + ", " + String.format(Locale.ROOT, "pid %s", pidOrNone()) + ")";
    }

    private String pidOrNone() {
        Process p = process;
        return p == null ? "none" : Long.toString(p.pid());
    }
}
