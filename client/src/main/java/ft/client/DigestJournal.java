package ft.client;

import ft.protocol.Md5;
import ft.transfer.Body;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Remembers the MD5 of local files so that a rerun does not hash again a file untouched since.
 *
 * <p>One entry is kept per absolute path, the latest; {@link FileStamp} decides whether it is
 * still true of the file (same size, mtime, ctime and inode), and {@link JournalLog} keeps the
 * entries in a file several ft processes can share.
 *
 * <p>A journal that cannot be written (a read-only home, say) fails nothing: digests are then
 * remembered only as long as this object, and {@link #writeFailure()} says why.
 *
 * <p>Safe to use from several threads.
 */
public final class DigestJournal implements AutoCloseable {
    /** Computes a file's digest, telling {@code hashed} the bytes read so far; the tests count its calls. */
    @FunctionalInterface
    interface Hasher {
        Md5 hash(Path file, LongConsumer hashed) throws IOException;
    }

    private final JournalLog log;
    private final Hasher hasher;
    private final Map<String, JournalLog.Entry> entries = new ConcurrentHashMap<>();
    /** Guarded by this, as is every use of {@link #log}. */
    private boolean closed;
    /** Whether the file has been read into {@link #entries}; see {@link #openLazily}. */
    private volatile boolean loaded;

    private DigestJournal(Path journal, Hasher hasher) {
        this.log = new JournalLog(journal);
        this.hasher = hasher;
    }

    /**
     * Loads the journal at {@code file}; a missing file is an empty journal, and the file and its
     * directory are created on the first {@link #record}.
     *
     * @throws LocalIoException if the file exists but cannot be read
     */
    public static DigestJournal open(Path file) throws LocalIoException {
        return open(file, DigestJournal::md5Of);
    }

    static DigestJournal open(Path file, Hasher hasher) throws LocalIoException {
        DigestJournal j = new DigestJournal(file, hasher);
        j.ensureLoaded();
        return j;
    }

    /**
     * Like {@link #open}, but the file is read (and compacted if bloated) only when a digest is
     * first looked up, not when one is only recorded: downloading a new file then costs no
     * reading of a journal that may hold thousands of lines. A journal that cannot be read
     * fails that first {@link #digestOf}, and makes {@link #lookup} find nothing.
     */
    public static DigestJournal openLazily(Path file) {
        return openLazily(file, DigestJournal::md5Of);
    }

    static DigestJournal openLazily(Path file, Hasher hasher) {
        return new DigestJournal(file, hasher);
    }

    /**
     * Reads the file unless it was read already (compacting it if bloated); digests recorded
     * before that stay (they are the newest).
     */
    private void ensureLoaded() throws LocalIoException {
        if (loaded) {
            return;
        }
        synchronized (this) {
            if (loaded) {
                return;
            }
            Map<String, JournalLog.Entry> recordedHere = Map.copyOf(entries);
            long lines;
            try {
                lines = log.read(entries::put);
            } catch (IOException e) {
                throw new LocalIoException("cannot read digest journal " + log.file() + ": " + e.getMessage(), e);
            }
            entries.putAll(recordedHere);
            if (JournalLog.bloated(lines, entries.size())) {
                log.compact(entries);
            }
            loaded = true;
        }
    }

    /** {@code $XDG_CACHE_HOME/ft/digests.jsonl}, else {@code ~/.cache/ft/digests.jsonl}. */
    public static Path defaultLocation(Map<String, String> env) {
        return XdgDirs.cache(env).resolve("digests.jsonl");
    }

    /**
     * The recorded digest of {@code file}, if the file has not changed since it was recorded;
     * empty as well when the file cannot be examined.
     */
    public Optional<Md5> lookup(Path file) {
        try {
            ensureLoaded();
        } catch (LocalIoException unreadable) {
            return Optional.empty();
        }
        Path path = normalized(file);
        JournalLog.Entry e = entries.get(path.toString());
        if (e == null) {
            return Optional.empty();
        }
        try {
            return e.stamp().vouchesFor(FileStamp.of(path)) ? Optional.of(e.md5()) : Optional.empty();
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    /**
     * Records that {@code file}, as it is now, has digest {@code md5}. Call it right after
     * verifying the file, so that nothing can have changed it in between.
     *
     * @throws LocalIoException if the file cannot be examined
     */
    public void record(Path file, Md5 md5) throws LocalIoException {
        Path path = normalized(file);
        FileStamp stamp;
        try {
            stamp = FileStamp.of(path);
        } catch (IOException e) {
            throw new LocalIoException("cannot examine " + path + ": " + e.getMessage(), e);
        }
        record(path, stamp, md5);
    }

    /**
     * The MD5 of {@code file}: the recorded one while the file is unchanged, else computed now
     * and recorded, unless the file changed while it was being read.
     *
     * @throws LocalIoException if the file cannot be read
     */
    public Md5 digestOf(Path file) throws LocalIoException {
        return digestOf(file, done -> {});
    }

    /**
     * As {@link #digestOf(Path)}; when the file has to be read, {@code hashed} is told the bytes
     * read so far (a large file takes seconds, which a person should see passing).
     */
    public Md5 digestOf(Path file, LongConsumer hashed) throws LocalIoException {
        ensureLoaded();
        Path path = normalized(file);
        try {
            FileStamp before = FileStamp.of(path);
            JournalLog.Entry known = entries.get(path.toString());
            if (known != null && known.stamp().vouchesFor(before)) {
                return known.md5();
            }
            Md5 md5 = hasher.hash(path, hashed);
            // A file written to while we read it has a digest of no version of it: do not keep it.
            if (before.vouchesFor(FileStamp.of(path))) {
                record(path, before, md5);
            }
            return md5;
        } catch (IOException e) {
            throw new LocalIoException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Why digests recorded here are not reaching the journal file, if they are not. */
    public synchronized Optional<IOException> writeFailure() {
        return Optional.ofNullable(log.writeFailure());
    }

    /** Closes the journal file; lines already recorded are on disk (no buffering). */
    @Override
    public synchronized void close() {
        closed = true;
        log.closeAppender();
    }

    private synchronized void record(Path path, FileStamp stamp, Md5 md5) {
        if (closed) {
            throw new IllegalStateException("digest journal " + log.file() + " is closed");
        }
        JournalLog.Entry entry = new JournalLog.Entry(stamp, md5);
        entries.put(path.toString(), entry);
        log.append(path.toString(), entry);
    }

    private static Path normalized(Path file) {
        return file.toAbsolutePath().normalize();
    }

    private static Md5 md5Of(Path file, LongConsumer hashed) throws IOException {
        MessageDigest md5 = Body.newMd5();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // A file that shrinks while being read fails here (EOF); one that grows is caught by the re-stat.
            Body.hash(ch, ch.size(), md5, hashed);
        }
        return Md5.of(md5.digest());
    }
}
