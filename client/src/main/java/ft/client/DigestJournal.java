package ft.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import ft.transfer.Body;
import ft.protocol.Md5;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Remembers the MD5 of local files so that a rerun does not hash again a file untouched since.
 *
 * <p>A digest is trusted only while the file still has the absolute path, size, modification
 * time (to the nanosecond), change time (ctime) and file key (inode) it had when the digest
 * was recorded; any change and the file is hashed again. The ctime is there because anyone
 * can set an mtime back ({@code touch -d}) after rewriting a file in place to the same size,
 * but no one can set back the ctime. One entry is kept per path, the latest. Like make and
 * rsync, it cannot notice a rewrite to the same size within one tick of the file system's
 * clock right after the digest was taken.
 *
 * <p>The journal is a JSON Lines file, one
 * {@code {"path","size","mtime_ns","ctime_ns","key","md5"}} object per line ({@code ctime_ns}
 * null where the file system does not tell it; lines without it, from older versions, are
 * skipped: their files are hashed once more), only ever appended to, each
 * line with a single write, so several ft processes can share it without tearing lines.
 * Unparsable lines are skipped: the journal is a cache, and losing an entry costs one hash.
 * When stale lines far outnumber live entries, {@link #open} rewrites the file compactly.
 *
 * <p>A journal that cannot be written (a read-only home, say) fails nothing: digests are then
 * remembered only as long as this object, and {@link #writeFailure()} says why.
 *
 * <p>Safe to use from several threads.
 */
public final class DigestJournal implements AutoCloseable {
    /** Compaction happens only past this many lines: a small journal costs nothing to read. */
    static final int COMPACT_MIN_LINES = 10_000;
    /** ... and only when there are more than this many lines per live entry. */
    static final int COMPACT_RATIO = 4;

    /** Jackson's streaming API only: databind's set-up cost more than a small transfer. */
    private static final JsonFactory JSON = new JsonFactory();
    /** A member's value that is not a string, a whole number within long's range or null. */
    private static final Object OTHER = new Object();
    private static final Object NULL = new Object();

    /** Computes a file's digest, telling {@code hashed} the bytes read so far; the tests count its calls. */
    @FunctionalInterface
    interface Hasher {
        Md5 hash(Path file, LongConsumer hashed) throws IOException;
    }

    /** What a digest was taken of: if any of these changed, the digest says nothing. */
    private record Stamp(long size, long mtimeNs, Long ctimeNs, String key) {}

    /** Size, times, inode and type in one stat; the "unix" view is there on Linux and macOS. */
    private static final String UNIX_ATTRIBUTES = "unix:size,lastModifiedTime,ctime,fileKey,isRegularFile";
    private static final boolean UNIX_VIEW = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
            .contains("unix");

    private record Entry(Stamp stamp, Md5 md5) {}

    private final Path journal;
    private final Hasher hasher;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Opened on the first record, so that merely reading creates no directory. Guarded by this. */
    private FileChannel appender;
    /** The first failure to write the journal; once set, no more writes are tried. Guarded by this. */
    private IOException writeFailure;
    private boolean closed;
    /** Whether the file has been read into {@link #entries}; see {@link #openLazily}. */
    private volatile boolean loaded;

    private DigestJournal(Path journal, Hasher hasher) {
        this.journal = journal;
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
     * Reads the file unless it was read already; digests recorded before that stay (they are
     * the newest), and an appender the compaction replaced the file under is reopened.
     */
    private void ensureLoaded() throws LocalIoException {
        if (loaded) {
            return;
        }
        synchronized (this) {
            if (loaded) {
                return;
            }
            Map<String, Entry> recordedHere = Map.copyOf(entries);
            long lines = load();
            entries.putAll(recordedHere);
            if (lines > COMPACT_MIN_LINES && lines > (long) COMPACT_RATIO * entries.size()) {
                compact();
                if (appender != null) {
                    try {
                        appender.close();
                    } catch (IOException ignored) {
                        // Its lines are in the compacted file; the next record opens the new one.
                    }
                    appender = null;
                }
            }
            loaded = true;
        }
    }

    /** {@code $XDG_CACHE_HOME/ft/digests.jsonl}, else {@code ~/.cache/ft/digests.jsonl}. */
    public static Path defaultLocation(Map<String, String> env) {
        // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
        String xdg = env.get("XDG_CACHE_HOME");
        Path base;
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            base = Path.of(xdg);
        } else {
            String home = env.get("HOME");
            base = Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".cache");
        }
        return base.resolve("ft").resolve("digests.jsonl");
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
        Entry e = entries.get(path.toString());
        if (e == null) {
            return Optional.empty();
        }
        try {
            return e.stamp().equals(stamp(path)) ? Optional.of(e.md5()) : Optional.empty();
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
        Stamp stamp;
        try {
            stamp = stamp(path);
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
        return digestOf(file, done -> { });
    }

    /**
     * As {@link #digestOf(Path)}; when the file has to be read, {@code hashed} is told the bytes
     * read so far (a large file takes seconds, which a person should see passing).
     */
    public Md5 digestOf(Path file, LongConsumer hashed) throws LocalIoException {
        ensureLoaded();
        Path path = normalized(file);
        try {
            Stamp before = stamp(path);
            Entry known = entries.get(path.toString());
            if (known != null && known.stamp().equals(before)) {
                return known.md5();
            }
            Md5 md5 = hasher.hash(path, hashed);
            // A file written to while we read it has a digest of no version of it: do not keep it.
            if (stamp(path).equals(before)) {
                record(path, before, md5);
            }
            return md5;
        } catch (IOException e) {
            throw new LocalIoException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Why digests recorded here are not reaching the journal file, if they are not. */
    public synchronized Optional<IOException> writeFailure() {
        return Optional.ofNullable(writeFailure);
    }

    /** Closes the journal file; lines already recorded are on disk (no buffering). */
    @Override
    public synchronized void close() {
        closed = true;
        if (appender != null) {
            try {
                appender.close();
            } catch (IOException ignored) {
                // Every line went out in its own write; closing can lose nothing.
            }
            appender = null;
        }
    }

    private synchronized void record(Path path, Stamp stamp, Md5 md5) {
        if (closed) {
            throw new IllegalStateException("digest journal " + journal + " is closed");
        }
        entries.put(path.toString(), new Entry(stamp, md5));
        if (writeFailure != null) {
            return;
        }
        byte[] line = line(path.toString(), stamp, md5);
        try {
            if (appender == null) {
                appender = openAppender();
            }
            ByteBuffer buf = ByteBuffer.wrap(line);
            // One write of the whole line: with O_APPEND the kernel keeps it in one piece.
            while (buf.hasRemaining()) {
                appender.write(buf);
            }
        } catch (IOException e) {
            // A cache that cannot be kept must not fail the transfer that was verified just now.
            writeFailure = e;
        }
    }

    private FileChannel openAppender() throws IOException {
        Path dir = journal.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        // A line cut short by a crash (a full disk) must not swallow the first line we append.
        if (!endsWithNewline(journal)) {
            ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
        }
        return ch;
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size == 0) {
                return true;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            in.read(last, size - 1);
            return last.get(0) == '\n';
        }
    }

    /** Reads every line, the last one for a path winning; returns how many lines there were. */
    private long load() throws LocalIoException {
        long count = 0;
        // A decoder that replaces bad bytes: a garbled line is skipped, it does not end the load.
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(journal),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                count++;
                parse(line);
            }
        } catch (IOException e) {
            // Nothing there (or a path that cannot hold a file): an empty journal; writes will say why.
            if (!Files.exists(journal)) {
                return 0;
            }
            throw new LocalIoException("cannot read digest journal " + journal + ": " + e.getMessage(), e);
        }
        return count;
    }

    private void parse(String line) {
        Map<String, Object> n;
        try {
            n = members(line);
        } catch (IOException corrupt) {
            return;
        }
        if (n == null) {
            return;
        }
        Object path = n.get("path");
        Object size = n.get("size");
        Object mtime = n.get("mtime_ns");
        Object ctime = n.get("ctime_ns");
        Object key = n.get("key");
        Object md5 = n.get("md5");
        boolean whole = path instanceof String && size instanceof Long && mtime instanceof Long
                && (ctime instanceof Long || ctime == NULL) && (key instanceof String || key == NULL)
                && md5 instanceof String m && Md5.isValid(m);
        if (!whole) {
            return;
        }
        Stamp stamp = new Stamp((Long) size, (Long) mtime, ctime == NULL ? null : (Long) ctime,
                key == NULL ? null : (String) key);
        entries.put((String) path, new Entry(stamp, new Md5((String) md5)));
    }

    /**
     * The members of the one JSON object on {@code line} (the last of a repeated name wins),
     * or null when the line holds something else; strict about trailing bytes, so two lines
     * run together are skipped, not half believed.
     */
    private static Map<String, Object> members(String line) throws IOException {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Map<String, Object> members = new java.util.HashMap<>();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                Object value = switch (t) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? OTHER
                            : (Object) p.getLongValue();
                    case VALUE_NULL -> NULL;
                    default -> {
                        p.skipChildren();
                        yield OTHER;
                    }
                };
                members.put(name, value);
            }
            if (p.nextToken() != null) {
                return null;
            }
            return members;
        }
    }

    /**
     * Rewrites the journal with only the live entries, atomically, so a crash leaves either file
     * whole. Lines another process appends meanwhile may be lost: that costs a hash, not a wrong
     * answer. Failing to compact is not an error; the journal stays as it was.
     */
    private void compact() {
        Path dir = journal.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, journal.getFileName() + ".", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                for (Map.Entry<String, Entry> e : entries.entrySet()) {
                    out.write(line(e.getKey(), e.getValue().stamp(), e.getValue().md5()));
                }
            }
            Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException ignored) {
                // Only a stray temporary file is left; the journal itself is intact.
            }
        }
    }

    private static byte[] line(String path, Stamp stamp, Md5 md5) {
        StringWriter text = new StringWriter(path.length() + 128);
        // Jackson escapes control characters, so a newline in a file name cannot split the line.
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("path", path);
            g.writeNumberField("size", stamp.size());
            g.writeNumberField("mtime_ns", stamp.mtimeNs());
            if (stamp.ctimeNs() == null) {
                g.writeNullField("ctime_ns");
            } else {
                g.writeNumberField("ctime_ns", stamp.ctimeNs());
            }
            g.writeStringField("key", stamp.key());
            g.writeStringField("md5", md5.hex());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a journal line", e);
        }
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Path normalized(Path file) {
        return file.toAbsolutePath().normalize();
    }

    private static Stamp stamp(Path path) throws IOException {
        if (UNIX_VIEW) {
            Map<String, Object> a = Files.readAttributes(path, UNIX_ATTRIBUTES);
            if (!(Boolean) a.get("isRegularFile")) {
                throw new IOException("not a regular file");
            }
            return new Stamp((Long) a.get("size"), ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                    ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS), Objects.toString(a.get("fileKey"), null));
        }
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new IOException("not a regular file");
        }
        Object key = a.fileKey();
        return new Stamp(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), null, Objects.toString(key, null));
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
