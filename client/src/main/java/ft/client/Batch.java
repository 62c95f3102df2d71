package ft.client;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.FileAttributes;
import ft.protocol.Md5;
import ft.protocol.Protocol;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.Throttle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 *
 * <p>To a server that takes requests sent ahead, small files go several at a time per
 * connection ({@link #WINDOW}): gets of files not held locally and eager puts of files the
 * listing shows absent are sent before the answers to the earlier ones arrive, and each
 * download is synced and renamed on another thread while the next ones arrive. Requests a
 * dead connection left unanswered are sent again over a new one; only the one whose answer
 * was cut counts as an attempt.
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
        synchronized (this) {
            if (syncers != null) {
                syncers.close(); // every task was waited for by its worker
            }
        }
        // Every file gets exactly one outcome, those a --fail-fast stop left unstarted too.
        for (Transfer t; (t = queue.poll()) != null; ) {
            synchronized (report) {
                report.accept(Outcome.skipped(t, NOT_STARTED));
            }
        }
    }

    /**
     * Requests one connection keeps in flight at most (to a server that takes requests sent
     * ahead): enough to cover a round trip of tens of milliseconds with small files, few enough
     * that their headers always fit in the socket buffers, so sending never waits on reading.
     */
    static final int WINDOW = 64;
    /** Expected body bytes one connection keeps asked for at most. */
    static final long WINDOW_BYTES = 8L << 20;
    /** Files up to this size go through the pipelined path; larger ones keep one exchange each. */
    static final long PIPELINED_MAX_BYTES = 1L << 20;

    private void work(Queue<Transfer> queue) {
        new Worker(queue).run();
    }

    /** One worker thread: its connection, and the files its dead connections left unanswered. */
    private final class Worker {
        private final Queue<Transfer> queue;
        /**
         * Files sent ahead on a connection that died before their answer: nothing was done for
         * them (or, for a get or an eager put, done harmlessly), so they go again, first, without
         * counting as an attempt.
         */
        private final Deque<Transfer> again = new ArrayDeque<>();
        /** Files whose pipelined attempt failed in a way worth retrying: retried one at a time. */
        private final Deque<Retry> retries = new ArrayDeque<>();
        /** Downloads received and verified, being synced and renamed, oldest first. */
        private final Deque<Publishing> publishing = new ArrayDeque<>();

        private FtClient client;
        /** The last directory made for a download, so the next file in it needs no mkdir. */
        private Path madeDirectory;

        Worker(Queue<Transfer> queue) {
            this.queue = queue;
        }

        void run() {
            try {
                while (!stopped || !retries.isEmpty()) {
                    Retry retry = retries.poll();
                    if (retry != null) {
                        finish(serially(retry.t(), retry.start(), retry.attempt(), retry.cause()));
                        continue;
                    }
                    Transfer t = again.isEmpty() ? queue.poll() : again.poll();
                    if (t == null) {
                        break;
                    }
                    if (client != null && client.isOpen() && client.pipelines() && pipelinable(t)) {
                        pipeline(t);
                    } else {
                        finish(serially(t, System.nanoTime(), 0, null));
                    }
                }
                // With --fail-fast, files given back by a dead connection were never started.
                for (Transfer t; (t = again.poll()) != null; ) {
                    finish(Outcome.skipped(t, NOT_STARTED));
                }
            } finally {
                close(client);
            }
        }

        private void finish(Outcome outcome) {
            if (outcome.failed() && options.failFast()) {
                stopped = true;
            }
            synchronized (report) {
                report.accept(outcome);
            }
        }

        /**
         * One file, one exchange after another, retried as the options say; {@code cause} is
         * the failure of attempt {@code attempt - 1} when an earlier (pipelined) attempt failed.
         */
        private Outcome serially(Transfer t, long start, int attempt, FtException cause) {
            if (cause != null) {
                if (attempt - 1 < options.retries() && retryable(cause) && !stopped) {
                    backoff(t, attempt - 1, cause);
                } else {
                    return Outcome.failed(t, cause, since(start));
                }
            }
            Outcome outcome = null;
            for (; outcome == null; attempt++) {
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
                    dropConnection();
                    outcome = Outcome.failed(t, new InternalException(e), since(start));
                } catch (FtException e) {
                    if (e instanceof RemoteException r && r.error() == ErrorCode.UNAUTHORIZED) {
                        refused = e;
                    }
                    if (client != null && (!connectionStillUsable(e) || !client.isOpen())) {
                        dropConnection();
                    }
                    if (attempt < options.retries() && retryable(e) && !stopped) {
                        backoff(t, attempt, e);
                    } else {
                        outcome = Outcome.failed(t, e, since(start));
                    }
                }
            }
            return outcome;
        }

        private void dropConnection() {
            close(client);
            client = null;
        }

        /** Whether {@code t} can go ahead of the answers to the files before it. */
        private boolean pipelinable(Transfer t) {
            if (t.op() == Transfer.Op.GET) {
                // A target that exists needs the unchanged check (a stat) first: the serial path.
                return t.expectedSize() >= 0
                        && t.expectedSize() <= PIPELINED_MAX_BYTES
                        && !Files.exists(t.local(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
            if (options.noClobber()) {
                return false;
            }
            Long listed = listing.sizeOf(t.remote());
            // Only a file the listing showed absent or of another size: one that may be unchanged is asked about first.
            if (listed == null) {
                return false;
            }
            try {
                BasicFileAttributes a = Files.readAttributes(t.local(), BasicFileAttributes.class);
                return a.isRegularFile() && a.size() != listed && client.takesEagerPut(a.size());
            } catch (IOException e) {
                return false; // the serial path reports it
            }
        }

        /** A request sent ahead, waiting for its answer. */
        record Flight(
                Transfer t,
                long start,
                long bytes,
                Progress progress,
                ResumableDownload download,
                ResumableDownload.Asked asked,
                Request.Get sent,
                Md5 md5) {}

        /**
         * Sends {@code first} and the pipelinable files after it ahead of their answers, at most
         * {@link #WINDOW} (and {@link #WINDOW_BYTES}) at a time, and takes the answers in order.
         * Returns when the queue has no more such files, or the connection died.
         */
        private void pipeline(Transfer first) {
            ArrayDeque<Flight> flights = new ArrayDeque<>();
            long bytes = 0;
            Transfer next = first;
            try {
                while (true) {
                    boolean sent = false;
                    while (next != null
                            && flights.size() < WINDOW
                            && (flights.isEmpty() || bytes + Math.max(0, next.expectedSize()) <= WINDOW_BYTES)) {
                        Flight f = send(next);
                        if (f != null) {
                            flights.add(f);
                            bytes += f.bytes();
                            sent = true;
                        }
                        next = nextPipelinable();
                    }
                    if (sent) {
                        client.flush();
                    }
                    Flight head = flights.poll();
                    if (head == null) {
                        return;
                    }
                    bytes -= head.bytes();
                    if (!answer(head)) {
                        // The connection is gone: what was sent ahead of it goes again.
                        for (Flight f : flights.reversed()) {
                            again.addFirst(f.t());
                        }
                        flights.clear();
                        return;
                    }
                    if (stopped) {
                        next = null;
                    }
                }
            } catch (FtException e) {
                // Sending failed (flush): nothing of it is known to have arrived; all go again.
                dropConnection();
                for (Flight f : flights.reversed()) {
                    again.addFirst(f.t());
                }
            } finally {
                if (next != null) {
                    again.addFirst(next);
                }
                harvest(true);
            }
        }

        /** The next file from the queue if it can be pipelined; one that cannot waits in {@link #again}. */
        private Transfer nextPipelinable() {
            if (stopped || !again.isEmpty()) {
                return null;
            }
            Transfer t = queue.poll();
            if (t != null && !pipelinable(t)) {
                again.addLast(t);
                return null;
            }
            return t;
        }

        /** Sends {@code t}'s request; null when it failed locally (its outcome is reported). */
        private Flight send(Transfer t) throws FtException {
            long start = System.nanoTime();
            Progress progress = progressFor.apply(t);
            try {
                if (t.op() == Transfer.Op.GET) {
                    makeParent(t.local());
                    ResumableDownload download = new ResumableDownload(
                            client, options.resume(), progress, options.preserve(), options.throttle());
                    ResumableDownload.Asked asked = download.ask(t.remote(), t.local());
                    Request.Get sent = client.sendGet(asked.request());
                    return new Flight(t, start, t.expectedSize(), progress, download, asked, sent, null);
                }
                byte[] body = readSmall(t);
                client.checkUpload(t.remote(), body.length);
                Md5 md5 = Md5.of(java.security.MessageDigest.getInstance("MD5").digest(body));
                if (t.knownMd5() != null && !t.knownMd5().equals(md5)) {
                    throw new LocalIoException(t.shownLocal() + " changed while it was being read", null);
                }
                FileAttributes attributes =
                        client.limits() != null && client.limits().preserve()
                                ? LocalAttributes.of(t.local(), options.preserve())
                                : null;
                options.throttle().spend(body.length);
                client.sendEagerPut(t.remote(), body, md5, attributes);
                return new Flight(t, start, body.length, progress, null, null, null, md5);
            } catch (ConnectionException e) {
                throw e;
            } catch (FtException e) {
                // A local refusal (or a limit the server stated): this file's attempt, nothing sent.
                retryOrFail(t, start, e);
                return null;
            } catch (IOException e) {
                retryOrFail(t, start, LocalErrors.failure("cannot read " + t.shownLocal(), e));
                return null;
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has MD5", e);
            }
        }

        private void makeParent(Path target) throws LocalIoException {
            Path parent = target.toAbsolutePath().getParent();
            if (parent == null || parent.equals(madeDirectory)) {
                return;
            }
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw LocalErrors.failure("cannot create the directory for " + target, e);
            }
            madeDirectory = parent;
        }

        private byte[] readSmall(Transfer t) throws IOException, LocalIoException {
            byte[] body = Files.readAllBytes(t.local());
            if (body.length > Protocol.MAX_EAGER_PUT_BYTES) {
                throw new LocalIoException(t.shownLocal() + " grew while it was being read", null);
            }
            return body;
        }

        /**
         * Takes the answer to {@code f}, reports its outcome (or queues its retry); false when
         * the connection did not survive it.
         */
        private boolean answer(Flight f) {
            Transfer t = f.t();
            try {
                if (f.download() != null) {
                    Response.GetOk ok =
                            client.receiveGet(f.sent(), ResumableDownload.noteServerHashing(f.progress(), t.remote()));
                    // Synced and renamed on another thread, beside the files before and after it:
                    // the receiving goes on meanwhile, and the file system commits the syncs together.
                    ResumableDownload.Verified v = f.download().receiveVerified(f.asked(), ok, true);
                    publishing.add(new Publishing(f, syncers().submit(() -> {
                        ResumableDownload.Result r = f.download().publish(v);
                        journal.record(t.local(), r.md5());
                        return r;
                    })));
                    harvest(false);
                } else {
                    Response.PutDone done = client.receivePutDone();
                    if (!done.md5().equals(f.md5())) {
                        throw new BadResponseException(client.server() + " confirmed MD5 " + done.md5()
                                + " for a file whose MD5 is " + f.md5());
                    }
                    f.progress().start(t.remote(), f.bytes(), 0);
                    f.progress().advance(f.bytes());
                    f.progress().finish();
                    finish(Outcome.ok(t, f.bytes(), f.md5(), 0, since(f.start())));
                }
                return true;
            } catch (RuntimeException e) {
                dropConnection();
                finish(Outcome.failed(t, new InternalException(e), since(f.start())));
                return false;
            } catch (FtException e) {
                boolean usable = connectionStillUsable(e) && client.isOpen();
                if (!usable) {
                    dropConnection();
                }
                retryOrFail(t, f.start(), e);
                return usable;
            }
        }

        /**
         * Reports the downloads whose publishing finished, oldest first: all of them when
         * {@code all}, else those done (and the oldest while more than {@link #WINDOW} wait).
         */
        private void harvest(boolean all) {
            while (!publishing.isEmpty()
                    && (all || publishing.peek().result().isDone() || publishing.size() > WINDOW)) {
                Publishing p = publishing.poll();
                Transfer t = p.f().t();
                try {
                    ResumableDownload.Result r = p.result().get();
                    finish(Outcome.ok(t, r.size(), r.md5(), r.resumedFrom(), since(p.f().start())));
                } catch (ExecutionException e) {
                    FtException failure = e.getCause() instanceof FtException fe
                            ? fe
                            : new InternalException(
                                    e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e));
                    finish(Outcome.failed(t, failure, since(p.f().start())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    finish(Outcome.failed(
                            t,
                            new InternalException(new IllegalStateException("interrupted", e)),
                            since(p.f().start())));
                }
            }
        }

        /** A failed pipelined attempt: retried later, one exchange at a time, or reported. */
        private void retryOrFail(Transfer t, long start, FtException e) {
            if (options.retries() > 0 && retryable(e) && !stopped) {
                retries.add(new Retry(t, start, 1, e));
            } else {
                finish(Outcome.failed(t, e, since(start)));
            }
        }
    }

    /** A pipelined download being synced and renamed. */
    private record Publishing(Worker.Flight f, Future<ResumableDownload.Result> result) {}

    /** Where pipelined downloads are synced and renamed, many at once; made on first use. */
    private ExecutorService syncers;

    private synchronized ExecutorService syncers() {
        if (syncers == null) {
            syncers = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("ft-sync-", 0).factory());
        }
        return syncers;
    }

    /** A file to try again serially: attempt {@code attempt} after {@code cause}. */
    private record Retry(Transfer t, long start, int attempt, FtException cause) {}

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
