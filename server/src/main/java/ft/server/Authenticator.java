package ft.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks hello tokens against the users file of {@code ft serve --users}.
 *
 * <p>Every token costs exactly one PBKDF2 derivation, whatever is wrong with it: an unknown
 * name, a token without a name, an empty one, or a wrong secret are all derived against a
 * dummy entry with the iteration count most entries of the file have (the default when the
 * file is empty), so neither the answer's timing nor the work done tells which users exist.
 * The derived key is compared with {@link java.security.MessageDigest#isEqual}, in constant
 * time.
 *
 * <p>Derivations run on a small pool of platform threads while the connection's virtual
 * thread waits: a flood of hellos then queues there instead of pinning the carrier threads
 * that every transfer needs. The work waiting for that pool is bounded: at most {@link
 * Bounds#perAddress} derivations per client address (IPv6 per /64, see {@link ClientAddresses})
 * and {@link Bounds#overall} in all may be queued or running; a hello beyond either is refused
 * at once as {@link Refusal#BUSY} without deriving anything. A hello also keeps its deadline
 * while it waits (the penalty of {@link LoginThrottle}, then the queue): when the deadline
 * passes the hello ends, and a derivation still queued for it is dropped, not computed. So one
 * address with many connections cannot keep the pool busy for everyone else.
 *
 * <p>Why PBKDF2 stays although secrets are 256 random bits (nothing to brute-force, so a
 * fast keyed hash would be as safe): users files already in use hold PBKDF2 entries that must
 * keep working, older {@code ft} versions sharing a users file would refuse a new kind of
 * entry, and with the bounds above the cost of a derivation is no longer a lever for a flood.
 *
 * <p>The file is read again when it changes (checked at each hello and at each request of a
 * logged-in connection), so {@code ft user add} and {@code ft user remove} take effect at once
 * without a restart: a removed or changed user's open connections are ended at their next
 * request ({@link #revoked}). A changed file that cannot be read keeps the previous list in
 * force and is logged.
 */
public final class Authenticator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final byte[] DUMMY_SALT = new byte[Tokens.SALT_BYTES];
    private static final byte[] DUMMY_HASH = new byte[Tokens.HASH_BYTES];

    static {
        SecureRandom random = new SecureRandom();
        random.nextBytes(DUMMY_SALT);
        random.nextBytes(DUMMY_HASH);
    }

    /** Why a hello was not accepted. */
    public enum Refusal {
        /** A token was sent, and it is not a user's. */
        BAD_TOKEN,
        /** No token (or an empty one) was sent. */
        NO_TOKEN,
        /** Too many derivations are pending (for this address or overall); nothing was derived. */
        BUSY,
        /** The hello's deadline passed while it waited for its turn. */
        TOO_SLOW
    }

    /** The outcome of one hello: the user, or null and why not (for the client's message). */
    public record Result(Users.User user, Refusal refusal) {
        public boolean ok() {
            return user != null;
        }

        public boolean tokenMissing() {
            return refusal == Refusal.NO_TOKEN;
        }
    }

    /**
     * How many derivations may wait for or run on the pool at once.
     *
     * @param threads    the pool's threads
     * @param overall    pending derivations in all
     * @param perAddress pending derivations of one client address (IPv6: one /64)
     */
    record Bounds(int threads, int overall, int perAddress) {
        Bounds {
            if (threads < 1 || overall < 1 || perAddress < 1) {
                throw new IllegalArgumentException("login bounds must be at least 1");
            }
        }

        /** At most half the cores: logins queue up rather than starve transfers of CPU. */
        static Bounds defaults() {
            return new Bounds(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 32, 2);
        }
    }

    /** What computes a token's hash; a seam so tests can count the work done. */
    @FunctionalInterface
    interface Kdf {
        byte[] derive(String secret, byte[] salt, int iterations);
    }

    /** How long a hello may wait when the caller names no deadline. */
    private static final Duration NO_DEADLINE_GIVEN = Duration.ofMinutes(1);

    private final Path file;
    private final Path realFile;
    private final LoginThrottle throttle;
    private final Bounds bounds;
    private final Kdf kdf;
    private final ThreadPoolExecutor pool;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger peakPending = new AtomicInteger();
    private final AtomicLong refusedBusy = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    /** Pending derivations per client address; guarded by itself, like {@link #pending}. */
    private final Map<InetAddress, Integer> pendingPerAddress = new HashMap<>();

    private volatile Loaded loaded;

    /** The users, and the dummy entry an unknown name is checked against. */
    private record Loaded(Users users, Object version, Users.User dummy) {
        Loaded(Users users, Object version) {
            this(users, version, dummyFor(users));
        }
    }

    public Authenticator(Path file) throws IOException {
        this(file, new LoginThrottle(), Bounds.defaults(), Tokens::derive);
    }

    Authenticator(Path file, LoginThrottle throttle) throws IOException {
        this(file, throttle, Bounds.defaults(), Tokens::derive);
    }

    Authenticator(Path file, LoginThrottle throttle, Bounds bounds, Kdf kdf) throws IOException {
        this.file = file;
        this.realFile = file.toRealPath();
        this.throttle = throttle;
        this.bounds = bounds;
        this.kdf = kdf;
        this.loaded = new Loaded(Users.load(file), versionOf(file));
        // The queue needs no bound of its own: admission (pending) bounds what is in it.
        this.pool = new ThreadPoolExecutor(
                bounds.threads(),
                bounds.threads(),
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("ft-kdf-", 0).daemon(true).factory());
    }

    /**
     * The entry an unknown name is derived against: the iteration count most entries have (the
     * default when there are none), so an unknown name costs what a real one does.
     */
    static Users.User dummyFor(Users users) {
        Map<Integer, Integer> counts = new HashMap<>();
        int iterations = Tokens.DEFAULT_ITERATIONS;
        int best = 0;
        for (Users.User u : users.list()) {
            int n = counts.merge(u.iterations(), 1, Integer::sum);
            if (n > best) {
                best = n;
                iterations = u.iterations();
            }
        }
        return new Users.User("-", iterations, DUMMY_SALT, DUMMY_HASH, true, null);
    }

    Path file() {
        return file;
    }

    /** Where the file really is (symlinks resolved), as of the start. */
    Path realFile() {
        return realFile;
    }

    /** The list in force now (re-read if the file changed). */
    Users users() {
        refresh();
        return loaded.users();
    }

    /** Derivations queued or running now. */
    int pendingLogins() {
        return pending.get();
    }

    /** The most derivations ever queued or running at once. */
    int peakPendingLogins() {
        return peakPending.get();
    }

    /** Hellos refused as {@link Refusal#BUSY} so far. */
    long refusedBusy() {
        return refusedBusy.get();
    }

    /** Hellos that came to the derivation queue (admitted or refused) so far. */
    long loginsStarted() {
        return started.get();
    }

    /** Like {@link #authenticate(InetAddress, String, long)} with a deadline a minute away. */
    public Result authenticate(InetAddress address, String token) throws InterruptedException {
        return authenticate(address, token, System.nanoTime() + NO_DEADLINE_GIVEN.toNanos());
    }

    /**
     * Checks a hello's token from {@code address}: first waits out that address's penalty for
     * earlier failures, then derives on the pool if there is room for this address and overall
     * (else {@link Refusal#BUSY}); a failure lengthens the next penalty. Gives up with {@link
     * Refusal#TOO_SLOW} when {@code deadlineNanos} ({@link System#nanoTime}) passes first.
     */
    public Result authenticate(InetAddress address, String token, long deadlineNanos) throws InterruptedException {
        Duration penalty = throttle.delayFor(address);
        if (!penalty.isZero()) {
            long until = Math.min(deadlineNanos, System.nanoTime() + penalty.toNanos());
            park(until);
            if (deadlineNanos - System.nanoTime() <= 0) {
                return new Result(null, Refusal.TOO_SLOW);
            }
        }
        Loaded current = current();
        String name = Tokens.nameOf(token);
        Users.User claimed = name == null ? null : current.users().find(name);
        Users.User checked = claimed == null ? current.dummy() : claimed;
        String secret = Tokens.secretOf(token);
        InetAddress key = ClientAddresses.keyOf(address);
        started.incrementAndGet();
        if (!admit(key)) {
            refusedBusy.incrementAndGet();
            return new Result(null, Refusal.BUSY);
        }
        Boolean matches = verify(key, checked, secret, deadlineNanos);
        if (matches == null) {
            return new Result(null, Refusal.TOO_SLOW);
        }
        // Evaluated after the derivation, so every kind of failure takes the same path.
        boolean ok = matches & claimed != null & !secret.isEmpty();
        if (!ok) {
            throttle.failed(address);
            return new Result(null, token == null || token.isEmpty() ? Refusal.NO_TOKEN : Refusal.BAD_TOKEN);
        }
        return new Result(claimed, null);
    }

    /**
     * Null while {@code user} (who logged in earlier) is still in the users file as it was;
     * else why their session must end.
     */
    String revoked(Users.User user) {
        Users.User now = users().find(user.name());
        if (now == null) {
            return "user " + user.name() + " was removed";
        }
        if (!now.equals(user)) {
            return "user " + user.name() + " was changed in the users file; connect again";
        }
        return null;
    }

    /** The name a token claims when it is a known user's (for the log), else null. */
    String knownNameOf(String token) {
        String name = Tokens.nameOf(token);
        return name != null && loaded.users().find(name) != null ? name : null;
    }

    /**
     * Takes a place for one derivation from {@code key}, or says there is none. Both counts
     * change together under one lock, so neither ever exceeds its bound, even for a moment, and
     * a refused hello leaves no entry behind.
     */
    private boolean admit(InetAddress key) {
        synchronized (pendingPerAddress) {
            int fromKey = pendingPerAddress.getOrDefault(key, 0);
            if (pending.get() >= bounds.overall() || fromKey >= bounds.perAddress()) {
                return false;
            }
            pendingPerAddress.put(key, fromKey + 1);
            peakPending.accumulateAndGet(pending.incrementAndGet(), Math::max);
            return true;
        }
    }

    private void release(InetAddress key) {
        synchronized (pendingPerAddress) {
            pendingPerAddress.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            pending.decrementAndGet();
        }
    }

    /**
     * Derives on the pool and compares; null when the deadline passed first (a derivation not
     * yet started is then dropped). The place taken by {@link #admit} is given back exactly once.
     */
    private Boolean verify(InetAddress key, Users.User user, String secret, long deadlineNanos)
            throws InterruptedException {
        // An empty password is derived as "\0" so the same code runs; it never verifies (see above).
        String input = secret.isEmpty() ? "\0" : secret;
        // Whoever sets it first owns the place: the task (it runs) or the waiter (it gave up).
        AtomicBoolean claimed = new AtomicBoolean();
        Future<Boolean> result;
        try {
            result = pool.submit(() -> {
                if (!claimed.compareAndSet(false, true)) {
                    return false; // the hello gave up before its turn: nothing is computed
                }
                try {
                    return MessageDigest.isEqual(kdf.derive(input, user.salt(), user.iterations()), user.hash());
                } finally {
                    release(key);
                }
            });
        } catch (RejectedExecutionException closed) {
            release(key);
            throw new InterruptedException("the server is closing");
        }
        boolean done = false;
        try {
            Boolean matches = result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            done = true;
            return matches;
        } catch (ExecutionException e) {
            done = true;
            throw new IllegalStateException("verifying a token failed", e.getCause());
        } catch (TimeoutException e) {
            return null;
        } finally {
            if (!done && claimed.compareAndSet(false, true)) {
                // Never started: give the place back now and take the task out of the queue.
                release(key);
                result.cancel(false);
                pool.remove((Runnable) result);
            }
        }
    }

    /** Parks until {@code untilNanos} ({@link System#nanoTime}). */
    private static void park(long untilNanos) throws InterruptedException {
        for (long left = untilNanos - System.nanoTime(); left > 0; left = untilNanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while slowing down a failed login");
            }
        }
    }

    private Loaded current() {
        refresh();
        return loaded;
    }

    private void refresh() {
        Object version;
        try {
            version = versionOf(file);
        } catch (IOException e) {
            warnOnce("the users file " + file + " cannot be read (" + e + "); the previous list stays in force");
            return;
        }
        Loaded current = loaded;
        if (Objects.equals(version, current.version())) {
            return;
        }
        synchronized (this) {
            if (!Objects.equals(version, loaded.version())) {
                try {
                    Users fresh = Users.load(file);
                    loaded = new Loaded(fresh, version);
                    LOG.info("users file {} re-read: {} user(s)", file, fresh.size());
                } catch (IOException e) {
                    // Not re-tried until the file changes again; the last good list stays.
                    loaded = new Loaded(loaded.users(), version);
                    LOG.error(
                            "the users file {} changed but cannot be used ({}); the previous list stays in force",
                            file,
                            e.getMessage());
                }
            }
        }
    }

    private volatile String lastWarning;

    private void warnOnce(String message) {
        if (!message.equals(lastWarning)) {
            lastWarning = message;
            LOG.error(message);
        }
    }

    /** What changes when the file is rewritten: an atomic rename gives it a new inode. */
    private static Object versionOf(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return java.util.List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
