package ft.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.TestData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A resumed put continues the MD5 state saved with its partial instead of reading the held
 * bytes back (issue #13); without a usable state it reads them back, and either way the
 * result is verified.
 */
class ResumedUploadDigestTest {
    private static final int SIZE = 3_000_000;
    private static final int CUT = 2_000_000;

    @TempDir
    Path tmp;

    private Path root;
    private FtServer server;
    private final Logger log = (Logger) LoggerFactory.getLogger(ReceiveUpload.class);
    private final Level level = log.getLevel();
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void start() throws IOException {
        root = tmp.resolve("root");
        server = FtServer.start(root, new InetSocketAddress("127.0.0.1", 0));
        events.start();
        log.setLevel(Level.DEBUG);
        log.addAppender(events);
    }

    @AfterEach
    void stop() {
        log.detachAppender(events);
        log.setLevel(level);
        server.close();
    }

    @Test
    void aResumedPutContinuesTheSavedDigestWithoutReadingTheHeldBytes() throws IOException {
        byte[] content = TestData.random(SIZE, 11);
        cutAt(content, CUT);
        finish(content);
        assertTrue(
                messages().stream().anyMatch(m -> m.contains("resumed at " + CUT + " bytes from the saved MD5 state")),
                messages().toString());
    }

    @Test
    void withoutItsSavedStateAResumedPutHashesWhatItHoldsAndStillVerifies() throws IOException {
        byte[] content = TestData.random(SIZE, 12);
        cutAt(content, CUT);
        try (Stream<Path> partials = Files.list(root.resolve(".ft/partials"))) {
            List<Path> states =
                    partials.filter(p -> p.toString().endsWith(".state")).toList();
            assertEquals(1, states.size(), "the cut upload saved its MD5 state");
            Files.delete(states.getFirst());
        }
        finish(content);
        assertTrue(
                messages().stream().anyMatch(m -> m.contains("resumed at " + CUT + " bytes by hashing them again")),
                messages().toString());
    }

    private void cutAt(byte[] content, int cut) throws IOException {
        try (RawClient c = RawClient.hello(server)) {
            c.request(new Request.Put("big.bin", content.length, TestData.md5(content)), Response.PutReady.class);
            c.sendRaw(content, 0, cut);
            // Half-close: the server sees the body end early and keeps what it got.
            c.shutdownOutput();
            c.assertClosedByServer();
        }
    }

    private void finish(byte[] content) throws IOException {
        Md5 md5 = TestData.md5(content);
        try (RawClient c = RawClient.hello(server)) {
            Response r = c.request(new Request.Put("big.bin", content.length, md5), Response.PutReady.class);
            assertEquals(CUT, assertInstanceOf(Response.PutReady.class, r).offset());
            c.sendRaw(content, CUT, content.length - CUT);
            assertEquals(
                    md5,
                    assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class))
                            .md5());
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("big.bin")));
    }

    private List<String> messages() {
        synchronized (events) {
            return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
