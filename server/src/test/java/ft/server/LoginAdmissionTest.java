package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.ErrorCode;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The work a server does for hellos before anyone has logged in is bounded: per address and
 * overall, within each hello's deadline, and the same for unknown names as for known ones.
 */
class LoginAdmissionTest {
    private static final String BAD_SECRET = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    @TempDir
    Path tmp;

    /** A login penalty too small to matter, so only the bounds under test hold hellos back. */
    private static LoginThrottle noPenalty() {
        return new LoginThrottle(Duration.ofNanos(1), Duration.ofNanos(1), Duration.ofSeconds(30), System::nanoTime);
    }

    private static InetAddress ip(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    /** A derivation that takes {@code cost} of time and counts its calls: a stand-in for PBKDF2. */
    private static Authenticator.Kdf costing(Duration cost, AtomicInteger calls) {
        return (secret, salt, iterations) -> {
            calls.incrementAndGet();
            LockSupport.parkNanos(cost.toNanos());
            return fake(secret, salt);
        };
    }

    /** What the stand-in derivations compute: SHA-256 of salt and secret. */
    private static byte[] fake(String secret, byte[] salt) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Alice's token; the users file written holds her entry hashed as {@link #fake} does. */
    private String aliceWithAFakeHash() throws IOException {
        String secret = Tokens.secretOf(Tokens.mint("alice").token());
        byte[] salt = new byte[Tokens.SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        usersFileOf(new Users.User("alice", Tokens.MIN_ITERATIONS, salt, fake(secret, salt), false, null));
        return "alice." + secret;
    }

    @Test
    void aFloodFromOneAddressIsRefusedBusyAndALoginFromAnotherFinishesWithinItsDeadline() throws Exception {
        String aliceToken = aliceWithAFakeHash();
        AtomicInteger derivations = new AtomicInteger();
        int flood = 64;
        // One derivation thread, 50 ms a derivation: 64 queued hellos would hold the pool 3.2 s.
        Authenticator.Bounds bounds = new Authenticator.Bounds(1, 8, 2);
        try (Authenticator auth = new Authenticator(
                        tmp.resolve("users.jsonl"), noPenalty(), bounds, costing(Duration.ofMillis(50), derivations));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            InetAddress attacker = ip("192.0.2.66");
            long floodDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Authenticator.Result>> floods = new ArrayList<>();
            for (int i = 0; i < flood; i++) {
                floods.add(threads.submit(() -> {
                    go.await();
                    return auth.authenticate(attacker, "alice." + BAD_SECRET, floodDeadline);
                }));
            }
            go.countDown();
            await("every flood hello reached the authenticator")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> auth.loginsStarted() >= flood);

            long start = System.nanoTime();
            Authenticator.Result legit =
                    auth.authenticate(ip("198.51.100.7"), aliceToken, start + TimeUnit.SECONDS.toNanos(1));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(legit.ok(), () -> "the legitimate hello was refused (" + legit.refusal() + ") after " + took);
            assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "the legitimate hello took " + took);

            List<Authenticator.Refusal> refusals = new ArrayList<>();
            for (Future<Authenticator.Result> f : floods) {
                refusals.add(f.get(30, TimeUnit.SECONDS).refusal());
            }
            int busy = Collections.frequency(refusals, Authenticator.Refusal.BUSY);
            assertTrue(busy >= flood / 2, "most of the flood is refused BUSY: " + refusals);
            assertEquals(flood - busy, Collections.frequency(refusals, Authenticator.Refusal.BAD_TOKEN), "" + refusals);
            assertTrue(
                    auth.peakPendingLogins() <= bounds.perAddress() + 1,
                    "pending derivations never exceed the flood's bound plus the one legitimate hello: "
                            + auth.peakPendingLogins());
            assertEquals(flood - busy + 1, derivations.get(), "a refused hello derives nothing");
            assertEquals(0, auth.pendingLogins());
        }
    }

    @Test
    void pendingDerivationsNeverExceedTheOverallBoundAcrossManyAddresses() throws Exception {
        aliceWithAFakeHash();
        AtomicInteger derivations = new AtomicInteger();
        Authenticator.Bounds bounds = new Authenticator.Bounds(1, 4, 2);
        try (Authenticator auth = new Authenticator(
                        tmp.resolve("users.jsonl"), noPenalty(), bounds, costing(Duration.ofMillis(20), derivations));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<Future<Authenticator.Result>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                InetAddress from = ip("192.0.2." + (i + 1));
                results.add(threads.submit(() -> auth.authenticate(from, "alice." + BAD_SECRET, deadline)));
            }
            int busy = 0;
            for (Future<Authenticator.Result> f : results) {
                busy += f.get(30, TimeUnit.SECONDS).refusal() == Authenticator.Refusal.BUSY ? 1 : 0;
            }
            assertTrue(busy > 0, "40 hellos at once from 40 addresses must meet the overall bound of 4");
            assertTrue(auth.peakPendingLogins() <= bounds.overall(), "peak " + auth.peakPendingLogins());
            assertEquals(40 - busy, derivations.get());
            assertEquals(busy, auth.refusedBusy());
        }
    }

    @Test
    void aHelloWhoseDeadlinePassesInTheQueueEndsAndItsDerivationIsNeverComputed() throws Exception {
        String aliceToken = aliceWithAFakeHash();
        AtomicInteger derivations = new AtomicInteger();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Authenticator.Kdf blockingFirst = (secret, salt, iterations) -> {
            if (derivations.incrementAndGet() == 1) {
                holding.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return fake(secret, salt);
        };
        try (Authenticator auth = new Authenticator(
                        tmp.resolve("users.jsonl"), noPenalty(), new Authenticator.Bounds(1, 8, 2), blockingFirst);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Authenticator.Result> first = threads.submit(() -> auth.authenticate(
                    ip("192.0.2.1"), "alice." + BAD_SECRET, System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
            assertTrue(holding.await(10, TimeUnit.SECONDS), "the first derivation started");

            // Queued behind the first; its 200 ms pass while it waits.
            long start = System.nanoTime();
            Authenticator.Result late = auth.authenticate(
                    ip("192.0.2.2"), aliceToken, start + Duration.ofMillis(200).toNanos());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(Authenticator.Refusal.TOO_SLOW, late.refusal());
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "ended at its deadline, not after: " + took);
            assertEquals(1, auth.pendingLogins(), "the given-up hello gave its place back");

            release.countDown();
            assertEquals(
                    Authenticator.Refusal.BAD_TOKEN,
                    first.get(30, TimeUnit.SECONDS).refusal());
            // The pool is single-threaded and FIFO: a hello after the first one is done runs only
            // after anything still queued, so the count below is final.
            assertTrue(auth.authenticate(ip("192.0.2.3"), aliceToken).ok());
            assertEquals(2, derivations.get(), "the late hello's derivation was dropped, not computed");
            assertEquals(0, auth.pendingLogins());
        }
    }

    // ------------------------------------------------------------------ unknown names cost the same

    /** A user entry with {@code iterations} whose secret nobody knows (nothing here verifies). */
    private static Users.User entry(String name, int iterations) {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[Tokens.SALT_BYTES];
        byte[] hash = new byte[Tokens.HASH_BYTES];
        random.nextBytes(salt);
        random.nextBytes(hash);
        return new Users.User(name, iterations, salt, hash, false, null);
    }

    private Path usersFileOf(Users.User... users) throws IOException {
        StringBuilder lines = new StringBuilder();
        Path file = tmp.resolve("users.jsonl");
        // Users has no way to add a prepared entry: write the lines as Users.format would.
        for (Users.User u : users) {
            lines.append(String.format(
                    "{\"name\":\"%s\",\"kdf\":\"%s\",\"iterations\":%d,\"salt\":\"%s\",\"hash\":\"%s\",\"read_only\":false}%n",
                    u.name(),
                    Tokens.KDF,
                    u.iterations(),
                    java.util.Base64.getEncoder().encodeToString(u.salt()),
                    java.util.Base64.getEncoder().encodeToString(u.hash())));
        }
        Files.writeString(file, lines);
        assertEquals(users.length, Users.load(file).size());
        return file;
    }

    @Test
    void anUnknownNameCostsTheSameDerivationAsAKnownNameWithAWrongSecret() throws Exception {
        // Entries made with more than today's default, as a later default or an operator would.
        int iterations = Tokens.DEFAULT_ITERATIONS + 90_000;
        List<Integer> work = Collections.synchronizedList(new ArrayList<>());
        Authenticator.Kdf counting = (secret, salt, n) -> {
            work.add(n);
            return Tokens.derive(secret, salt, 1);
        };
        try (Authenticator auth = new Authenticator(
                usersFileOf(entry("alice", iterations), entry("bob", iterations), entry("old", Tokens.MIN_ITERATIONS)),
                noPenalty(),
                Authenticator.Bounds.defaults(),
                counting)) {
            InetAddress from = ip("192.0.2.9");
            assertFalse(auth.authenticate(from, "alice." + BAD_SECRET).ok());
            assertFalse(auth.authenticate(from, "nobody." + BAD_SECRET).ok());
            assertFalse(auth.authenticate(from, "no-dot-at-all").ok());
            assertFalse(auth.authenticate(from, null).ok());
            assertEquals(
                    List.of(iterations, iterations, iterations, iterations),
                    work,
                    "one derivation each, with the iterations most real entries have");
        }
    }

    @Test
    void theDummyEntryFollowsTheFileWhenItChanges() throws Exception {
        Path file = usersFileOf(entry("alice", Tokens.MIN_ITERATIONS));
        try (Authenticator auth = new Authenticator(file)) {
            assertEquals(
                    Tokens.MIN_ITERATIONS, Authenticator.dummyFor(auth.users()).iterations());
            usersFileOf(entry("alice", 400_000), entry("bob", 400_000), entry("carol", Tokens.MIN_ITERATIONS));
            await("the changed file was read")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> auth.users().size() == 3);
            assertEquals(400_000, Authenticator.dummyFor(auth.users()).iterations());
        }
    }

    // ------------------------------------------------------------------ over real sockets

    @Test
    void overTheNetworkAFloodOfBadTokensGetsBusyWhileALoginFromAnotherAddressSucceeds() throws Exception {
        InetAddress other = ip("127.0.0.2");
        assertTrue(canBind(other), "Linux routes all of 127.0.0.0/8 to the loopback; this test needs 127.0.0.2");
        Path root = Files.createDirectories(tmp.resolve("root"));
        Users.Added alice = Users.empty().add("alice", false, null, false);
        Path file = tmp.resolve("users.jsonl");
        alice.users().save(file);
        // Real PBKDF2, default bounds; a 10 s hello deadline (the default header timeout).
        try (FtServer server = FtServer.start(
                FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0)).withUsersFile(file))) {
            int flood = 64;
            List<RawClient> floods = new ArrayList<>();
            try {
                for (int i = 0; i < flood; i++) {
                    RawClient c = RawClient.connect(server);
                    floods.add(c);
                    c.send(new Request.Hello(1, "alice." + BAD_SECRET));
                }
                await("every flood hello reached the authenticator")
                        .atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> server.auth().loginsStarted() >= flood);
                try (ft.testing.RawClient legit = ft.testing.RawClient.connect(server.address(), other)) {
                    Response r = legit.request(new Request.Hello(1, alice.token()), Response.HelloOk.class);
                    assertInstanceOf(Response.HelloOk.class, r, () -> "the legitimate hello was refused: " + r);
                }
                int busy = 0;
                for (RawClient c : floods) {
                    Response.Error e = assertInstanceOf(Response.Error.class, c.read(Response.HelloOk.class));
                    assertTrue(e.code() == ErrorCode.BUSY || e.code() == ErrorCode.UNAUTHORIZED, "" + e);
                    if (e.code() == ErrorCode.BUSY) {
                        busy++;
                        assertEquals("too many logins in progress; try again later", e.message());
                    }
                    c.assertClosedByServer();
                }
                assertTrue(busy >= flood / 2, "the flood was refused BUSY: " + busy + " of " + flood);
                assertTrue(
                        server.auth().peakPendingLogins()
                                <= Authenticator.Bounds.defaults().perAddress() + 1,
                        "pending derivations: " + server.auth().peakPendingLogins());
            } finally {
                for (RawClient c : floods) {
                    c.close();
                }
            }
        }
    }

    private static boolean canBind(InetAddress address) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
