package ft.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    Path tmp;

    @Test
    void aSecondServerOnTheSameDirectoryIsRefusedUntilTheFirstStops() throws Exception {
        Path root = tmp.resolve("root");
        try (FtServer first = FtServer.start(root, ANY_PORT)) {
            IOException refused = assertThrows(
                    IOException.class, () -> FtServer.start(root, ANY_PORT).close());
            assertTrue(refused.getMessage().contains("another ft server already serves"), refused.getMessage());
            assertTrue(first.address().getPort() > 0);
        }
        FtServer.start(root, ANY_PORT).close(); // the lock went with the first server
    }

    @Test
    void serversOnDifferentDirectoriesDoNotStopEachOther() throws Exception {
        try (FtServer a = FtServer.start(tmp.resolve("a"), ANY_PORT);
                FtServer b = FtServer.start(tmp.resolve("b"), ANY_PORT)) {
            assertTrue(a.address().getPort() != b.address().getPort());
        }
    }
}
