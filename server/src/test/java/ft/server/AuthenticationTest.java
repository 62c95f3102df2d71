package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ft.protocol.ErrorCode;
import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.Md5;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** A server started with a users file, spoken to over real sockets on the loopback network. */
class AuthenticationTest {
    @TempDir
    Path tmp;

    private Path root;
    private Path usersFile;
    private String aliceToken;
    private String readerToken;
    private FtServer server;

    @BeforeEach
    void startServer() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("alice"));
        Files.writeString(root.resolve("alice/mine.txt"), "alice's file");
        Files.writeString(root.resolve("top.txt"), "only for users of the whole root");
        Files.writeString(root.resolve("shared.txt"), "read me");
        usersFile = tmp.resolve("users.jsonl");
        Users.Added alice = Users.empty().add("alice", false, "alice", false);
        Users.Added reader = alice.users().add("reader", true, null, false);
        reader.users().save(usersFile);
        aliceToken = alice.token();
        readerToken = reader.token();
        server = FtServer.start(
                FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0)).withUsersFile(usersFile));
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private RawClient login(String token) throws IOException {
        RawClient c = RawClient.connect(server);
        try {
            Response r = c.request(new Request.Hello(1, token), Response.HelloOk.class);
            assertInstanceOf(Response.HelloOk.class, r, () -> "hello refused: " + r);
            return c;
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private static void assertBody(RawClient c, String path, String expected) throws IOException {
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), c.get(path).body(), path);
    }

    private static Response.HelloOk helloOk(RawClient c, String token) throws IOException {
        return assertInstanceOf(Response.HelloOk.class, c.request(new Request.Hello(1, token), Response.HelloOk.class));
    }

    // ------------------------------------------------------------------ success

    @Test
    void correctTokenIsAcceptedAndServesOnlyTheUsersRoot() throws IOException {
        try (RawClient c = login(aliceToken)) {
            assertBody(c, "mine.txt", "alice's file");
            // top.txt is in the served root but outside alice's root: not there for her.
            c.expectError(new Request.Get("top.txt", 0), ErrorCode.NOT_FOUND);
            c.expectError(new Request.Get("../top.txt", 0), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Stat("../top.txt"), ErrorCode.ACCESS_DENIED);
            c.put("new.txt", "uploaded".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("uploaded", Files.readString(root.resolve("alice/new.txt")));
        assertFalse(Files.exists(root.resolve("new.txt")));
    }

    @Test
    void helloAnswerStatesTheUsersReadOnlyFlag() throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            Response.HelloOk ok = helloOk(c, readerToken);
            assertTrue(ok.limits().readOnly());
            assertTrue(ok.limits().freeSpace() > 0);
        }
        try (RawClient c = RawClient.connect(server)) {
            Response.HelloOk ok = helloOk(c, aliceToken);
            assertFalse(ok.limits().readOnly());
        }
    }

    @Test
    void userWithoutRootSeesTheWholeServedRoot() throws IOException {
        try (RawClient c = login(readerToken)) {
            assertBody(c, "shared.txt", "read me");
            assertBody(c, "alice/mine.txt", "alice's file");
        }
    }

    @Test
    void relativeRootIsCreatedInsideTheServedRootOnFirstLogin() throws IOException {
        Users.Added bob = Users.load(usersFile).add("bob", false, "homes/bob", false);
        bob.users().save(usersFile);
        try (RawClient c = login(bob.token())) {
            c.put("b.txt", "bob".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("bob", Files.readString(root.resolve("homes/bob/b.txt")));
    }

    @Test
    void absoluteRootMayLieOutsideTheServedRoot() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("far.txt"), "far away");
        Users.Added carol = Users.load(usersFile).add("carol", false, elsewhere.toString(), false);
        carol.users().save(usersFile);
        try (RawClient c = login(carol.token())) {
            assertBody(c, "far.txt", "far away");
            c.expectError(new Request.Get("shared.txt", 0), ErrorCode.NOT_FOUND);
        }
    }

    @Test
    void relativeRootThatIsASymlinkOutOfTheServedRootIsNotServed() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "not for clients");
        try {
            Files.createSymbolicLink(root.resolve("escape"), outside);
        } catch (UnsupportedOperationException | IOException e) {
            Assumptions.abort("symlinks not available: " + e);
        }
        Users.Added mallory = Users.load(usersFile).add("mallory", false, "escape", false);
        mallory.users().save(usersFile);
        try (RawClient c = RawClient.connect(server)) {
            c.send(new Request.Hello(1, mallory.token()));
            c.readError(ErrorCode.INTERNAL);
            c.assertClosedByServer();
        }
    }

    // ------------------------------------------------------------------ refusals

    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of("wrong secret", "alice.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                Arguments.of("unknown user", "nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                Arguments.of("missing token", null),
                Arguments.of("empty token", ""),
                Arguments.of("only a name and a dot", "alice."),
                Arguments.of("no dot", "aliceAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                Arguments.of("a name that is not valid", "al ice.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                Arguments.of("very long token", "alice." + "A".repeat(250)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void badTokenIsUnauthorizedThenClosed(String what, String token) throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            Response.Error e = c.expectError(new Request.Hello(1, token), ErrorCode.UNAUTHORIZED);
            if (token != null && !token.isEmpty()) {
                assertFalse(e.message().contains(token), "the answer must not echo the token");
            }
            c.assertClosedByServer();
        }
    }

    @Test
    void tokenOverTheLengthLimitIsRefusedAsAMalformedHeader() throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            c.expectError(new Request.Hello(1, "alice." + "A".repeat(300)), ErrorCode.BAD_REQUEST);
            c.assertClosedByServer();
        }
    }

    @Test
    void aTokenOfAnotherUserWithTheRightNameIsRefused() throws IOException {
        String readerSecret = readerToken.substring(readerToken.indexOf('.') + 1);
        try (RawClient c = RawClient.connect(server)) {
            c.expectError(new Request.Hello(1, "alice." + readerSecret), ErrorCode.UNAUTHORIZED);
            c.assertClosedByServer();
        }
    }

    static Stream<Request> opsBeforeHello() {
        return Stream.of(
                new Request.Get("alice/mine.txt", 0),
                new Request.Put("x.txt", 1, RawClient.md5(new byte[1])),
                new Request.List("", null, 10),
                new Request.Stat("top.txt"),
                new Request.MakeDirectory("d", false),
                new Request.Remove("top.txt", false),
                new Request.Move("top.txt", "moved.txt"),
                new Request.Find("", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("opsBeforeHello")
    void everyOpBeforeHelloIsRefusedThenClosed(Request request) throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            c.expectError(request, ErrorCode.BAD_REQUEST);
            c.assertClosedByServer();
        }
        assertTrue(Files.exists(root.resolve("top.txt")));
        assertFalse(Files.exists(root.resolve("d")));
    }

    @Test
    void requestSentRightAfterARefusedHelloIsNeverServed() throws IOException {
        try (RawClient c = RawClient.connect(server)) {
            // Pipelined: the get is already on its way when the hello is refused.
            c.send(new Request.Hello(1, "alice.wrong"));
            c.send(new Request.Remove("top.txt", false));
            c.readError(ErrorCode.UNAUTHORIZED);
            c.assertClosedByServer();
        }
        assertTrue(Files.exists(root.resolve("top.txt")));
    }

    @Test
    void readOnlyUserMayReadButNotChangeAnything() throws IOException {
        try (RawClient c = login(readerToken)) {
            assertBody(c, "shared.txt", "read me");
            Response.Error put =
                    c.expectError(new Request.Put("new.txt", 1, RawClient.md5(new byte[1])), ErrorCode.ACCESS_DENIED);
            assertTrue(put.message().contains("read-only"), put.message());
            c.expectError(new Request.MakeDirectory("d", false), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Remove("shared.txt", false), ErrorCode.ACCESS_DENIED);
            c.expectError(new Request.Move("shared.txt", "moved.txt"), ErrorCode.ACCESS_DENIED);
            // An eager put's body is already on its way: it is taken, then refused, in step.
            byte[] eager = "eager".getBytes(StandardCharsets.UTF_8);
            c.send(new Request.Put("eager.txt", eager.length, RawClient.md5(eager), true));
            c.sendRaw(eager);
            c.readError(ErrorCode.ACCESS_DENIED);
            // Still usable after the refusals.
            assertInstanceOf(Response.StatOk.class, c.request(new Request.Stat("shared.txt"), Response.StatOk.class));
        }
        assertTrue(Files.exists(root.resolve("shared.txt")));
        assertFalse(Files.exists(root.resolve("new.txt")));
        assertFalse(Files.exists(root.resolve("eager.txt")));
        assertFalse(Files.exists(root.resolve("d")));
        assertFalse(Files.exists(root.resolve("moved.txt")));
    }

    @Test
    void readOnlyServerKeepsEvenReadWriteUsersFromChangingFiles() throws IOException {
        server.close();
        server = FtServer.start(FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0))
                .withReadOnly(true)
                .withUsersFile(usersFile));
        try (RawClient c = RawClient.connect(server)) {
            Response.HelloOk ok = helloOk(c, aliceToken);
            assertTrue(ok.limits().readOnly());
            c.expectError(new Request.MakeDirectory("d", false), ErrorCode.ACCESS_DENIED);
        }
    }

    // ------------------------------------------------------------------ the users file changing

    @Test
    void userAddedWhileTheServerRunsCanLogInAndARemovedOneCannot() throws IOException {
        Users.Added dave = Users.load(usersFile).add("dave", true, null, false);
        dave.users().save(usersFile);
        login(dave.token()).close();

        Users.load(usersFile).remove("alice").save(usersFile);
        try (RawClient c = RawClient.connect(server)) {
            c.expectError(new Request.Hello(1, aliceToken), ErrorCode.UNAUTHORIZED);
        }
    }

    @Test
    void aUserRemovedWhileLoggedInIsRefusedAtTheNextRequestAndDisconnected() throws IOException {
        try (RawClient c = login(aliceToken)) {
            assertBody(c, "mine.txt", "alice's file");
            Users.load(usersFile).remove("alice").save(usersFile);
            await("the server read the changed users file")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> server.auth().users().find("alice") == null);
            Response.Error e = c.expectError(new Request.Get("mine.txt", 0), ErrorCode.ACCESS_DENIED);
            assertEquals("user alice was removed", e.message());
            c.assertClosedByServer();
        }
    }

    @Test
    void aUserWhoseTokenOrRightsChangedWhileLoggedInIsDisconnectedAtTheNextRequest() throws IOException {
        try (RawClient oldToken = login(aliceToken);
                RawClient wasWriter = login(aliceToken)) {
            // alice gets a new token (the old one must stop working everywhere) and is made read-only.
            Users.Added replaced = Users.load(usersFile).add("alice", true, "alice", true);
            replaced.users().save(usersFile);
            await("the server read the changed users file")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> server.auth().users().find("alice").readOnly());
            byte[] one = new byte[1];
            Response.Error e = oldToken.expectError(new Request.Stat("mine.txt"), ErrorCode.ACCESS_DENIED);
            assertTrue(e.message().contains("user alice was changed"), e.message());
            oldToken.assertClosedByServer();
            wasWriter.expectError(new Request.Put("new.txt", 1, RawClient.md5(one)), ErrorCode.ACCESS_DENIED);
            wasWriter.assertClosedByServer();
            try (RawClient fresh = login(replaced.token())) {
                assertBody(fresh, "mine.txt", "alice's file");
            }
        }
        assertFalse(Files.exists(root.resolve("alice/new.txt")));
    }

    @Test
    void brokenUsersFileKeepsThePreviousUsers() throws IOException {
        Files.writeString(usersFile, "{not json\n");
        login(aliceToken).close();
    }

    @Test
    void usersFileInsideTheServedRootIsRefusedAtStart() throws IOException {
        // Another root than the running server's: one directory is served by one server at a time.
        Path otherRoot = Files.createDirectories(tmp.resolve("other-root"));
        Path inside = otherRoot.resolve("users.jsonl");
        Files.copy(usersFile, inside);
        assertThrows(
                IllegalArgumentException.class,
                () -> FtServer.start(FtServer.Options.of(otherRoot, new InetSocketAddress("127.0.0.1", 0))
                        .withUsersFile(inside)));
    }

    @Test
    void missingUsersFileIsRefusedAtStart() {
        assertThrows(
                IOException.class,
                () -> FtServer.start(FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0))
                        .withUsersFile(tmp.resolve("no-such-users.jsonl"))));
    }

    // ------------------------------------------------------------------ slowing down guesses

    @Test
    void failedLoginsSlowDownTheirAddressButNotOthers() throws Exception {
        Assumptions.assumeTrue(canBind("127.0.0.2"), "127.0.0.2 is not a local address here");
        // Warm up the key derivation so the first timed hello is not slowed by the JIT.
        login(aliceToken).close();
        Duration first = timeFailedHello("127.0.0.1");
        timeFailedHello("127.0.0.1");
        timeFailedHello("127.0.0.1");
        Duration fourth = timeFailedHello("127.0.0.1");
        Duration other = timeFailedHello("127.0.0.2");

        assertTrue(
                fourth.compareTo(first.plusMillis(200)) >= 0,
                "after 3 failures the 4th must wait longer: first " + first + ", fourth " + fourth);
        assertTrue(
                other.plusMillis(500).compareTo(fourth) < 0,
                "another address must not wait: other " + other + ", fourth from 127.0.0.1 " + fourth);
    }

    @Test
    void aSlowedAddressDoesNotHoldUpLoginsFromOthers() throws Exception {
        Assumptions.assumeTrue(canBind("127.0.0.2"), "127.0.0.2 is not a local address here");
        for (int i = 0; i < 4; i++) {
            timeFailedHello("127.0.0.1"); // the next one from here waits 2 s
        }
        CompletableFuture<Duration> slowed = CompletableFuture.supplyAsync(() -> {
            try {
                return timeFailedHello("127.0.0.1");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long start = System.nanoTime();
        try (Socket s = socketFrom("127.0.0.2")) {
            Response r = exchange(s, new Request.Hello(1, aliceToken));
            assertInstanceOf(Response.HelloOk.class, r, () -> "hello from 127.0.0.2 refused: " + r);
        }
        Duration fast = Duration.ofNanos(System.nanoTime() - start);
        assertFalse(slowed.isDone(), "the login from 127.0.0.2 (" + fast + ") should finish while 127.0.0.1 waits");
        assertTrue(slowed.get(30, TimeUnit.SECONDS).compareTo(Duration.ofMillis(1500)) >= 0);
    }

    private Duration timeFailedHello(String from) throws IOException {
        try (Socket s = socketFrom(from)) {
            long start = System.nanoTime();
            Response r = exchange(s, new Request.Hello(1, "alice.not-the-secret"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            Response.Error e = assertInstanceOf(Response.Error.class, r);
            assertEquals(ErrorCode.UNAUTHORIZED, e.code());
            return took;
        }
    }

    private Socket socketFrom(String address) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(address, 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 10_000);
            s.setSoTimeout(30_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static Response exchange(Socket s, Request request) throws IOException {
        OutputStream out = new BufferedOutputStream(s.getOutputStream());
        new FrameWriter(out).writeFrame(RawClient.CODEC.encode(request));
        out.flush();
        try {
            byte[] frame = new FrameReader(s.getInputStream()).readFrame();
            if (frame == null) {
                fail("the server closed without answering");
            }
            return RawClient.CODEC.decodeResponse(frame, Response.HelloOk.class);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean canBind(String address) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ logs

    @Test
    void logsNameTheUserButNeverContainATokenOrSecret() throws Exception {
        Logger access = (Logger) LoggerFactory.getLogger("ft.access");
        Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ftServer = (Logger) LoggerFactory.getLogger("ft.server");
        Level accessLevel = access.getLevel();
        Level serverLevel = ftServer.getLevel();
        ListAppender<ILoggingEvent> accessEvents = new ListAppender<>();
        ListAppender<ILoggingEvent> allEvents = new ListAppender<>();
        accessEvents.start();
        allEvents.start();
        access.setLevel(Level.INFO);
        ftServer.setLevel(Level.DEBUG); // debug lines must not leak tokens either
        access.addAppender(accessEvents);
        rootLogger.addAppender(allEvents);
        String wrong = "alice.WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGx";
        try {
            try (RawClient c = login(aliceToken)) {
                c.get("mine.txt");
            }
            try (RawClient c = RawClient.connect(server)) {
                c.expectError(new Request.Hello(1, wrong), ErrorCode.UNAUTHORIZED);
            }
            try (RawClient c = RawClient.connect(server)) {
                c.expectError(new Request.Hello(1, "noDotAtAllSECRETSECRETSECRET"), ErrorCode.UNAUTHORIZED);
            }
            try (RawClient c = RawClient.connect(server)) {
                // Not a JSON string: the parser's complaint may quote it, but no log may.
                c.sendJson("{\"op\":\"hello\",\"version\":1,\"token\":SECRETSECRETSECRET}");
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
            // The refusals are logged just after they are sent: wait (bounded) for all three.
            await("the refused hellos logged")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> messages(accessEvents).stream()
                                    .filter(m -> m.contains("UNAUTHORIZED"))
                                    .count()
                            >= 2);
        } finally {
            access.detachAppender(accessEvents);
            rootLogger.detachAppender(allEvents);
            access.setLevel(accessLevel);
            ftServer.setLevel(serverLevel);
        }
        List<String> logged = messages(accessEvents);
        logged.addAll(messages(allEvents));
        assertTrue(
                logged.stream().anyMatch(m -> m.contains("hello") && m.contains("result=ok user=alice")),
                "a successful hello names its user: " + logged);
        assertTrue(logged.stream().anyMatch(m -> m.contains("get mine.txt") && m.contains("user=alice")), "" + logged);
        String aliceSecret = aliceToken.substring(aliceToken.indexOf('.') + 1);
        for (String m : logged) {
            assertFalse(m.contains(aliceSecret), "a secret was logged: " + m);
            assertFalse(m.contains("WRONGWRONG"), "a wrong secret was logged: " + m);
            assertFalse(m.contains("SECRETSECRET"), "a token without a name was logged: " + m);
        }
    }

    private static List<String> messages(ListAppender<ILoggingEvent> appender) {
        List<String> out = new ArrayList<>();
        synchronized (appender) {
            for (ILoggingEvent e : appender.list) {
                out.add(e.getFormattedMessage()
                        + (e.getThrowableProxy() == null
                                ? ""
                                : " " + e.getThrowableProxy().getMessage()));
            }
        }
        return out;
    }

    @Test
    void md5OfUploadIsCheckedForUsersToo() throws IOException {
        try (RawClient c = login(aliceToken)) {
            byte[] data = "abc".getBytes(StandardCharsets.UTF_8);
            Response r = c.request(
                    new Request.Put("bad.txt", 3, new Md5("00000000000000000000000000000000")),
                    Response.PutReady.class);
            assertInstanceOf(Response.PutReady.class, r);
            c.sendRaw(data);
            c.readError(ErrorCode.CHECKSUM_MISMATCH);
        }
        assertFalse(Files.exists(root.resolve("alice/bad.txt")));
    }
}
