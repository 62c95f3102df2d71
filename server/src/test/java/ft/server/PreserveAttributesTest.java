package ft.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.FileAttributes;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server's side of {@code -p}: put stores a file's mtime and mode, get states them. */
class PreserveAttributesTest {
    /** 2021-03-04T05:06:07.089Z: far from now, with milliseconds that must survive. */
    private static final long MTIME = 1_614_834_367_089L;

    @TempDir
    Path tmp;

    private FtServer server;
    private Path root;

    @BeforeEach
    void startServer() throws IOException {
        server = FtServer.start(tmp.resolve("root"), new InetSocketAddress("127.0.0.1", 0));
        root = server.root();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void helloSaysTheServerPreservesAttributes() throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            Response.HelloOk ok =
                    assertInstanceOf(Response.HelloOk.class, c.request(new Request.Hello(1), Response.HelloOk.class));
            assertTrue(ok.limits().preserve());
        }
    }

    @ParameterizedTest(name = "put with mode 0{0} stores 0{1}")
    @CsvSource({"640, 640", "0, 600", "755, 755", "444, 644", "777, 777"})
    void putStoresTheMtimeAndTheModeWithTheOwnersReadAndWriteAddedAndGetStatesThem(String sent, String stored)
            throws IOException {
        int mode = Integer.parseInt(sent, 8);
        int expected = Integer.parseInt(stored, 8);
        byte[] content = "with attributes".getBytes(StandardCharsets.UTF_8);
        try (RawClient c = RawClient.hello(server)) {
            c.put("a/f.txt", content, new FileAttributes(MTIME, mode));

            Path file = root.resolve("a/f.txt");
            assertArrayEquals(content, Files.readAllBytes(file));
            assertEquals(MTIME, Files.getLastModifiedTime(file).toMillis());
            assertEquals(expected, modeOf(file));

            RawClient.Fetched back = c.get("a/f.txt");
            assertEquals(new FileAttributes(MTIME, expected), back.header().attributes());
        }
    }

    @Test
    void eagerPutStoresTheMtimeAndModeToo() throws IOException {
        byte[] content = "small and eager".getBytes(StandardCharsets.UTF_8);
        try (RawClient c = RawClient.hello(server)) {
            c.putEager("e.txt", content, new FileAttributes(MTIME, 0640));
            assertEquals(
                    new FileAttributes(MTIME, 0640), c.get("e.txt").header().attributes());
        }
        assertEquals(MTIME, Files.getLastModifiedTime(root.resolve("e.txt")).toMillis());
        assertEquals(0640, modeOf(root.resolve("e.txt")));
    }

    @Test
    void theDigestCacheKnowsTheFileAsItIsAfterItsAttributesWereSet() throws Exception {
        try (RawClient c = RawClient.hello(server)) {
            c.put("f.bin", new byte[1000], new FileAttributes(MTIME, 0640));
        }
        // chmod and utime moved the ctime: a version taken before them would never be looked up.
        assertTrue(
                server.storage().knowsDigest("f.bin"),
                "a verified upload with attributes needs no second hashing pass");
    }

    @Test
    void putWithoutAttributesLeavesMtimeAndModeAsToday() throws IOException {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        int fresh = modeOf(Files.createFile(tmp.resolve("made-by-this-process")));
        try (RawClient c = RawClient.hello(server)) {
            c.put("plain.txt", "no attributes".getBytes(StandardCharsets.UTF_8));
            c.putEager("eager.txt", "none either".getBytes(StandardCharsets.UTF_8), null);
        }
        for (String name : new String[] {"plain.txt", "eager.txt"}) {
            Path file = root.resolve(name);
            assertEquals(fresh, modeOf(file), name + ": the mode a new file gets under the server's umask");
            assertTrue(
                    !Files.getLastModifiedTime(file).toInstant().isBefore(before),
                    name + ": the time it was written, not one from the client");
        }
    }

    @Test
    void getStatesTheFilesOwnMtimeAndPermissionBits() throws IOException {
        Path file = Files.writeString(root.resolve("on-disk.txt"), "put there by hand");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x--x"));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(MTIME));
        try (RawClient c = RawClient.hello(server)) {
            Response.GetOk header = c.get("on-disk.txt").header();
            assertEquals(new FileAttributes(MTIME, 0751), header.attributes());
        }
    }

    private static int modeOf(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:mode") & 0777;
    }
}
