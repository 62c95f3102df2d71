package ft.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real HAProxy (Debian's {@code haproxy}) in TCP mode on a free 127.0.0.1 port, in front of
 * a list of backend servers, started as a child process ({@code haproxy -f CFG -db}) and
 * stopped by its {@link Process} handle.
 *
 * <p>Health checks are plain TCP connects ({@code option tcp-check}) every 200 ms, two failures
 * to go down and one success to come back, so a killed server is out of the rotation within
 * about half a second; a connection that still reaches a dead server is retried and
 * redispatched to another ({@code retries 3}, {@code option redispatch 1}). Timeouts are those
 * of long transfers ({@code timeout client/server 1h}, {@code timeout connect 2s}).
 *
 * <p>Tests learn which backend holds a connection from the runtime API: {@link #servers()}
 * reads {@code show stat} from the stats socket (current and total sessions and the health of
 * each server). HAProxy's own log (one line per connection, when it ends) goes to
 * {@code DIR/haproxy.out}, for a person reading a failure.
 *
 * <p>A missing {@code haproxy} binary fails the test with a message saying what to install: a
 * cluster test that cannot run must not look like one that passed.
 */
final class Haproxy implements AutoCloseable {
    /** How connections are spread over the backends. */
    enum Balance {
        /** Each new connection to the next server in turn: two connections in a row land on two servers. */
        ROUNDROBIN,
        /** Each new connection to the server with the fewest open ones: what a deployment uses. */
        LEASTCONN
    }

    /** One backend server as {@code show stat} describes it at one moment. */
    record ServerStat(String name, String status, int current, long total) {
        boolean up() {
            return status.startsWith("UP");
        }
    }

    private static final List<String> CANDIDATES = List.of("/usr/sbin/haproxy", "/usr/bin/haproxy");

    final Process process;
    final int port;
    private final Path dir;
    private final Path socket;
    private final List<String> names;

    /**
     * Starts HAProxy in {@code dir} (config, stats socket, log) balancing over {@code backends}
     * ({@code host:port}), named {@code s0, s1, ...} in that order, and waits (bounded) until
     * its frontend accepts connections and every backend is up.
     */
    Haproxy(Path dir, List<String> backends, Balance balance) throws IOException {
        this.dir = Files.createDirectories(dir);
        String binary = binary();
        // A unix socket path has at most 107 bytes; a deep temporary directory gets a short one.
        Path sock = dir.resolve("stats.sock").toAbsolutePath();
        socket = sock.toString().length() < 100
                ? sock
                : Files.createTempDirectory("hap").resolve("stats.sock");
        names = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            names.add("s" + i);
        }
        port = freePort();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, config(backends, balance));
        process = new ProcessBuilder(binary, "-f", cfg.toString(), "-db")
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(dir.resolve("haproxy.out").toFile())
                .redirectErrorStream(true)
                .start();
        try {
            await("haproxy accepting on 127.0.0.1:" + port + " with every backend up")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            return true;
                        }
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                        }
                        return servers().stream().allMatch(ServerStat::up);
                    });
        } catch (ConditionTimeoutException e) {
            // told below, with the log
        }
        if (!process.isAlive()) {
            throw new IOException("haproxy exited (" + process.exitValue() + ") at start: " + log());
        }
        if (!servers().stream().allMatch(ServerStat::up)) {
            close();
            throw new IOException("haproxy did not see every backend up within 30 s: " + servers() + "\n" + log());
        }
    }

    /** The frontend, {@code 127.0.0.1:PORT}: where clients connect. */
    String address() {
        return "127.0.0.1:" + port;
    }

    private static String binary() {
        for (String candidate : CANDIDATES) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("haproxy is not installed (looked for " + String.join(", ", CANDIDATES)
                + "): the multi-server tests run a real HAProxy in front of several ft servers; "
                + "install Debian's haproxy (apt-get install haproxy; .ci/run does this in CI)");
    }

    private String config(List<String> backends, Balance balance) {
        StringBuilder b = new StringBuilder();
        b.append("global\n")
                .append("    log stdout format raw local0 info\n")
                .append("    stats socket ")
                .append(socket)
                .append(" mode 600 level admin\n")
                .append("    maxconn 4096\n")
                .append("defaults\n")
                .append("    mode tcp\n")
                .append("    log global\n")
                .append("    option tcplog\n")
                .append("    timeout connect 2s\n")
                .append("    timeout client 1h\n")
                .append("    timeout server 1h\n")
                .append("    timeout check 1s\n")
                // A connection that reaches a server killed before its health check noticed is
                // tried again, on another server.
                .append("    retries 3\n")
                .append("    option redispatch 1\n")
                .append("frontend ft\n")
                .append("    bind 127.0.0.1:")
                .append(port)
                .append('\n')
                .append("    default_backend servers\n")
                .append("backend servers\n")
                .append("    balance ")
                .append(balance.name().toLowerCase(Locale.ROOT))
                .append('\n')
                .append("    option tcp-check\n")
                .append("    default-server inter 200ms fastinter 100ms downinter 200ms fall 2 rise 1\n");
        for (int i = 0; i < backends.size(); i++) {
            b.append("    server ")
                    .append(names.get(i))
                    .append(' ')
                    .append(backends.get(i))
                    .append(" check\n");
        }
        return b.toString();
    }

    /** Every backend server as the stats socket describes it now, in configuration order. */
    List<ServerStat> servers() throws IOException {
        String csv = command("show stat");
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new IOException("unexpected 'show stat' answer: " + csv);
        }
        List<String> header = List.of(lines.get(0).substring(2).split(",", -1));
        int px = header.indexOf("pxname");
        int sv = header.indexOf("svname");
        int scur = header.indexOf("scur");
        int stot = header.indexOf("stot");
        int status = header.indexOf("status");
        Map<String, ServerStat> byName = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length > status && f[px].equals("servers") && names.contains(f[sv])) {
                byName.put(f[sv], new ServerStat(f[sv], f[status], Integer.parseInt(f[scur]), Long.parseLong(f[stot])));
            }
        }
        List<ServerStat> all = new ArrayList<>();
        for (String name : names) {
            ServerStat s = byName.get(name);
            if (s == null) {
                throw new IOException("'show stat' does not list backend " + name + ": " + csv);
            }
            all.add(s);
        }
        return all;
    }

    /** The index of the one backend holding connections now; fails unless exactly one does. */
    int busyServer() throws IOException {
        List<ServerStat> all = servers();
        List<Integer> busy = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).current() > 0) {
                busy.add(i);
            }
        }
        if (busy.size() != 1) {
            throw new AssertionError("expected exactly one backend with a connection, found " + all);
        }
        return busy.get(0);
    }

    /** Bytes the frontend has received plus sent so far, all connections together. */
    long frontendBytes() throws IOException {
        Map<String, String> f = frontend();
        return Long.parseLong(f.get("bin")) + Long.parseLong(f.get("bout"));
    }

    /** Client connections open at the frontend now. */
    int frontendConnections() throws IOException {
        return Integer.parseInt(frontend().get("scur"));
    }

    private Map<String, String> frontend() throws IOException {
        String csv = command("show stat");
        List<String> lines = csv.lines().toList();
        List<String> header = List.of(lines.get(0).substring(2).split(",", -1));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length >= header.size() - 1 && f[0].equals("ft") && f[1].equals("FRONTEND")) {
                Map<String, String> byName = new LinkedHashMap<>();
                for (int i = 0; i < Math.min(f.length, header.size()); i++) {
                    byName.put(header.get(i), f[i]);
                }
                return byName;
            }
        }
        throw new IOException("'show stat' has no FRONTEND line: " + csv);
    }

    /** Total connections each backend has taken so far, in configuration order. */
    long[] totals() throws IOException {
        return servers().stream().mapToLong(ServerStat::total).toArray();
    }

    /** Waits (bounded) until HAProxy's health checks see backend {@code index} up, or down. */
    void awaitHealth(int index, boolean up) {
        await("haproxy sees " + names.get(index) + (up ? " up" : " down"))
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> servers().get(index).up() == up);
    }

    /** One runtime API command on the stats socket; its whole answer. */
    private String command(String line) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            StringBuilder answer = new StringBuilder();
            // HAProxy closes the socket after answering one command (non-interactive mode).
            while (ch.read(buf) >= 0) {
                buf.flip();
                answer.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
            }
            return answer.toString();
        }
    }

    /** What HAProxy logged so far (its start-up warnings and one line per ended connection). */
    String log() throws IOException {
        Path out = dir.resolve("haproxy.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    /** A port free on 127.0.0.1 now (bound to port 0, then released). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
