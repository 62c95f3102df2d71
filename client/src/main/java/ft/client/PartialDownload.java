package ft.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import ft.transfer.Md5State;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The files a download keeps beside its target until it is verified: {@code .NAME.ftpart}
 * with the bytes so far and {@code .NAME.ftpart.meta} saying which server file they are from
 * (for a name too long for that, {@code .ft-HASH.ftpart}: see {@link #partialBase}).
 *
 * <p>A body of at least {@link #META_FIRST_BYTES} has its meta written before its first byte,
 * so that even a killed client resumes it. A smaller one gets a meta only when it is cut
 * short: most arrive whole, and writing, renaming and deleting the meta would cost more than
 * the body. A client killed mid-body then leaves a partial without meta, which the next run
 * does not trust and fetches whole: at most that many bytes again.
 */
final class PartialDownload {
    /** Bodies at least this long record their meta up front; smaller ones only when interrupted. */
    static final long META_FIRST_BYTES = 1L << 20;

    /**
     * Which remote file, as the server described it when the partial was started, and the
     * running MD5 of the partial's first bytes when one was saved.
     *
     * @param md5State {@link Md5State#saveState()}'s bytes in lower-case hex (the same form the
     *     server keeps for an upload), for the first {@link Md5State#length()} bytes of the
     *     partial; null when none was saved (metas before it, or a JVM that cannot save one)
     */
    record Meta(String server, String path, long size, String md5, String md5State) {
        Meta(String server, String path, long size, String md5) {
            this(server, path, size, md5, null);
        }

        /** The same remote file, with the running MD5 {@code state} of the partial's first bytes. */
        Meta withState(byte[] state) {
            return new Meta(server, path, size, md5, HexFormat.of().formatHex(state));
        }

        /** Whether both describe the same remote file, whatever state each holds. */
        boolean sameFile(Meta other) {
            return other != null
                    && java.util.Objects.equals(server, other.server)
                    && java.util.Objects.equals(path, other.path)
                    && size == other.size
                    && java.util.Objects.equals(md5, other.md5);
        }

        /**
         * The MD5 of the partial's first {@code held} bytes or fewer, restored from the saved
         * state; empty when there is none, it does not decode, or it claims more than {@code
         * held} bytes (then the caller hashes the partial from its start, as before states were
         * saved). Whatever it returns, the whole file's MD5 is still checked before the rename.
         */
        java.util.Optional<Md5State> restore(long held) {
            if (md5State == null || md5State.length() > 2 * Md5State.MAX_STATE_BYTES) {
                return java.util.Optional.empty();
            }
            try {
                java.util.Optional<Md5State> md5 =
                        Md5State.restore(HexFormat.of().parseHex(md5State));
                return md5.filter(m -> m.length() <= held);
            } catch (Md5State.BadStateException | IllegalArgumentException bad) {
                return java.util.Optional.empty();
            }
        }
    }

    /** Jackson's streaming API only: databind's set-up cost more than a small download. */
    private static final JsonFactory JSON = new JsonFactory();

    final Path data;
    final Path meta;

    PartialDownload(Path target) {
        String base = partialBase(target.getFileName().toString());
        this.data = target.resolveSibling(base);
        this.meta = target.resolveSibling(base + ".meta");
    }

    /** The longest name made from the partial's: {@code BASE.meta.tmp} while the meta is rewritten. */
    private static final int LONGEST_SUFFIX_BYTES = ".meta.tmp".length();
    /** What file systems allow in one name (ext4, xfs, btrfs, tmpfs: 255 bytes). */
    private static final int MAX_NAME_BYTES = 255;

    /**
     * {@code .NAME.ftpart}; for a name too long to take the prefix and suffixes within
     * {@link #MAX_NAME_BYTES}, {@code .ft-<SHA-256 of the name>.ftpart} (the same for every run,
     * so a rerun still finds it; its meta says which file it is).
     */
    static String partialBase(String name) {
        String plain = "." + name + ".ftpart";
        if (plain.getBytes(StandardCharsets.UTF_8).length + LONGEST_SUFFIX_BYTES <= MAX_NAME_BYTES) {
            return plain;
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        return ".ft-" + HexFormat.of().formatHex(digest, 0, 16) + ".ftpart";
    }

    /**
     * The recorded meta, or null when there is no usable partial: both files must be this
     * user's own plain files (not links, one name each), since the directory may be shared
     * and another local user could have planted either (see {@link #openData}).
     */
    Meta read() {
        if (!ownPlainFile(data) || !ownPlainFile(meta)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(meta, LinkOption.NOFOLLOW_LINKS);
                JsonParser p = JSON.createParser(in)) {
            return parse(p);
        } catch (IOException | RuntimeException corrupt) {
            return null; // a meta cut short by a crash: the partial cannot be trusted, start over
        }
    }

    /**
     * The one object {@link #write} writes: its four members and the optional {@code md5_state},
     * each at most once, nothing else.
     */
    private static Meta parse(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String server = null;
        String path = null;
        String md5 = null;
        String md5State = null;
        long size = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (!seen.add(name)) {
                return null;
            }
            switch (name) {
                case "server" -> server = text(p, t);
                case "path" -> path = text(p, t);
                case "md5" -> md5 = text(p, t);
                case "md5_state" -> md5State = text(p, t);
                case "size" -> {
                    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        return null;
                    }
                    size = p.getLongValue();
                }
                default -> {
                    return null;
                }
            }
        }
        return new Meta(server, path, size, md5, md5State);
    }

    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IOException("not a string");
        }
        return p.getText();
    }

    long length() throws IOException {
        return Files.size(data);
    }

    /**
     * Opens the partial's data for writing, never through a symbolic link. {@code keep} (a
     * resume) reopens the existing file, which {@link #read} found to be this user's plain
     * file, with {@code O_NOFOLLOW}: a link swapped in since fails the open. Otherwise whatever
     * has the name is removed first (a link is removed itself, not what it points to) and a new
     * file is made with {@code O_CREAT|O_EXCL} (which never follows a link) and mode 0600. A
     * name another user planted that this one cannot remove (a sticky directory) is an error
     * that says so; nothing is ever written through it.
     */
    FileChannel openData(boolean keep) throws IOException {
        if (keep) {
            return FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        try {
            Files.deleteIfExists(data);
            return FileChannel.open(
                    data,
                    Set.of(
                            StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS),
                    privateFile(data));
        } catch (IOException e) {
            throw new IOException(
                    data.getFileName() + " (where the download is kept until verified) is in the "
                            + "way and cannot be replaced (" + e.getMessage() + "); another user may have planted it: "
                            + "remove it, or download into a directory only you can write",
                    e);
        }
    }

    /**
     * Whether {@code data} is still the file {@code opened} (its file key), not a link or
     * another file put in its place since: checked before the attributes are set on it by name
     * and before it is renamed into place.
     */
    void checkStillOpened(Object opened) throws IOException {
        BasicFileAttributes now = Files.readAttributes(data, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!now.isRegularFile() || opened == null || !opened.equals(now.fileKey())) {
            throw new IOException(data.getFileName() + " was replaced while the download was written; "
                    + "another user may be tampering with this directory; nothing was put in place");
        }
    }

    /**
     * Gives the verified partial the mode a new file gets under this process's umask (0666
     * masked, as {@code cp} or {@code curl -o} would make it), not following a link: it was
     * made 0600 so that nobody reads it while it is incomplete. A later {@code -p} mode wins.
     */
    void publishMode() throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(data, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        int umask = umask();
        if (view == null || umask < 0) {
            return;
        }
        view.setPermissions(ft.protocol.FileAttributes.permissions(0666 & ~umask));
    }

    /**
     * This process's umask, read once: a Java process cannot change it, and reading
     * /proc/self/status for every file of a batch showed in its profile.
     */
    private static int umask() {
        return Umask.VALUE;
    }

    /** Holder: read on first use only. */
    private static final class Umask {
        static final int VALUE = readUmask();

        private Umask() {}
    }

    /** This process's umask from {@code /proc/self/status} (Linux 4.7+), or -1 when unknown. */
    private static int readUmask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring(6).strip(), 8);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unknown: the file stays 0600, which is safe.
        }
        return -1;
    }

    /** The file key of the partial's data as it is now (not following a link). */
    Object dataKey() throws IOException {
        return Files.readAttributes(data, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    }

    /** A plain file (not a link), with one name, owned by this process's user. */
    static boolean ownPlainFile(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                return false;
            }
            Object links = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            Object owner = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return Integer.valueOf(1).equals(links) && owner.equals(Files.getAttribute(PROC_SELF, "unix:uid"));
        } catch (UnsupportedOperationException | IllegalArgumentException noUnix) {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }

    /** Owned by this process's (effective) user on Linux: how its uid is read without native code. */
    private static final Path PROC_SELF = Path.of("/proc/self");

    private static FileAttribute<?>[] privateFile(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                }
                : new FileAttribute<?>[0];
    }

    void write(Meta m) throws IOException {
        Path tmp = meta.resolveSibling(meta.getFileName() + ".tmp");
        // Never through a planted link: the name is removed (a link itself) and made anew, O_EXCL.
        Files.deleteIfExists(tmp);
        try (OutputStream out = java.nio.channels.Channels.newOutputStream(Files.newByteChannel(
                        tmp,
                        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                        privateFile(tmp)));
                JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("server", m.server());
            g.writeStringField("path", m.path());
            g.writeNumberField("size", m.size());
            g.writeStringField("md5", m.md5());
            if (m.md5State() != null) {
                g.writeStringField("md5_state", m.md5State());
            }
            g.writeEndObject();
        }
        Files.move(tmp, meta, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** As {@link #write}, for a transfer already failing: a failure here is added to {@code cause}. */
    void writeQuietly(Meta m, Exception cause) {
        try {
            write(m);
        } catch (IOException e) {
            cause.addSuppressed(e); // the next run fetches the file whole
        }
    }

    void discardMeta() throws IOException {
        Files.deleteIfExists(meta);
    }

    /**
     * Removes a meta file whose partial is gone: left behind when a run was killed between
     * renaming the verified partial into place and deleting its meta.
     */
    void discardOrphanMeta() {
        if (!Files.exists(data) && Files.exists(meta)) {
            try {
                Files.deleteIfExists(meta);
            } catch (IOException e) {
                // Harmless clutter; the next run tries again.
            }
        }
    }

    void discard() throws IOException {
        Files.deleteIfExists(data);
        Files.deleteIfExists(meta);
    }
}
