package ft.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The file of a {@link DigestJournal}: JSON Lines, one
 * {@code {"path","size","mtime_ns","ctime_ns","key","md5"}} object per line ({@code ctime_ns}
 * null where the file system does not tell it; lines without it, from older versions, are
 * skipped: their files are hashed once more), only ever appended to, each line with a single
 * write, so several ft processes can share it without tearing lines. Unparsable lines are
 * skipped: the journal is a cache, and losing an entry costs one hash. When stale lines far
 * outnumber live entries, the file is rewritten compactly.
 *
 * <p>A file that cannot be written fails nothing: {@link #writeFailure()} says why, and no
 * more writes are tried. Not thread-safe: {@link DigestJournal} calls it under its lock.
 */
final class JournalLog {
    /** Compaction happens only past this many lines: a small journal costs nothing to read. */
    static final int COMPACT_MIN_LINES = 10_000;
    /** ... and only when there are more than this many lines per live entry. */
    static final int COMPACT_RATIO = 4;

    /** Jackson's streaming API only: databind's set-up cost more than a small transfer. */
    private static final JsonFactory JSON = new JsonFactory();
    /** A member's value that is not a string, a whole number within long's range or null. */
    private static final Object OTHER = new Object();

    private static final Object NULL = new Object();

    /** One line's content: {@code md5} of the file at {@code path} when it had {@code stamp}. */
    record Entry(FileStamp stamp, Md5 md5) {}

    /** Receives the entries read, in file order (a later line for a path replaces an earlier one). */
    @FunctionalInterface
    interface Reader {
        void entry(String path, Entry entry);
    }

    private final Path file;
    /** Opened on the first append, so that merely reading creates no directory. */
    private FileChannel appender;
    /** The first failure to write the file; once set, no more writes are tried. */
    private IOException writeFailure;

    JournalLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * Reads every line into {@code into}; returns how many lines there were. A missing file
     * reads as empty.
     *
     * @throws IOException if the file exists but cannot be read
     */
    long read(Reader into) throws IOException {
        long count = 0;
        // A decoder that replaces bad bytes: a garbled line is skipped, it does not end the load.
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                count++;
                parse(line, into);
            }
        } catch (IOException e) {
            // Nothing there (or a path that cannot hold a file): an empty journal; writes will say why.
            if (!Files.exists(file)) {
                return 0;
            }
            throw e;
        }
        return count;
    }

    /** Whether a file of {@code lines} lines holding {@code live} entries is worth rewriting. */
    static boolean bloated(long lines, int live) {
        return lines > COMPACT_MIN_LINES && lines > (long) COMPACT_RATIO * live;
    }

    /** Appends one line; a failure is kept for {@link #writeFailure()}, not thrown. */
    void append(String path, Entry entry) {
        if (writeFailure != null) {
            return;
        }
        byte[] line = line(path, entry);
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

    /** Why appended lines are not reaching the file, if they are not. */
    IOException writeFailure() {
        return writeFailure;
    }

    /**
     * Rewrites the file with only {@code live}, atomically, so a crash leaves either file
     * whole. Lines another process appends meanwhile may be lost: that costs a hash, not a
     * wrong answer. Failing to compact is not an error; the file stays as it was.
     */
    void compact(Map<String, Entry> live) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            // A new random name, made 0600 with O_EXCL: the rewritten journal is private too.
            tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp", privateMode(file, OWNER_ONLY_FILE));
            setPrivate(tmp, OWNER_ONLY_FILE);
            try (OutputStream out = Files.newOutputStream(tmp, LinkOption.NOFOLLOW_LINKS)) {
                for (Map.Entry<String, Entry> e : live.entrySet()) {
                    out.write(line(e.getKey(), e.getValue()));
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // The appender, if any, writes to the file the move replaced: the next append reopens.
            closeAppender();
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

    /** Closes the file; lines already appended are on disk (no buffering). */
    void closeAppender() {
        if (appender != null) {
            try {
                appender.close();
            } catch (IOException ignored) {
                // Every line went out in its own write; closing can lose nothing.
            }
            appender = null;
        }
    }

    /**
     * Opens the journal for appending, never through a link ({@code O_NOFOLLOW}). The file
     * says which local files have which digests, so it is private whatever the umask: a new
     * one is made 0600, and the directories made for it 0700 (set after creation, since the
     * umask masks the mode asked for at creation).
     */
    private FileChannel openAppender() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            makePrivateDirectories(dir);
        }
        boolean fresh = Files.notExists(file, LinkOption.NOFOLLOW_LINKS);
        FileChannel ch = FileChannel.open(
                file,
                Set.of(
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND,
                        LinkOption.NOFOLLOW_LINKS),
                privateMode(file, OWNER_ONLY_FILE));
        if (fresh) {
            setPrivate(file, OWNER_ONLY_FILE);
        }
        // A line cut short by a crash (a full disk) must not swallow the first line we append.
        if (!endsWithNewline(file)) {
            ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
        }
        return ch;
    }

    private static final String OWNER_ONLY_FILE = "rw-------";
    private static final String OWNER_ONLY_DIR = "rwx------";

    /** Creates the missing directories of {@code dir}, each 0700 whatever the umask; existing ones are left alone. */
    static void makePrivateDirectories(Path dir) throws IOException {
        java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
        for (Path d = dir; d != null && Files.notExists(d, LinkOption.NOFOLLOW_LINKS); d = d.getParent()) {
            missing.push(d);
        }
        for (Path d : missing) {
            try {
                Files.createDirectory(d, privateMode(d, OWNER_ONLY_DIR));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                continue; // another process made it: its mode is its own business
            }
            setPrivate(d, OWNER_ONLY_DIR);
        }
    }

    private static java.nio.file.attribute.FileAttribute<?>[] privateMode(Path p, String mode) {
        Path parent = p.toAbsolutePath().getParent();
        Path probe = parent == null ? p.toAbsolutePath() : parent;
        while (probe != null && Files.notExists(probe)) {
            probe = probe.getParent();
        }
        return probe != null
                        && Files.getFileAttributeView(probe, java.nio.file.attribute.PosixFileAttributeView.class)
                                != null
                ? new java.nio.file.attribute.FileAttribute<?>[] {
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString(mode))
                }
                : new java.nio.file.attribute.FileAttribute<?>[0];
    }

    /** Sets {@code mode} on {@code p} itself (not through a link), where the file system has modes. */
    private static void setPrivate(Path p, String mode) throws IOException {
        java.nio.file.attribute.PosixFileAttributeView view = Files.getFileAttributeView(
                p, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view != null) {
            view.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString(mode));
        }
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = in.size();
            if (size == 0) {
                return true;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            in.read(last, size - 1);
            return last.get(0) == '\n';
        }
    }

    private static void parse(String line, Reader into) {
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
        boolean whole = path instanceof String
                && size instanceof Long
                && mtime instanceof Long
                && (ctime instanceof Long || ctime == NULL)
                && (key instanceof String || key == NULL)
                && md5 instanceof String m
                && Md5.isValid(m);
        if (!whole) {
            return;
        }
        FileStamp stamp = new FileStamp(
                (Long) size, (Long) mtime, ctime == NULL ? null : (Long) ctime, key == NULL ? null : (String) key);
        into.entry((String) path, new Entry(stamp, new Md5((String) md5)));
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
            Map<String, Object> members = new HashMap<>();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                Object value = switch (t) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT ->
                        p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? OTHER : (Object) p.getLongValue();
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

    private static byte[] line(String path, Entry entry) {
        FileStamp stamp = entry.stamp();
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
            g.writeStringField("md5", entry.md5().hex());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a journal line", e);
        }
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
