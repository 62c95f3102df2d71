package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.ErrorCode;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.storage.local.LocalStorage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one client may not take from the others: time, connections, disk, a clean stop. */
class ServerLimitsTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    Path tmp;

    private Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("root"));
    }

    /** The connection still answers: a stat of a missing path is NOT_FOUND. */
    private static void assertStillServes(RawClient c) throws IOException {
        assertEquals(
                ErrorCode.NOT_FOUND,
                ((Response.Error) c.request(new Request.Stat("nope"), Response.StatOk.class)).code());
    }

    private static void awaitNoConnections(FtServer server, String what) {
        await(what)
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> server.connectionCount() == 0);
    }

    /** A server whose idle timeout is 60 s but whose header deadline is 300 ms. */
    private FtServer startWithAHeaderDeadline() throws IOException {
        ServerLimits limits =
                ServerLimits.DEFAULTS.withIdleTimeout(Duration.ofSeconds(60)).withHeaderTimeout(Duration.ofMillis(300));
        return FtServer.start(FtServer.Options.of(root(), ANY_PORT).withLimits(limits));
    }

    /** Refused as BAD_REQUEST and closed, long before the idle timeout of the server above. */
    private static void assertCutAtTheHeaderDeadline(RawClient c, long startNanos) throws IOException {
        c.readError(ErrorCode.BAD_REQUEST);
        c.assertClosedByServer();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
        assertTrue(seconds < 30, "closed after " + seconds + " s, long before the 60 s idle timeout");
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void slowlorisHeaderIsCutAtTheHeaderDeadlineNotTheIdleTimeout() throws IOException {
        try (FtServer server = startWithAHeaderDeadline();
                RawClient c = RawClient.hello(server)) {
            long start = System.nanoTime();
            c.sendRaw(new byte[] {0, 0, 0, 40, '{', '"'}); // a header that never completes
            assertCutAtTheHeaderDeadline(c, start);
        }
    }

    @Test
    void silentConnectionGetsOnlyTheHeaderTimeoutToSayHello() throws IOException {
        try (FtServer server = startWithAHeaderDeadline();
                RawClient silent = RawClient.connect(server)) {
            long start = System.nanoTime();
            assertCutAtTheHeaderDeadline(silent, start);
            // A client that says hello promptly is unaffected, and may then idle between requests.
            try (RawClient prompt = RawClient.hello(server)) {
                assertStillServes(prompt);
            }
        }
    }

    @Test
    void clientThatStopsReadingIsDroppedAfterTheWriteTimeout() throws IOException {
        Path root = root();
        Files.write(root.resolve("big.bin"), new byte[64 << 20]);
        ServerLimits limits = ServerLimits.DEFAULTS.withWriteTimeout(Duration.ofMillis(500));
        try (FtServer server =
                        FtServer.start(FtServer.Options.of(root, ANY_PORT).withLimits(limits));
                RawClient c = RawClient.hello(server)) {
            c.socket().setReceiveBufferSize(4096);
            c.send(new Request.Get("big.bin", 0));
            // We never read the body: the server's write blocks, and the watchdog must end it.
            awaitNoConnections(server, "the stalled connection was dropped");
        }
    }

    @Test
    void connectionsOverTheLimitAreAnsweredBusyAtOnceAndFreedSlotsServeAgain() throws IOException {
        ServerLimits limits = ServerLimits.DEFAULTS.withConnections(2, 2);
        try (FtServer server =
                FtServer.start(FtServer.Options.of(root(), ANY_PORT).withLimits(limits))) {
            RawClient first = RawClient.hello(server);
            try (RawClient second = RawClient.hello(server);
                    RawClient third = RawClient.connect(server)) {
                Response r = third.read(Response.HelloOk.class);
                assertEquals(
                        ErrorCode.BUSY,
                        assertInstanceOf(Response.Error.class, r).code());
                third.assertClosedByServer();
                // The admitted ones are unaffected.
                assertInstanceOf(Response.Error.class, second.request(new Request.Stat("nope"), Response.StatOk.class));
            }
            first.close();
            awaitNoConnections(server, "closed connections were released");
            try (RawClient again = RawClient.hello(server)) {
                assertStillServes(again);
            }
        }
    }

    @Test
    void helloStatesTheLimitsAndUploadsOverTheMaximumAreTooLarge() throws IOException {
        ServerLimits limits = ServerLimits.DEFAULTS.withMaxFileSize(10);
        try (FtServer server =
                        FtServer.start(FtServer.Options.of(root(), ANY_PORT).withLimits(limits));
                RawClient c = RawClient.connect(server)) {
            Response.HelloOk ok =
                    assertInstanceOf(Response.HelloOk.class, c.request(new Request.Hello(1), Response.HelloOk.class));
            assertEquals(10, ok.limits().maxFileSize());
            assertTrue(ok.limits().freeSpace() > 0);
            assertFalse(ok.limits().readOnly());

            c.expectError(new Request.Put("big.bin", 11, RawClient.md5(new byte[11])), ErrorCode.TOO_LARGE);
            assertInstanceOf(Response.PutDone.class, c.put("small.bin", new byte[10]), "the connection stays usable");
            assertFalse(Files.exists(server.root().resolve("big.bin")));
        }
    }

    @Test
    void readOnlyServerRefusesEveryChangeButServesFiles() throws IOException {
        Path root = root();
        Files.writeString(root.resolve("a.txt"), "keep");
        Files.createDirectories(root.resolve("d"));
        try (FtServer server = FtServer.start(FtServer.Options.of(root, ANY_PORT)
                        .withLimits(ServerLimits.DEFAULTS)
                        .withReadOnly(true));
                RawClient c = RawClient.connect(server)) {
            Response.HelloOk ok =
                    assertInstanceOf(Response.HelloOk.class, c.request(new Request.Hello(1), Response.HelloOk.class));
            assertTrue(ok.limits().readOnly());
            c.expectError(new Request.Put("new.txt", 1, RawClient.md5(new byte[1])), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.MakeDirectory("x", false), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Remove("a.txt", false), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Move("a.txt", "b.txt"), ErrorCode.ACCESS_DENIED);
            assertArrayEquals("keep".getBytes(), c.get("a.txt").body());
        }
        assertEquals("keep", Files.readString(root.resolve("a.txt")));
        assertFalse(Files.exists(root.resolve("new.txt")));
        assertFalse(Files.exists(root.resolve("x")));
    }

    @Test
    void pathLegalOnTheWireButTooLongForTheFileSystemIsBadRequestAndTheConnectionStays() throws IOException {
        // 16 segments of 255 bytes: within the protocol's 4096 bytes, beyond Linux's PATH_MAX
        // once the root's own path is in front.
        String segment = "d".repeat(255);
        String path = String.join("/", java.util.Collections.nCopies(16, segment));
        assertTrue(path.length() <= 4096);
        try (FtServer server = FtServer.start(root(), ANY_PORT);
                RawClient c = RawClient.hello(server)) {
            c.expectError(new Request.MakeDirectory(path, true), ErrorCode.BAD_REQUEST);
            c.expectError(new Request.Get(path, 0), ErrorCode.BAD_REQUEST);
            c.expectError(new Request.Stat(path), ErrorCode.BAD_REQUEST);
            assertEquals(
                    ErrorCode.NOT_FOUND,
                    ((Response.Error) c.request(new Request.Stat("nope"), Response.StatOk.class)).code(),
                    "the connection is still in step");
        }
    }

    @Test
    void abandonedPartialsOlderThanTheMaximumAgeAreSwept() throws IOException {
        LocalStorage store = LocalStorage.open(root());
        Path partials = store.stateDir().resolve("partials");
        Path old = Files.writeString(partials.resolve("aaaa.part"), "old bytes");
        Path oldMeta = Files.writeString(partials.resolve("aaaa.meta"), "{}");
        Path fresh = Files.writeString(partials.resolve("bbbb.part"), "fresh bytes");
        FileTime eightDaysAgo = FileTime.from(Instant.now().minus(Duration.ofDays(8)));
        Files.setLastModifiedTime(old, eightDaysAgo);
        Files.setLastModifiedTime(oldMeta, eightDaysAgo);

        assertEquals(1, store.expireUploads(Duration.ofDays(7)));
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(oldMeta));
        assertTrue(Files.exists(fresh));
    }

    @Test
    void gracefulShutdownLetsATransferInFlightFinishAndClosesIdleConnections() throws Exception {
        Path root = root();
        byte[] content = random(16 << 20);
        Files.write(root.resolve("big.bin"), content);
        FtServer server = FtServer.start(FtServer.Options.of(root, ANY_PORT));
        int port = server.address().getPort();
        try (RawClient busy = RawClient.hello(server);
                RawClient idle = RawClient.hello(server)) {
            busy.send(new Request.Get("big.bin", 0));
            Response.GetOk header = assertInstanceOf(Response.GetOk.class, busy.read(Response.GetOk.class));
            byte[] head = busy.readBody(1 << 20); // the transfer is under way

            CompletableFuture<Boolean> stopped =
                    CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(20)));
            idle.assertClosedByServer();
            await("the listener was closed")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                            return false;
                        } catch (IOException refused) {
                            return true;
                        }
                    });

            byte[] rest = busy.readBody(header.size() - head.length);
            byte[] whole = new byte[content.length];
            System.arraycopy(head, 0, whole, 0, head.length);
            System.arraycopy(rest, 0, whole, head.length, rest.length);
            assertEquals(
                    RawClient.md5(content), Md5.of(ft.transfer.Body.newMd5().digest(whole)));
            busy.assertClosedByServer();
            assertTrue(stopped.get(30, TimeUnit.SECONDS), "every connection finished within the grace period");
        } finally {
            server.close();
        }
    }
}
