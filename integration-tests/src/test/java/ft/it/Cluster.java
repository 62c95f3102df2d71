package ft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Several real {@code ft serve} processes sharing one store, on free loopback ports, behind a
 * real {@link Haproxy}: a cluster as operators deploy it, on one machine. A server can be
 * killed with SIGKILL and started again on its port; HAProxy's health checks take it out of
 * the rotation and back.
 *
 * <p>The store every server serves is a {@link Store}: the same arguments (and environment)
 * for each server, so tests do not depend on what the store is.
 */
final class Cluster implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("ft: serving .* on (\\S+)$", Pattern.MULTILINE);

    /**
     * What every server of the cluster serves: {@code ft serve} arguments naming the store, and
     * the environment the store needs (e.g. S3 credentials and endpoint), and whether servers
     * coordinate uploads of one path through the store (then the second of two concurrent
     * uploads is answered BUSY).
     */
    record Store(
            String description,
            List<String> serveArguments,
            Map<String, String> environment,
            boolean crossServerLocks) {
        Store {
            serveArguments = List.copyOf(serveArguments);
            environment = Map.copyOf(environment);
        }

        /** One local directory shared by every server ({@code ft serve --root DIR}). */
        static Store sharedRoot(Path root) {
            // Servers on one local directory do not see each other's locks: two uploads of one
            // path both go ahead, and the last rename wins.
            return new Store("the shared root " + root, List.of("--root", root.toString()), Map.of(), false);
        }

        /**
         * A bucket of a real S3 server ({@code ft serve --store s3://BUCKET/PREFIX}), reached the way
         * an operator configures it: credentials, region and endpoint in the standard AWS
         * variables, path-style addressing (S3Proxy has no virtual-host buckets). Servers
         * coordinate uploads of one path through lease objects in the bucket.
         */
        static Store s3(S3ProxyServer s3, String bucket, String prefix) {
            String location = "s3://" + bucket + "/" + prefix;
            return new Store(
                    location + " on " + s3,
                    // A killed server's claim on a name (its lease) keeps other servers answering
                    // BUSY for that name until it expires: 5 s rather than the default 30 s keeps
                    // the tests' retries short, and still outlasts a heartbeat (every 5/3 s) delayed
                    // by a busy machine.
                    List.of("--store", location, "--s3-path-style", "--s3-lease", "5"),
                    Map.of(
                            "AWS_ACCESS_KEY_ID", s3.accessKey(),
                            "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                            "AWS_REGION", "us-east-1",
                            "AWS_ENDPOINT_URL", s3.endpoint().toString()),
                    true);
        }
    }

    /** One server of the cluster: its port, and the process serving there now. */
    static final class Node {
        final int index;
        final int port;
        private final Path dir;
        private Process process;
        private int starts;

        Node(int index, int port, Path dir) {
            this.index = index;
            this.port = port;
            this.dir = dir;
        }

        Process process() {
            return process;
        }

        /** Everything this server's current process wrote to stderr (its access log) so far. */
        String log() throws IOException {
            Path err = runDir().resolve(".err");
            return Files.exists(err) ? Files.readString(err) : "";
        }

        private Path runDir() {
            return dir.resolve("run" + starts);
        }
    }

    final Store store;
    private final FtProcesses.Launch launch;
    private final List<String> extra;
    private final List<Node> nodes = new ArrayList<>();
    final Haproxy haproxy;

    /**
     * Starts {@code count} servers of {@code store} (each with the {@code extra} serve options),
     * then HAProxy in front of them; everything lives under {@code dir}.
     */
    Cluster(Path dir, int count, Store store, FtProcesses.Launch launch, Haproxy.Balance balance, String... extra)
            throws IOException {
        this.store = store;
        FtProcesses.Launch withStore = launch;
        for (Map.Entry<String, String> e : store.environment().entrySet()) {
            withStore = withStore.withEnv(e.getKey(), e.getValue());
        }
        this.launch = withStore;
        this.extra = List.of(extra);
        Haproxy started = null;
        try {
            List<String> backends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Node node = new Node(i, Haproxy.freePort(), Files.createDirectories(dir.resolve("s" + i)));
                nodes.add(node);
                launch(node);
                backends.add("127.0.0.1:" + node.port);
            }
            // Started together, awaited in turn: JVM starts overlap.
            for (Node node : nodes) {
                awaitServing(node);
            }
            started = new Haproxy(dir.resolve("haproxy"), backends, balance);
        } finally {
            if (started == null) {
                stopServers();
            }
        }
        haproxy = started;
    }

    /** Where clients connect: the balancer. */
    String address() {
        return haproxy.address();
    }

    Node node(int index) {
        return nodes.get(index);
    }

    int size() {
        return nodes.size();
    }

    private void start(Node node) throws IOException {
        launch(node);
        awaitServing(node);
    }

    private void launch(Node node) throws IOException {
        node.starts++;
        Path run = Files.createDirectories(node.runDir());
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(store.serveArguments());
        args.addAll(List.of("--listen", "127.0.0.1:" + node.port));
        args.addAll(extra);
        node.process = FtProcesses.start(run, launch, args.toArray(String[]::new));
    }

    private void awaitServing(Node node) throws IOException {
        Process p = node.process;
        try {
            await("ft serve s" + node.index + " serving on port " + node.port)
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> SERVING.matcher(node.log()).find() || !p.isAlive());
        } catch (ConditionTimeoutException e) {
            // told below, with the log
        }
        if (!SERVING.matcher(node.log()).find()) {
            p.destroyForcibly();
            throw new IOException("ft serve s" + node.index + " (" + store.description()
                    + ") did not start serving within 60 s: " + node.log());
        }
    }

    /**
     * Kills server {@code index} with SIGKILL ({@link Process#destroyForcibly()} on Linux; the
     * exit status 137 = 128 + 9 is checked) and waits until HAProxy has taken it out.
     */
    void kill(int index) throws IOException, InterruptedException {
        Node node = nodes.get(index);
        node.process.destroyForcibly();
        assertThat(node.process.waitFor(30, TimeUnit.SECONDS))
                .as("killed server s%d ended", index)
                .isTrue();
        assertThat(node.process.exitValue())
                .as("s%d ended by SIGKILL (128 + 9)", index)
                .isEqualTo(137);
        haproxy.awaitHealth(index, false);
    }

    /** Starts server {@code index} again on its port and waits until HAProxy has it back. */
    void restart(int index) throws IOException {
        Node node = nodes.get(index);
        if (node.process.isAlive()) {
            throw new IllegalStateException("s" + index + " is still running");
        }
        start(node);
        haproxy.awaitHealth(index, true);
    }

    /** Every server's access log and HAProxy's, for a failure message. */
    String logs() throws IOException {
        StringBuilder b = new StringBuilder();
        for (Node n : nodes) {
            b.append("--- s")
                    .append(n.index)
                    .append(" (port ")
                    .append(n.port)
                    .append(")\n")
                    .append(n.log());
        }
        b.append("--- haproxy\n").append(haproxy.log());
        return b.toString();
    }

    private void stopServers() {
        for (Node n : nodes) {
            if (n.process != null) {
                n.process.destroyForcibly();
                try {
                    n.process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            if (haproxy != null) {
                haproxy.close();
            }
        } finally {
            stopServers();
        }
    }
}
