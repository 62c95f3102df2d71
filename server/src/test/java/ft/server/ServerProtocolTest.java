package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.ErrorCode;
import ft.protocol.Md5;
import ft.protocol.Protocol;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.storage.Entry;
import ft.server.storage.local.LocalStorage;
import ft.testing.FileClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server through real sockets on 127.0.0.1, spoken to frame by frame. */
class ServerProtocolTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private Path root;
    private FtServer server;

    @BeforeEach
    void startServer() throws IOException {
        root = tmp.resolve("root");
        server = FtServer.start(root, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------ hello and framing

    @Test
    void helloAnswersVersionOneAndTheServerName() throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            Response r = c.request(new Request.Hello(1), Response.HelloOk.class);
            Response.HelloOk ok = assertInstanceOf(Response.HelloOk.class, r);
            assertEquals(1, ok.version());
            assertEquals(FtServer.SERVER_NAME, ok.server());
            assertFalse(ok.server().isBlank());
        }
    }

    @Test
    void getWithKeepaliveHearsWaitFramesWhileTheServerHashesTheFile() throws IOException {
        long size = 512L << 20; // sparse: hashing it takes well over 100 ms at any MD5 speed
        try (RandomAccessFile f = new RandomAccessFile(
                Files.createDirectories(root).resolve("big.bin").toFile(), "rw")) {
            f.setLength(size);
        }
        try (RawClient c = RawClient.connect(server)) {
            Response.HelloOk hello =
                    assertInstanceOf(Response.HelloOk.class, c.request(new Request.Hello(1), Response.HelloOk.class));
            assertTrue(hello.limits().keepalive(), "the server says it honours keepalive_ms");

            c.send(new Request.Get("big.bin", size - 3, null, Protocol.MIN_KEEPALIVE_MS));
            List<Response.Wait> waits = new java.util.ArrayList<>();
            Response r;
            while ((r = c.read(Response.GetOk.class)) instanceof Response.Wait w) {
                waits.add(w);
            }
            Response.GetOk ok = assertInstanceOf(Response.GetOk.class, r);
            assertEquals(md5OfZeros(size), ok.md5());
            assertArrayEquals(new byte[3], c.readBody(3));

            assertFalse(waits.isEmpty(), "no wait frame while 512 MiB were hashed");
            long last = 0;
            for (Response.Wait w : waits) {
                assertEquals(size, w.total());
                assertTrue(w.done() >= last && w.done() <= size, "progress only grows: " + waits);
                last = w.done();
            }
            // Hashed once: the same file is now answered at once, without waiting.
            c.send(new Request.Get("big.bin", size - 3, null, Protocol.MIN_KEEPALIVE_MS));
            assertInstanceOf(Response.GetOk.class, c.read(Response.GetOk.class));
            assertArrayEquals(new byte[3], c.readBody(3));
        }
    }

    private static Md5 md5OfZeros(long size) {
        java.security.MessageDigest md5 = ft.transfer.Body.newMd5();
        byte[] zeros = new byte[1 << 20];
        for (long done = 0; done < size; done += zeros.length) {
            md5.update(zeros, 0, (int) Math.min(zeros.length, size - done));
        }
        return Md5.of(md5.digest());
    }

    @Test
    void firstRequestOtherThanHelloIsBadRequestThenClosed() throws IOException {
        Files.writeString(root.resolve("f.txt"), "content");
        try (RawClient c = RawClient.connect(server)) {
            c.expectError(new Request.Get("f.txt", 0), ErrorCode.BAD_REQUEST);
            c.assertClosedByServer();
        }
    }

    @Test
    void helloWithUnknownVersionIsUnsupportedVersionThenClosed() throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            Response.Error e = c.expectError(new Request.Hello(2), ErrorCode.UNSUPPORTED_VERSION);
            assertTrue(e.message().contains("1"), "the message should say which version is spoken: " + e.message());
            c.assertClosedByServer();
        }
    }

    @Test
    void secondHelloOnTheSameConnectionIsBadRequestThenClosed() throws IOException {
        try (RawClient c = RawClient.hello(server)) {
            c.expectError(new Request.Hello(1), ErrorCode.BAD_REQUEST);
            c.assertClosedByServer();
        }
    }

    @ParameterizedTest(name = "after hello: {0}")
    @ValueSource(booleans = {false, true})
    void hugeFrameLengthIsHeaderTooLargeThenClosed(boolean afterHello) throws IOException {
        try (RawClient c = afterHello ? RawClient.hello(server) : RawClient.connect(server)) {
            c.sendRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            c.readError(ErrorCode.HEADER_TOO_LARGE);
            c.assertClosedByServer();
        }
    }

    @Test
    void frameOneByteOverTheLimitIsHeaderTooLargeThenClosed() throws IOException {
        int n = Protocol.MAX_FRAME_BYTES + 1;
        try (RawClient c = RawClient.hello(server)) {
            c.sendRaw(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
            c.readError(ErrorCode.HEADER_TOO_LARGE);
            c.assertClosedByServer();
        }
    }

    @Test
    void frameOfExactlyTheLimitIsAccepted() throws IOException {
        String json = "{\"op\":\"hello\",\"version\":1}";
        String padded = json + " ".repeat(Protocol.MAX_FRAME_BYTES - json.length());
        try (RawClient c = RawClient.connect(server)) {
            c.sendJson(padded);
            assertInstanceOf(Response.HelloOk.class, c.read(Response.HelloOk.class));
        }
    }

    @ParameterizedTest(name = "after hello: {0}")
    @ValueSource(booleans = {false, true})
    void zeroLengthFrameIsBadRequestThenClosed(boolean afterHello) throws IOException {
        try (RawClient c = afterHello ? RawClient.hello(server) : RawClient.connect(server)) {
            c.sendRaw(new byte[4]);
            c.readError(ErrorCode.BAD_REQUEST);
            c.assertClosedByServer();
        }
    }

    @ParameterizedTest(name = "after hello: {0}")
    @ValueSource(booleans = {false, true})
    void invalidJsonIsBadRequestThenClosed(boolean afterHello) throws IOException {
        try (RawClient c = afterHello ? RawClient.hello(server) : RawClient.connect(server)) {
            c.sendJson("{\"op\":\"get\", this is not json");
            c.readError(ErrorCode.BAD_REQUEST);
            c.assertClosedByServer();
        }
    }

    @Test
    void unknownRequestFieldIsBadRequestThenClosed() throws IOException {
        Files.writeString(root.resolve("f.txt"), "content");
        try (RawClient c = RawClient.hello(server)) {
            c.sendJson("{\"op\":\"get\",\"path\":\"f.txt\",\"ofset\":3}");
            c.readError(ErrorCode.BAD_REQUEST);
            c.assertClosedByServer();
        }
    }

    // ------------------------------------------------------------------ get

    @Test
    void getSendsHeaderAndExactlyTheFileThenTheConnectionServesAnotherGet() throws IOException {
        byte[] content = randomBytes(700_001, 1);
        byte[] other = "second file".getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(root.resolve("dir/sub"));
        Files.write(root.resolve("dir/sub/file.bin"), content);
        Files.write(root.resolve("other.txt"), other);

        try (RawClient c = RawClient.hello(server)) {
            RawClient.Fetched first = c.get("dir/sub/file.bin");
            assertEquals("file.bin", first.header().name());
            assertEquals(content.length, first.header().size());
            assertEquals(RawClient.md5(content), first.header().md5());
            assertEquals(0, first.header().offset());
            assertArrayEquals(content, first.body());

            RawClient.Fetched second = c.get("other.txt");
            assertEquals("other.txt", second.header().name());
            assertEquals(RawClient.md5(other), second.header().md5());
            assertArrayEquals(other, second.body());

            RawClient.Fetched again = c.get("dir/sub/file.bin");
            assertArrayEquals(content, again.body());
        }
    }

    @Test
    void getOfAnEmptyFileSendsHeaderAndNoBody() throws IOException {
        Files.write(root.resolve("empty"), new byte[0]);
        try (RawClient c = RawClient.hello(server)) {
            RawClient.Fetched f = c.get("empty");
            assertEquals(0, f.header().size());
            assertEquals(RawClient.md5(new byte[0]), f.header().md5());
            assertEquals(0, f.body().length);
            assertEquals(0, c.get("empty").body().length, "the connection must stay in step");
        }
    }

    @Test
    void getFromAnOffsetSendsTheTailOnly() throws IOException {
        byte[] content = randomBytes(100_000, 2);
        Files.write(root.resolve("f.bin"), content);
        try (RawClient c = RawClient.hello(server)) {
            for (long k : new long[] {1, 12_345, 99_999, 100_000}) {
                RawClient.Fetched f = c.get("f.bin", k, null);
                assertEquals(k, f.header().offset());
                assertEquals(content.length, f.header().size());
                assertEquals(RawClient.md5(content), f.header().md5(), "the md5 is always the whole file's");
                assertArrayEquals(Arrays.copyOfRange(content, (int) k, content.length), f.body());
            }
        }
    }

    @Test
    void getWithOffsetPastTheEndIsBadRequestAndTheConnectionStaysUsable() throws IOException {
        byte[] content = "0123456789".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("f.txt"), content);
        try (RawClient c = RawClient.hello(server)) {
            c.expectError(new Request.Get("f.txt", 11), ErrorCode.BAD_REQUEST);
            c.expectError(new Request.Get("f.txt", Long.MAX_VALUE), ErrorCode.BAD_REQUEST);
            assertArrayEquals(content, c.get("f.txt").body());
        }
    }

    @Test
    void getWithMatchingIfMd5ResumesFromTheOffset() throws IOException {
        byte[] content = randomBytes(50_000, 3);
        Files.write(root.resolve("f.bin"), content);
        try (RawClient c = RawClient.hello(server)) {
            RawClient.Fetched f = c.get("f.bin", 20_000, RawClient.md5(content));
            assertEquals(20_000, f.header().offset());
            assertArrayEquals(Arrays.copyOfRange(content, 20_000, content.length), f.body());
        }
    }

    @Test
    void getWithDifferentIfMd5ServesTheWholeFileFromZero() throws IOException {
        byte[] content = randomBytes(50_000, 4);
        Files.write(root.resolve("f.bin"), content);
        Md5 stale = RawClient.md5("an older version".getBytes(StandardCharsets.UTF_8));
        try (RawClient c = RawClient.hello(server)) {
            RawClient.Fetched f = c.get("f.bin", 20_000, stale);
            assertEquals(0, f.header().offset());
            assertEquals(RawClient.md5(content), f.header().md5());
            assertArrayEquals(content, f.body());
            // The condition also overrides an offset that would be past the end of this version.
            RawClient.Fetched g = c.get("f.bin", 10_000_000, stale);
            assertEquals(0, g.header().offset());
            assertArrayEquals(content, g.body());
        }
    }

    @Test
    void aFileRewrittenInPlaceWithItsMtimeSetBackIsServedWithItsNewMd5() throws IOException {
        byte[] one = randomBytes(10_000, 21);
        byte[] two = randomBytes(10_000, 22); // same size, other bytes
        Path file = Files.write(Files.createDirectories(root).resolve("f.bin"), one);
        FileTime mtime = Files.getLastModifiedTime(file);
        try (RawClient c = RawClient.hello(server)) {
            assertEquals(RawClient.md5(one), c.get("f.bin").header().md5()); // now cached

            FileClock.awaitTickAfter((FileTime) Files.getAttribute(file, "unix:ctime"), tmp);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) { // same inode
                ch.write(ByteBuffer.wrap(two));
            }
            Files.setLastModifiedTime(file, mtime); // touch -d: size and mtime as before

            Response.StatOk stat = assertInstanceOf(
                    Response.StatOk.class, c.request(new Request.Stat("f.bin"), Response.StatOk.class));
            assertEquals(RawClient.md5(two), stat.md5(), "stat must not answer the old version's MD5");
            RawClient.Fetched f = c.get("f.bin");
            assertArrayEquals(two, f.body());
            assertEquals(
                    RawClient.md5(f.body()),
                    f.header().md5(),
                    "a client would see CHECKSUM_MISMATCH: the header's MD5 is of another version");
        }
    }

    @Test
    void getRefusalsAreAnsweredAndTheConnectionStaysUsable() throws IOException {
        byte[] content = "still here".getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(root.resolve("dir"));
        Files.write(root.resolve("ok.txt"), content);
        Files.writeString(tmp.resolve("x"), "outside the root");
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        try (RawClient c = RawClient.hello(server)) {
            c.expectError(new Request.Get("dir", 0), ErrorCode.IS_A_DIRECTORY);
            c.expectError(new Request.Get("missing.txt", 0), ErrorCode.NOT_FOUND);
            c.expectError(new Request.Get("ok.txt/child", 0), ErrorCode.NOT_FOUND);
            c.expectError(new Request.Get("../x", 0), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Get(".ft/partials", 0), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Get("loop", 0), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Get("a//b", 0), ErrorCode.BAD_REQUEST);
            // A JSON escape must not smuggle a '/' past the checks.
            c.sendJson("{\"op\":\"get\",\"path\":\"..\\u002fx\",\"offset\":0}");
            c.readError(ErrorCode.ACCESS_DENIED);
            assertArrayEquals(content, c.get("ok.txt").body());
        }
    }

    @Test
    void refusalMessagesDoNotRevealTheServersDirectories() throws IOException {
        Files.createDirectories(root.resolve("dir"));
        Files.createSymbolicLink(root.resolve("out"), Path.of("../elsewhere"));
        List<Request> requests = List.of(
                new Request.Get("dir", 0),
                new Request.Get("missing", 0),
                new Request.Get("out", 0),
                new Request.Get("../x", 0),
                new Request.Put("dir", 1, RawClient.md5(new byte[1])));
        try (RawClient c = RawClient.hello(server)) {
            for (Request r : requests) {
                c.send(r);
                Response.Error e = assertInstanceOf(Response.Error.class, c.read(Response.PutReady.class));
                assertFalse(e.message().contains(tmp.toString()), "leaks the root: " + e.message());
                assertFalse(e.message().contains(server.root().toString()), "leaks the root: " + e.message());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"op\":\"get\",\"path\":\"a\\ud800b\",\"offset\":0}",
                "{\"op\":\"put\",\"path\":\"a\\udc00\",\"size\":0,\"md5\":\"d41d8cd98f00b204e9800998ecf8427e\"}"
            })
    void pathWithALoneSurrogateIsBadRequestNotAnInternalError(String json) throws IOException {
        Files.writeString(root.resolve("ok.txt"), "ok");
        try (RawClient c = RawClient.hello(server)) {
            // Valid UTF-8 JSON whose escape decodes to a string no file system can name. The
            // header decoder or the jail refuses it (the decoder's refusal also ends the
            // connection); either way the answer is BAD_REQUEST, never INTERNAL.
            c.sendJson(json);
            c.readError(ErrorCode.BAD_REQUEST);
        }
        assertFalse(Files.exists(root.resolve("a")));
        try (RawClient c = RawClient.hello(server)) {
            assertArrayEquals(
                    "ok".getBytes(StandardCharsets.UTF_8), c.get("ok.txt").body());
        }
    }

    @Test
    void getOfAFifoIsAccessDeniedWithoutBlocking() throws Exception {
        Path fifo = root.resolve("pipe");
        mkfifo(fifo);
        Files.writeString(root.resolve("ok.txt"), "ok");
        try (RawClient c = RawClient.hello(server)) {
            c.expectError(new Request.Get("pipe", 0), ErrorCode.ACCESS_DENIED);
            Files.createSymbolicLink(root.resolve("pipe-link"), Path.of("pipe"));
            c.expectError(new Request.Get("pipe-link", 0), ErrorCode.ACCESS_DENIED);
            assertArrayEquals(
                    "ok".getBytes(StandardCharsets.UTF_8), c.get("ok.txt").body());
        }
    }

    @Test
    void getOfASparseFileOverFourGibibytesServesTheTailAtItsTrueOffset() throws IOException {
        long size = (4L << 30) + 4096;
        byte[] tail = "0123456789".getBytes(StandardCharsets.US_ASCII);
        Path big = root.resolve("big.sparse");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(size);
            f.seek(size - tail.length);
            f.write(tail);
            f.seek(1L << 32); // a byte exactly at 2^32, where an int offset would wrap to 0
            f.write('!');
        }
        assertEquals(size, Files.size(big));
        try (RawClient c = RawClient.hello(server)) {
            c.readTimeout(300_000); // the server hashes the whole file before its header
            RawClient.Fetched f = c.get("big.sparse", size - 10, null);
            assertEquals(size, f.header().size());
            // md5sum of an identical file (zeros, '!' at 2^32, "0123456789" at the very end)
            assertEquals(new Md5("511893cf8d1f711381c7f8160b060cc7"), f.header().md5());
            assertEquals(size - 10, f.header().offset());
            assertArrayEquals(tail, f.body());

            RawClient.Fetched at32 = c.get("big.sparse", 1L << 32, f.header().md5());
            assertEquals(1L << 32, at32.header().offset());
            assertEquals(4096, at32.body().length);
            assertEquals('!', at32.body()[0]);
            assertEquals(f.header().md5(), at32.header().md5(), "the same version has one digest");
            assertArrayEquals(tail, Arrays.copyOfRange(at32.body(), 4096 - 10, 4096));
        }
    }

    // ------------------------------------------------------------------ put

    @Test
    void putOfANewFileStoresItAndLeavesNoPartial() throws IOException {
        byte[] content = randomBytes(1_000_003, 5);
        try (RawClient c = RawClient.hello(server)) {
            Response r = c.request(
                    new Request.Put("new.bin", content.length, RawClient.md5(content)), Response.PutReady.class);
            assertEquals(0, assertInstanceOf(Response.PutReady.class, r).offset());
            c.sendRaw(content);
            Response done = c.read(Response.PutDone.class);
            assertEquals(
                    RawClient.md5(content),
                    assertInstanceOf(Response.PutDone.class, done).md5());

            assertArrayEquals(content, Files.readAllBytes(root.resolve("new.bin")));
            assertEquals(List.of(), partials(), "a completed upload leaves nothing behind");

            RawClient.Fetched back = c.get("new.bin");
            assertEquals(RawClient.md5(content), back.header().md5());
            assertArrayEquals(content, back.body());
        }
    }

    @Test
    void servedAndUploadedVersionsAreRememberedWithTheirDigests() throws Exception {
        byte[] served = "served".getBytes(StandardCharsets.UTF_8);
        byte[] uploaded = "uploaded".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("served.txt"), served);
        try (RawClient c = RawClient.hello(server)) {
            c.get("served.txt");
            c.put("uploaded.txt", uploaded);
        }
        assertTrue(server.storage().knowsDigest("served.txt"));
        assertTrue(server.storage().knowsDigest("uploaded.txt"), "a verified upload needs no second hashing pass");
        Entry stored = server.storage().stat("uploaded.txt");
        assertEquals(RawClient.md5(uploaded), server.storage().digest("uploaded.txt", stored.version(), null));
    }

    @Test
    void putOfAnEmptyFileStoresAnEmptyFile() throws IOException {
        try (RawClient c = RawClient.hello(server)) {
            c.put("empty.txt", new byte[0]);
        }
        assertTrue(Files.isRegularFile(root.resolve("empty.txt")));
        assertEquals(0, Files.size(root.resolve("empty.txt")));
        assertEquals(List.of(), partials());
    }

    @Test
    void putReplacesAnExistingFile() throws IOException {
        Files.writeString(root.resolve("doc.txt"), "old version, longer than the new one");
        byte[] content = "new".getBytes(StandardCharsets.UTF_8);
        try (RawClient c = RawClient.hello(server)) {
            c.put("doc.txt", content);
            assertArrayEquals(content, c.get("doc.txt").body());
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("doc.txt")));
    }

    @Test
    void putWithWrongMd5IsChecksumMismatchAndKeepsTheOldVersion() throws IOException {
        byte[] old = "the old version".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("doc.txt"), old);
        byte[] content = randomBytes(300_000, 6);
        Md5 wrong = RawClient.md5("something else".getBytes(StandardCharsets.UTF_8));
        try (RawClient c = RawClient.hello(server)) {
            Response r = c.request(new Request.Put("doc.txt", content.length, wrong), Response.PutReady.class);
            assertEquals(0, assertInstanceOf(Response.PutReady.class, r).offset());
            c.sendRaw(content);
            c.readError(ErrorCode.CHECKSUM_MISMATCH);

            assertArrayEquals(old, Files.readAllBytes(root.resolve("doc.txt")));
            assertEquals(List.of(), partials(), "a failed upload is discarded, not kept for resume");

            // The stream is still in step: the same connection serves the old version.
            RawClient.Fetched f = c.get("doc.txt");
            assertArrayEquals(old, f.body());
            assertEquals(RawClient.md5(old), f.header().md5());
            // And a correct retry on the same connection starts from zero and succeeds.
            assertPutStartsFromZeroAndCompletes(c, "doc.txt", content, "starts from zero");
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("doc.txt")));
    }

    @Test
    void interruptedPutKeepsItsBytesAndResumesExactlyWhereItStopped() throws IOException {
        byte[] content = randomBytes(600_000, 7);
        int sent = 250_000;
        Md5 md5 = RawClient.md5(content);
        try (RawClient c = RawClient.hello(server)) {
            Response r = c.request(new Request.Put("dir/up.bin", content.length, md5), Response.PutReady.class);
            assertEquals(0, assertInstanceOf(Response.PutReady.class, r).offset());
            c.sendRaw(content, 0, sent);
            // Half-close: the server sees the end of the body, and we see it hang up once it
            // has finished with the upload (its lock released, its partial written).
            c.shutdownOutput();
            c.assertClosedByServer();
        }
        assertFalse(
                Files.exists(root.resolve("dir/up.bin"), LinkOption.NOFOLLOW_LINKS),
                "an unfinished upload must never appear under its final name");
        assertEquals(
                1,
                partials().stream().filter(p -> p.toString().endsWith(".part")).count());
        assertEquals(sent, Files.size(onlyPart()));

        try (RawClient c = RawClient.hello(server)) {
            Response r = c.request(new Request.Put("dir/up.bin", content.length, md5), Response.PutReady.class);
            assertEquals(sent, assertInstanceOf(Response.PutReady.class, r).offset());
            c.sendRaw(content, sent, content.length - sent);
            Response done = c.read(Response.PutDone.class);
            assertEquals(md5, assertInstanceOf(Response.PutDone.class, done).md5());
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("dir/up.bin")));
        assertEquals(List.of(), partials());
    }

    @Test
    void putDroppedByAClosedSocketLeavesTheOldVersionAndResumes() throws IOException {
        byte[] old = "old version".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("up.bin"), old);
        byte[] content = randomBytes(400_000, 8);
        int sent = 123_457;
        Md5 md5 = RawClient.md5(content);
        try (RawClient c = RawClient.hello(server)) {
            Response r = c.request(new Request.Put("up.bin", content.length, md5), Response.PutReady.class);
            assertEquals(0, assertInstanceOf(Response.PutReady.class, r).offset());
            c.sendRaw(content, 0, sent);
        } // abrupt close, no goodbye

        await("the server storing the " + sent + " bytes sent")
                .atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(2))
                .until(() -> partSize() == sent);
        assertArrayEquals(old, Files.readAllBytes(root.resolve("up.bin")), "the old version must be untouched");

        try (RawClient c = RawClient.hello(server)) {
            // The server may still be tearing the old connection down (upload lock held): a
            // BUSY answer is retried until the deadline, anything else is checked.
            Response.PutReady ready = putReadyRetryingBusy(c, new Request.Put("up.bin", content.length, md5));
            assertEquals(sent, ready.offset());
            c.sendRaw(content, sent, content.length - sent);
            assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class));
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("up.bin")));
        assertEquals(List.of(), partials());
    }

    /** A put of {@code content} on {@code c} is ready at offset 0, takes the whole body and is done. */
    private static void assertPutStartsFromZeroAndCompletes(RawClient c, String path, byte[] content, String why)
            throws IOException {
        Response r = c.request(new Request.Put(path, content.length, RawClient.md5(content)), Response.PutReady.class);
        assertEquals(0, assertInstanceOf(Response.PutReady.class, r).offset(), why);
        c.sendRaw(content);
        assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class));
    }

    /** Starts a put of {@code content} to {@code path}, sends its first {@code sent} bytes and hangs up. */
    private void interruptPut(String path, byte[] content, int sent) throws IOException {
        try (RawClient c = RawClient.hello(server)) {
            c.putAndHangUp(path, content, sent);
        }
    }

    @Test
    void putWithADifferentMd5AfterAnInterruptedOneStartsOver() throws IOException {
        byte[] first = randomBytes(200_000, 9);
        byte[] second = randomBytes(200_000, 10);
        interruptPut("f.bin", first, 100_000);
        assertEquals(100_000, partSize());

        try (RawClient c = RawClient.hello(server)) {
            assertPutStartsFromZeroAndCompletes(c, "f.bin", second, "bytes of another file must not be resumed");
        }
        assertArrayEquals(second, Files.readAllBytes(root.resolve("f.bin")));
        assertEquals(List.of(), partials());
    }

    @Test
    void putWithADifferentSizeAfterAnInterruptedOneStartsOver() throws IOException {
        byte[] content = randomBytes(200_000, 11);
        interruptPut("f.bin", content, 50_000);
        byte[] shorter = Arrays.copyOf(content, 150_000);
        try (RawClient c = RawClient.hello(server)) {
            assertPutStartsFromZeroAndCompletes(c, "f.bin", shorter, "starts from zero");
        }
        assertArrayEquals(shorter, Files.readAllBytes(root.resolve("f.bin")));
    }

    @Test
    void aSmallPutWritesNoMetaWhileItsBodyArrivesAndRecordsOneWhenCutShort() throws IOException {
        byte[] content = randomBytes((int) LocalStorage.META_FIRST_BYTES - 1, 14);
        int sent = 300_000;
        Md5 md5 = RawClient.md5(content);
        try (RawClient c = RawClient.hello(server)) {
            c.request(new Request.Put("small.bin", content.length, md5), Response.PutReady.class);
            c.sendRaw(content, 0, sent);
            await("the server storing the " + sent + " bytes sent")
                    .atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> partSize() == sent);
            assertEquals(List.of(), metas(), "a small body in flight needs no meta file");
            c.shutdownOutput();
            c.assertClosedByServer();
        }
        assertEquals(1, metas().size(), "an interrupted small upload records what it is, to be resumed");
        try (RawClient c = RawClient.hello(server)) {
            Response r = c.request(new Request.Put("small.bin", content.length, md5), Response.PutReady.class);
            assertEquals(sent, assertInstanceOf(Response.PutReady.class, r).offset());
            c.sendRaw(content, sent, content.length - sent);
            assertEquals(
                    md5,
                    assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class))
                            .md5());
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("small.bin")));
        assertEquals(List.of(), partials());
    }

    @Test
    void aLargePutRecordsItsMetaBeforeTheBodySoACrashedServerCanResumeIt() throws IOException {
        byte[] content = randomBytes((int) LocalStorage.META_FIRST_BYTES, 15);
        int sent = 300_000;
        try (RawClient c = RawClient.hello(server)) {
            c.request(new Request.Put("large.bin", content.length, RawClient.md5(content)), Response.PutReady.class);
            c.sendRaw(content, 0, sent);
            await("the server storing the " + sent + " bytes sent")
                    .atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> partSize() == sent);
            assertEquals(1, metas().size(), "a large body in flight is resumable even if the server dies now");
            c.sendRaw(content, sent, content.length - sent);
            assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class));
        }
        assertEquals(List.of(), partials());
    }

    @Test
    void aPartWithoutMetaIsNotResumedButStartedOver() throws IOException {
        byte[] content = randomBytes(200_000, 16);
        Md5 md5 = RawClient.md5(content);
        try (RawClient c = RawClient.hello(server)) {
            c.request(new Request.Put("f.bin", content.length, md5), Response.PutReady.class);
            c.sendRaw(content, 0, 100_000);
            c.shutdownOutput();
            c.assertClosedByServer();
        }
        // As a server killed mid-body leaves a small upload: its bytes, but nothing saying whose.
        for (Path meta : metas()) {
            Files.delete(root.resolve(".ft/partials").resolve(meta));
        }
        try (RawClient c = RawClient.hello(server)) {
            Response r = c.request(new Request.Put("f.bin", content.length, md5), Response.PutReady.class);
            assertEquals(0, assertInstanceOf(Response.PutReady.class, r).offset());
            c.sendRaw(content);
            assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class));
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("f.bin")));
        assertEquals(List.of(), partials());
    }

    // ------------------------------------------------------------------ eager put

    @Test
    void helloStatesThatTheServerTakesEagerPuts() throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            Response r = c.request(new Request.Hello(1), Response.HelloOk.class);
            assertTrue(assertInstanceOf(Response.HelloOk.class, r).limits().eagerPut());
        }
    }

    @Test
    void eagerPutStoresTheFileInOneExchangeAndLeavesNothingBehind() throws IOException {
        byte[] content = randomBytes(Protocol.MAX_EAGER_PUT_BYTES, 17);
        Md5 md5 = RawClient.md5(content);
        Files.createDirectories(root.resolve("d"));
        Files.write(root.resolve("d/e.bin"), "old".getBytes(StandardCharsets.UTF_8));
        try (RawClient c = RawClient.hello(server)) {
            c.send(new Request.Put("d/e.bin", content.length, md5, true));
            c.sendRaw(content);
            // No offset answer in between: the verdict is the first frame.
            assertEquals(
                    md5,
                    assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class))
                            .md5());
            c.put("next.bin", "after".getBytes(StandardCharsets.UTF_8));
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("d/e.bin")));
        assertEquals(List.of(), partials());
    }

    @Test
    void eagerPutRefusalsComeAfterTheBodyIsTakenSoTheConnectionStaysInStep() throws IOException {
        byte[] content = "eager body".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("keep.txt"), "old".getBytes(StandardCharsets.UTF_8));
        try (RawClient c = RawClient.hello(server)) {
            c.send(new Request.Put("keep.txt", content.length, RawClient.md5(new byte[3]), true));
            c.sendRaw(content);
            c.readError(ErrorCode.CHECKSUM_MISMATCH);
            c.send(new Request.Put(".ft/x", content.length, RawClient.md5(content), true));
            c.sendRaw(content);
            c.readError(ErrorCode.ACCESS_DENIED);
            Files.createDirectories(root.resolve("dir"));
            c.send(new Request.Put("dir", content.length, RawClient.md5(content), true));
            c.sendRaw(content);
            c.readError(ErrorCode.IS_A_DIRECTORY);
            c.put("after.txt", content);
        }
        assertArrayEquals("old".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(root.resolve("keep.txt")));
        assertEquals(List.of(), partials());
    }

    @Test
    void eagerPutOverItsLimitIsBadRequestAndClosed() throws IOException {
        try (RawClient c = RawClient.hello(server)) {
            c.sendJson("{\"op\":\"put\",\"path\":\"big.bin\",\"size\":" + (Protocol.MAX_EAGER_PUT_BYTES + 1)
                    + ",\"md5\":\"5d41402abc4b2a76b9719d911017c592\",\"eager\":true}");
            c.readError(ErrorCode.BAD_REQUEST);
            c.assertClosedByServer();
        }
        assertFalse(Files.exists(root.resolve("big.bin")));
    }

    @Test
    void eagerPutCutShortStoresNothing() throws IOException {
        byte[] content = randomBytes(40_000, 18);
        try (RawClient c = RawClient.hello(server)) {
            c.send(new Request.Put("cut.bin", content.length, RawClient.md5(content), true));
            c.sendRaw(content, 0, 10_000);
            c.shutdownOutput();
            c.assertClosedByServer();
        }
        assertFalse(Files.exists(root.resolve("cut.bin")));
        assertEquals(List.of(), partials());
    }

    @Test
    void concurrentPutOfTheSamePathIsBusyWhileTheFirstIsMidBody() throws IOException {
        byte[] content = randomBytes(500_000, 12);
        Md5 md5 = RawClient.md5(content);
        try (RawClient first = RawClient.hello(server);
                RawClient second = RawClient.hello(server)) {
            Response r = first.request(new Request.Put("same.bin", content.length, md5), Response.PutReady.class);
            assertEquals(0, assertInstanceOf(Response.PutReady.class, r).offset());
            first.sendRaw(content, 0, 200_000);

            second.expectError(new Request.Put("same.bin", content.length, md5), ErrorCode.BUSY);
            // Another path is not blocked by it, and the refused connection stays usable.
            second.put("other.bin", "other".getBytes(StandardCharsets.UTF_8));
            assertFalse(Files.exists(root.resolve("same.bin")));

            first.sendRaw(content, 200_000, content.length - 200_000);
            Response done = first.read(Response.PutDone.class);
            assertEquals(md5, assertInstanceOf(Response.PutDone.class, done).md5());
            assertArrayEquals(content, Files.readAllBytes(root.resolve("same.bin")));

            // Once the first is done the path is free again.
            byte[] next = "replacement".getBytes(StandardCharsets.UTF_8);
            second.put("same.bin", next);
            assertArrayEquals(next, Files.readAllBytes(root.resolve("same.bin")));
        }
        assertEquals(List.of(), partials());
    }

    @Test
    void aPutAnsweredDoneHasLeftItsPathFreeForTheNextOne() throws IOException {
        try (RawClient a = RawClient.hello(server);
                RawClient b = RawClient.hello(server)) {
            for (int i = 0; i < 200; i++) {
                byte[] content = ("version " + i).getBytes(StandardCharsets.UTF_8);
                RawClient next = i % 2 == 0 ? a : b;
                // Each put starts the moment the previous one was confirmed, on another connection.
                assertEquals(
                        RawClient.md5(content),
                        i % 4 < 2
                                ? next.put("hot.bin", content).md5()
                                : next.putEager("hot.bin", content, null).md5(),
                        "put " + i);
            }
        }
    }

    @Test
    void resumedPutOfTheSameFileTakesOverAnUploadWhoseSenderWentSilent() throws IOException {
        byte[] content = randomBytes(500_000, 13);
        Md5 md5 = RawClient.md5(content);
        int sent = 200_000;
        try (RawClient dead = RawClient.hello(server);
                RawClient rerun = RawClient.hello(server)) {
            dead.request(new Request.Put("same.bin", content.length, md5), Response.PutReady.class);
            dead.sendRaw(content, 0, sent);
            await("the server storing the " + sent + " bytes sent")
                    .atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> partSize() == sent);
            // The first link now carries nothing, without a reset: a dead link. A different file
            // is still refused; the same file is BUSY until the holder counts as stalled, then
            // takes over and resumes from what the holder stored.
            rerun.expectError(new Request.Put("same.bin", 10, RawClient.md5(new byte[10])), ErrorCode.BUSY);
            long asked = System.nanoTime();
            Response.PutReady ready = putReadyRetryingBusy(rerun, new Request.Put("same.bin", content.length, md5));
            assertTrue(System.nanoTime() - asked <= DEADLINE.toNanos());
            assertEquals(sent, ready.offset());
            rerun.sendRaw(content, sent, content.length - sent);
            assertEquals(
                    md5,
                    assertInstanceOf(Response.PutDone.class, rerun.read(Response.PutDone.class))
                            .md5());
            dead.assertClosedByServer();
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("same.bin")));
        assertEquals(List.of(), partials());
    }

    @Test
    void concurrentPutThroughASymlinkedAliasIsBusyToo() throws IOException {
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("alias"), Path.of("real"));
        byte[] content = randomBytes(100_000, 13);
        Md5 md5 = RawClient.md5(content);
        try (RawClient first = RawClient.hello(server);
                RawClient second = RawClient.hello(server)) {
            first.request(new Request.Put("real/f.bin", content.length, md5), Response.PutReady.class);
            first.sendRaw(content, 0, 10);
            second.expectError(new Request.Put("alias/f.bin", content.length, md5), ErrorCode.BUSY);
            first.sendRaw(content, 10, content.length - 10);
            assertInstanceOf(Response.PutDone.class, first.read(Response.PutDone.class));
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("real/f.bin")));
    }

    @Test
    void putRefusalsAreAnsweredBeforeAnyBodyAndTheConnectionStaysUsable() throws IOException {
        Files.createDirectories(root.resolve("existing-dir"));
        Md5 md5 = RawClient.md5(new byte[] {1});
        try (RawClient c = RawClient.hello(server)) {
            c.expectError(new Request.Put(".ft/x", 1, md5), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Put(".ft/partials/x.part", 1, md5), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Put("existing-dir", 1, md5), ErrorCode.IS_A_DIRECTORY);
            c.expectError(new Request.Put("../escape.txt", 1, md5), ErrorCode.ACCESS_DENIED);
            c.put("fine.txt", new byte[] {1});
        }
        assertFalse(Files.exists(root.resolve(".ft/x")));
        assertFalse(Files.exists(tmp.resolve("escape.txt")));
        assertTrue(Files.isDirectory(root.resolve("existing-dir")));
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(root.resolve("fine.txt")));
    }

    @Test
    void putCreatesNestedDirectories() throws IOException {
        byte[] content = "deep".getBytes(StandardCharsets.UTF_8);
        try (RawClient c = RawClient.hello(server)) {
            c.put("a/b/c.txt", content);
            RawClient.Fetched f = c.get("a/b/c.txt");
            assertEquals("c.txt", f.header().name());
            assertArrayEquals(content, f.body());
        }
        assertTrue(Files.isDirectory(root.resolve("a/b"), LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(content, Files.readAllBytes(root.resolve("a/b/c.txt")));
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void idleConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        try (FtServer quick =
                        FtServer.start(FtServer.Options.of(tmp.resolve("quick"), new InetSocketAddress("127.0.0.1", 0))
                                .withLimits(ServerLimits.DEFAULTS.withIdleTimeout(Duration.ofMillis(300))));
                RawClient c = RawClient.hello(quick)) {
            long start = System.nanoTime();
            c.assertClosedByServer();
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited < 5_000, "closed only after " + waited + " ms");
        }
    }

    @Test
    void uploadThatGoesIdleMidBodyIsClosedAndKeptForResume() throws IOException {
        byte[] content = randomBytes(100_000, 14);
        Md5 md5 = RawClient.md5(content);
        Path quickRoot = tmp.resolve("quick");
        try (FtServer quick = FtServer.start(FtServer.Options.of(quickRoot, new InetSocketAddress("127.0.0.1", 0))
                .withLimits(ServerLimits.DEFAULTS.withIdleTimeout(Duration.ofMillis(300))))) {
            try (RawClient c = RawClient.hello(quick)) {
                c.request(new Request.Put("f.bin", content.length, md5), Response.PutReady.class);
                c.sendRaw(content, 0, 40_000);
                c.assertClosedByServer();
            }
            assertFalse(Files.exists(quickRoot.resolve("f.bin")));
            try (RawClient c = RawClient.hello(quick)) {
                Response r = c.request(new Request.Put("f.bin", content.length, md5), Response.PutReady.class);
                assertEquals(
                        40_000, assertInstanceOf(Response.PutReady.class, r).offset());
                c.sendRaw(content, 40_000, content.length - 40_000);
                assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class));
            }
            assertArrayEquals(content, Files.readAllBytes(quickRoot.resolve("f.bin")));
        }
    }

    @Test
    void closingTheServerDropsOpenConnections() throws IOException {
        try (RawClient c = RawClient.hello(server)) {
            server.close();
            server = null;
            c.assertClosedByServer();
        }
    }

    @Test
    void aNewServerBindsTheSamePortRightAfterClose() throws IOException {
        FtServer first = FtServer.start(tmp.resolve("r1"), new InetSocketAddress("127.0.0.1", 0));
        int port = first.address().getPort();
        try (RawClient c = RawClient.hello(first)) {
            // The server closes the connection first, which leaves the port in TIME_WAIT on its side.
            first.close();
            c.assertClosedByServer();
        } finally {
            first.close();
        }
        try (FtServer second = FtServer.start(tmp.resolve("r2"), new InetSocketAddress("127.0.0.1", port))) {
            assertEquals(port, second.address().getPort());
            try (RawClient c = RawClient.hello(second)) {
                c.put("proof.txt", "served".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("served", Files.readString(tmp.resolve("r2/proof.txt")));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Response.PutReady putReadyRetryingBusy(RawClient c, Request.Put put) throws IOException {
        AtomicReference<Response> answer = new AtomicReference<>();
        await("a put not refused BUSY")
                .atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(5))
                .pollInSameThread()
                .until(() -> {
                    answer.set(c.request(put, Response.PutReady.class));
                    return !(answer.get() instanceof Response.Error e && e.code() == ErrorCode.BUSY);
                });
        Response r = answer.get();
        return assertInstanceOf(Response.PutReady.class, r, () -> "put refused: " + r);
    }

    private List<Path> partials() throws IOException {
        Path dir = root.resolve(".ft/partials");
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(dir::relativize).sorted().toList();
        }
    }

    private List<Path> metas() throws IOException {
        return partials().stream().filter(p -> p.toString().endsWith(".meta")).toList();
    }

    private Path onlyPart() throws IOException {
        Path dir = root.resolve(".ft/partials");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> parts =
                    s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
            assertEquals(1, parts.size(), () -> "expected one partial, found " + parts);
            return parts.getFirst();
        }
    }

    /** Size of the only partial, or -1 while there is not exactly one. */
    private long partSize() {
        Path dir = root.resolve(".ft/partials");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> parts =
                    s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
            return parts.size() == 1 ? Files.size(parts.getFirst()) : -1;
        } catch (IOException e) {
            return -1; // a partial vanishing between list and size: look again
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void mkfifo(Path path) throws InterruptedException {
        int exit;
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString())
                    .redirectErrorStream(true)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                exit = -1;
            } else {
                exit = p.exitValue();
            }
        } catch (IOException e) {
            exit = -1;
        }
        Assumptions.assumeTrue(exit == 0 && Files.exists(path, LinkOption.NOFOLLOW_LINKS), "mkfifo is not available");
    }
}
