package ft.client;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.Md5;
import ft.protocol.Response;
import ft.transfer.Throttle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Runs many transfers over a few reused connections, {@code jobs} at a time.
 *
 * <p>Each worker owns one connection for all the files it takes. A file whose other side
 * already holds the same size and MD5 is not moved ("unchanged"); local digests come from a
 * {@link DigestJournal} so reruns do not re-hash. Network failures, BUSY and checksum
 * mismatches are retried with exponential backoff over a fresh connection, and downloads and
 * uploads resume from the bytes already held, never from zero. Every transfer ends in exactly
 * one {@link Outcome}, reported as soon as it is known.
 */
public final class Batch {
    /** Opens a connection for a worker. */
    @FunctionalInterface
    public interface Connector {
        FtClient connect() throws FtException;
    }

    /**
     * The knobs a batch runs with.
     *
     * @param preserve which attributes each copy takes from its original
     * @param throttle the pace of all the batch's bodies together
     */
    public record Options(
            int jobs,
            int retries,
            Duration firstBackoff,
            boolean failFast,
            boolean noClobber,
            boolean resume,
            Preserve preserve,
            Throttle throttle) {
        public Options {
            if (jobs < 1) {
                throw new IllegalArgumentException("jobs must be at least 1");
            }
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative");
            }
            java.util.Objects.requireNonNull(preserve, "preserve");
            java.util.Objects.requireNonNull(throttle, "throttle");
        }

        public Options(
                int jobs, int retries, Duration firstBackoff, boolean failFast, boolean noClobber, boolean resume) {
            this(jobs, retries, firstBackoff, failFast, noClobber, resume, Preserve.NOTHING, Throttle.NONE);
        }
    }

    /** Why a file a stopped batch never started has no other outcome. */
    public static final String NOT_STARTED = "not started: an earlier file failed (--fail-fast)";

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

    private final Connector connector;
    private final Options options;
    private final DigestJournal journal;
    private final Function<Transfer, Progress> progressFor;
    private final Consumer<Outcome> report;
    private volatile RemoteListing listing = RemoteListing.NONE;
    private volatile boolean stopped;
    /** A refused hello (UNAUTHORIZED): every other connection would be refused the same way. */
    private volatile FtException refused;

    public Batch(
            Connector connector,
            Options options,
            DigestJournal journal,
            Function<Transfer, Progress> progressFor,
            Consumer<Outcome> report) {
        this.connector = connector;
        this.options = options;
        this.journal = journal;
        this.progressFor = progressFor;
        this.report = report;
    }

    /**
     * Uploads whose remote path a listing shows absent, or of another size, skip asking the
     * server whether they are unchanged (without --no-clobber, which always asks).
     */
    public Batch withListing(RemoteListing listing) {
        this.listing = listing;
        return this;
    }

    /** Runs every transfer (or, with fail-fast, until the first failure) and waits for all. */
    public void run(List<Transfer> transfers) throws InterruptedException {
        Queue<Transfer> queue = new ConcurrentLinkedQueue<>(transfers);
        int workers = Math.min(options.jobs(), Math.max(1, transfers.size()));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofPlatform().name("ft-worker-" + i).start(() -> work(queue)));
        }
        for (Thread t : threads) {
            t.join();
        }
        // Every file gets exactly one outcome, those a --fail-fast stop left unstarted too.
        for (Transfer t; (t = queue.poll()) != null; ) {
            synchronized (report) {
                report.accept(Outcome.skipped(t, NOT_STARTED));
            }
        }
    }

    private void work(Queue<Transfer> queue) {
        FtClient client = null;
        try {
            Transfer t;
            while (!stopped && (t = queue.poll()) != null) {
                long start = System.nanoTime();
                Outcome outcome = null;
                for (int attempt = 0; outcome == null; attempt++) {
                    try {
                        if (client == null) {
                            FtException known = refused;
                            if (known != null) {
                                // Connecting again would only fail again and, on a server that
                                // slows failed logins down, wait longer each time.
                                throw known;
                            }
                            client = connector.connect();
                        }
                        outcome = perform(client, t, start);
                    } catch (RuntimeException e) {
                        // A bug, not a condition a retry could change; still this file's one outcome.
                        close(client);
                        client = null;
                        outcome = Outcome.failed(t, new InternalException(e), since(start));
                    } catch (FtException e) {
                        if (e instanceof RemoteException r && r.error() == ErrorCode.UNAUTHORIZED) {
                            refused = e;
                        }
                        if (client != null && (!connectionStillUsable(e) || !client.isOpen())) {
                            close(client);
                            client = null;
                        }
                        if (attempt < options.retries() && retryable(e) && !stopped) {
                            backoff(t, attempt, e);
                        } else {
                            outcome = Outcome.failed(t, e, since(start));
                        }
                    }
                }
                if (outcome.failed() && options.failFast()) {
                    stopped = true;
                }
                synchronized (report) {
                    report.accept(outcome);
                }
            }
        } finally {
            close(client);
        }
    }

    private Outcome perform(FtClient client, Transfer t, long start) throws FtException {
        return t.op() == Transfer.Op.GET ? download(client, t, start) : upload(client, t, start);
    }

    private Outcome download(FtClient client, Transfer t, long start) throws FtException {
        Path target = t.local();
        Progress progress = progressFor.apply(t);
        if (Files.isRegularFile(target)) {
            Response.StatOk remote = client.stat(t.remote(), ResumableDownload.noteServerHashing(progress, t.remote()));
            if (remote.type() == EntryType.FILE && remote.size() == size(target)) {
                Md5 local = journal.digestOf(target, hashing(progress, target, remote.size()));
                if (local.equals(remote.md5())) {
                    new PartialDownload(target).discardOrphanMeta();
                    keepTime(target, remote.mtime(), local);
                    return Outcome.unchanged(t, remote.size(), local, since(start));
                }
            }
            if (options.noClobber()) {
                throw new ConflictException(
                        target + " exists and differs from '" + t.remote() + "'; not replaced (--no-clobber)");
            }
        }
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw LocalErrors.failure("cannot create the directory for " + target, e);
        }
        ResumableDownload.Result r = new ResumableDownload(
                        client, options.resume(), progress, options.preserve(), options.throttle())
                .download(t.remote(), target);
        journal.record(target, r.md5());
        return Outcome.ok(t, r.size(), r.md5(), r.resumedFrom(), since(start));
    }

    private Outcome upload(FtClient client, Transfer t, long start) throws FtException {
        Path local = t.local();
        long size;
        try {
            BasicFileAttributes attributes = Files.readAttributes(local, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new LocalIoException(
                        "cannot read " + t.shownLocal() + ": "
                                + (attributes.isDirectory() ? "Is a directory" : "not a regular file"),
                        null);
            }
            size = attributes.size();
        } catch (IOException e) {
            throw LocalErrors.failure("cannot read " + t.shownLocal(), e);
        }
        client.checkUpload(t.remote(), size);
        Progress progress = progressFor.apply(t);
        Md5 md5 = t.knownMd5() != null ? t.knownMd5() : journal.digestOf(local, hashing(progress, local, size));
        Long listed = options.noClobber() ? null : listing.sizeOf(t.remote());
        if (listed != null && listed != size) {
            // Absent or of another size when listed: it cannot be unchanged, so no need to ask.
            ResumableUpload.Result r = new ResumableUpload(client, progress, options.preserve(), options.throttle())
                    .upload(local, t.remote(), md5);
            return Outcome.ok(t, r.size(), r.md5(), r.resumedFrom(), since(start));
        }
        try {
            Response.StatOk remote = client.stat(t.remote());
            if (remote.type() == EntryType.FILE && remote.size() == size && md5.equals(remote.md5())) {
                return Outcome.unchanged(t, size, md5, since(start));
            }
            if (remote.type() == EntryType.FILE && options.noClobber()) {
                throw new ConflictException("'" + t.remote() + "' exists on the server and differs from " + local
                        + "; not replaced (--no-clobber)");
            }
        } catch (RemoteException e) {
            if (e.error() != ErrorCode.NOT_FOUND) {
                throw e;
            }
        }
        ResumableUpload.Result r = new ResumableUpload(client, progress, options.preserve(), options.throttle())
                .upload(local, t.remote(), md5);
        return Outcome.ok(t, r.size(), r.md5(), r.resumedFrom(), since(start));
    }

    /**
     * An unchanged file that is to keep the server's modification time ({@code -r}, {@code -p})
     * gets it even though no byte moved: a mirror made before carries the real dates afterwards.
     */
    private void keepTime(Path target, long remoteMtime, Md5 md5) throws LocalIoException {
        if (options.preserve() == Preserve.NOTHING) {
            return;
        }
        try {
            if (Files.getLastModifiedTime(target).toMillis() != remoteMtime) {
                Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.fromMillis(remoteMtime));
                journal.record(target, md5);
            }
        } catch (IOException e) {
            throw LocalErrors.failure("cannot set the modification time of " + target, e);
        }
    }

    /** Passes the journal's hashing of {@code file} on to {@code progress}. */
    private static LongConsumer hashing(Progress progress, Path file, long size) {
        String label = file.toString();
        return done -> progress.hashing(label, done, size);
    }

    private static long size(Path file) throws LocalIoException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw LocalErrors.failure("cannot examine " + file, e);
        }
    }

    /** Transient failures: the network, a busy path, bytes damaged in transit. */
    public static boolean retryable(FtException e) {
        // Trust and TLS failures, and a port that is not ft's, come back the same however often they are tried.
        if (e instanceof TrustException
                || (e instanceof ConnectionException c
                        && (TlsTrust.TLS_FAILED.equals(c.code())
                                || ConnectionException.NOT_FT_SERVER.equals(c.code())))) {
            return false;
        }
        return e instanceof ConnectionException
                || e instanceof ChecksumException
                || (e instanceof RemoteException r
                        && (r.error() == ErrorCode.BUSY || r.error() == ErrorCode.CHECKSUM_MISMATCH));
    }

    /** A refusal leaves the connection in step; anything else may not, so it is replaced. */
    private static boolean connectionStillUsable(FtException e) {
        return e instanceof RemoteException
                || e instanceof ConflictException
                || e instanceof ChecksumException
                || e instanceof LocalIoException;
    }

    /** Waits before trying {@code t} again, saying so: a silent pause of seconds looks like a hang. */
    private void backoff(Transfer t, int attempt, FtException cause) {
        Duration wait = backoffBefore(attempt, options.firstBackoff());
        progressFor.apply(t).note(RetryNote.of(wait, cause));
        LockSupport.parkNanos(wait.toNanos());
    }

    /** The wait before retry {@code attempt + 1}: {@code first}, doubling each time, at most 8 s. */
    static Duration backoffBefore(int attempt, Duration first) {
        Duration wait = first.multipliedBy(1L << Math.min(attempt, 10));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static void close(FtClient client) {
        if (client != null) {
            client.close();
        }
    }
}
