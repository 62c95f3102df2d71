package ft.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
            c.putAndHangUp("big.bin", content, cut);
        }
    }

    /** Resumes the put (the log lines the tests check say from where) and checks what was published. */
    private void finish(byte[] content) throws IOException {
        try (RawClient c = RawClient.hello(server)) {
            c.put("big.bin", content);
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("big.bin")));
    }

    private List<String> messages() {
        synchronized (events) {
            return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
