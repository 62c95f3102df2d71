package ft.server;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the access log says about requests, read from the log itself. */
class AccessLogTest {
    /**
     * How long the client sits silent before each request. Idle time is what is under test, so
     * this is a real pause, not a wait for something to happen.
     */
    private static final Duration IDLE = Duration.ofSeconds(1);

    @TempDir
    Path tmp;

    private FtServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = FtServer.start(tmp.resolve("root"), new InetSocketAddress("127.0.0.1", 0));
        Files.writeString(server.root().resolve("small.txt"), "small");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void millisecondsCountFromTheRequestsFirstByteNotFromTheIdleTimeBeforeIt() throws IOException {
        try (AccessLogCapture log = new AccessLogCapture();
                RawClient c = RawClient.connect(server)) {
            LockSupport.parkNanos(IDLE.toNanos()); // connected, silent
            assertInstanceOf(Response.HelloOk.class, c.request(new Request.Hello(1), Response.HelloOk.class));
            LockSupport.parkNanos(IDLE.toNanos()); // between requests, silent
            assertInstanceOf(Response.StatOk.class, c.request(new Request.Stat("small.txt"), Response.StatOk.class));

            String hello = log.await(l -> l.contains(" hello ") && l.contains("result=ok"), "the hello");
            String stat = log.await(l -> l.contains(" stat small.txt "), "the stat");
            long limit = IDLE.toMillis() / 2;
            assertTrue(AccessLogCapture.millisOf(hello) < limit, "the idle time before hello was counted: " + hello);
            assertTrue(AccessLogCapture.millisOf(stat) < limit, "the idle time before stat was counted: " + stat);
        }
    }

    @Test
    void aPathWithLineSeparatorsC1AndBidiControlsCannotForgeOrReorderALogLine() throws IOException {
        String sneaky = "a\u0085b\u2028c\u2029d\u202ee\u2066f\u009bgh.txt";
        try (AccessLogCapture log = new AccessLogCapture();
                RawClient c = RawClient.connect(server)) {
            assertInstanceOf(Response.HelloOk.class, c.request(new Request.Hello(1), Response.HelloOk.class));
            c.request(new Request.Stat(sneaky), Response.Error.class);
            String line = log.await(l -> l.contains(" stat a?b"), "the stat");
            assertTrue(line.contains(" stat a?b?c?d?e?f?gh.txt "), line);
            for (char ch : new char[] {'\u0085', '\u2028', '\u2029', '\u202e', '\u2066', '\u009b'}) {
                assertTrue(line.indexOf(ch) < 0, "U+" + Integer.toHexString(ch) + " reached the log: " + line);
            }
        }
        assertTrue(AccessLog.printable("x\u0085y\u2028z\u202a").equals("x?y?z?"));
    }
}
