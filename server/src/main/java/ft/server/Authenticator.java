package ft.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks hello tokens against the users file of {@code ft serve --users}.
 *
 * <p>Every token costs exactly one PBKDF2 derivation, whatever is wrong with it: an unknown
 * name, a token without a name, an empty one, or a wrong secret are all derived against a
 * fixed dummy salt and hash, so the answer's timing does not tell which users exist. The
 * derived key is compared with {@link java.security.MessageDigest#isEqual}, in constant time.
 *
 * <p>Derivations run on a small pool of platform threads while the connection's virtual
 * thread waits: a flood of hellos then queues there instead of pinning the carrier threads
 * that every transfer needs. Failures are slowed per client address ({@link LoginThrottle}).
 *
 * <p>The file is read again when it changes (checked at each hello), so {@code ft user add}
 * and {@code ft user remove} take effect at the next connection without a restart. A changed
 * file that cannot be read keeps the previous list in force and is logged.
 */
public final class Authenticator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final Users.User DUMMY;

    static {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[Tokens.SALT_BYTES];
        byte[] hash = new byte[Tokens.HASH_BYTES];
        random.nextBytes(salt);
        random.nextBytes(hash);
        DUMMY = new Users.User("-", Tokens.DEFAULT_ITERATIONS, salt, hash, true, null);
    }

    /** The outcome of one hello: the user, or null and why not (for the client's message). */
    public record Result(Users.User user, boolean tokenMissing) {
        public boolean ok() {
            return user != null;
        }
    }

    private final Path file;
    private final Path realFile;
    private final LoginThrottle throttle;
    private final ExecutorService kdf;
    private volatile Loaded loaded;

    private record Loaded(Users users, Object version) {}

    public Authenticator(Path file) throws IOException {
        this(file, new LoginThrottle());
    }

    Authenticator(Path file, LoginThrottle throttle) throws IOException {
        this.file = file;
        this.realFile = file.toRealPath();
        this.throttle = throttle;
        this.loaded = new Loaded(Users.load(file), versionOf(file));
        // At most half the cores: logins queue up rather than starve transfers of CPU.
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        this.kdf = Executors.newFixedThreadPool(
                threads, Thread.ofPlatform().name("ft-kdf-", 0).daemon(true).factory());
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

    /**
     * Checks a hello's token from {@code address}: first waits out that address's penalty for
     * earlier failures, then derives; a failure lengthens the next penalty.
     */
    public Result authenticate(InetAddress address, String token) throws InterruptedException {
        Duration penalty = throttle.delayFor(address);
        if (!penalty.isZero()) {
            park(penalty);
        }
        Users users = users();
        String name = Tokens.nameOf(token);
        Users.User claimed = name == null ? null : users.find(name);
        Users.User checked = claimed == null ? DUMMY : claimed;
        String secret = Tokens.secretOf(token);
        boolean matches = verify(checked, secret);
        // Evaluated after the derivation, so every kind of failure takes the same path.
        boolean ok = matches & claimed != null & !secret.isEmpty();
        if (!ok) {
            throttle.failed(address);
            return new Result(null, token == null || token.isEmpty());
        }
        return new Result(claimed, false);
    }

    /** The name a token claims when it is a known user's (for the log), else null. */
    String knownNameOf(String token) {
        String name = Tokens.nameOf(token);
        return name != null && loaded.users().find(name) != null ? name : null;
    }

    private boolean verify(Users.User user, String secret) throws InterruptedException {
        // An empty password is derived as "\0" so the same code runs; it never verifies (see above).
        String input = secret.isEmpty() ? "\0" : secret;
        Future<Boolean> result = kdf.submit(() -> user.verifies(input));
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("verifying a token failed", e.getCause());
        } catch (InterruptedException e) {
            result.cancel(true);
            throw e;
        }
    }

    private static void park(Duration penalty) throws InterruptedException {
        long deadline = System.nanoTime() + penalty.toNanos();
        for (long left = penalty.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while slowing down a failed login");
            }
        }
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
        kdf.shutdownNow();
    }
}
