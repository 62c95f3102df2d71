package ft.server.storage.local;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * An open directory, and every operation the local storage does on a name in it: relative to
 * the open descriptor ({@code openat(2)}, {@code fstatat(2)}, {@code renameat(2)} …), never
 * following a symlink in the name itself. A path string is walked by the kernel again at every
 * system call, so a directory swapped for a symlink between two calls leads anywhere; a
 * descriptor keeps naming the directory that was opened (the class of rsync CVE-2024-12087
 * and MINA SSHD CVE-2023-35887).
 *
 * <p>{@link SecureDirectoryStream} gives most of these calls. What it lacks ({@code mkdirat},
 * {@code linkat}, {@code readlinkat}, a full {@code fstatat}) goes through
 * {@code /proc/self/fd/N/name}: the kernel resolves {@code /proc/self/fd/N} to the open
 * directory itself, not to a path, and the final name is again not followed. That needs the
 * descriptor's number, which the JDK keeps private: ft.jar's manifest opens
 * {@code java.base/sun.nio.fs} for it. Where either is missing the storage refuses to start
 * ({@link #checkSupported}) rather than fall back to path strings.
 *
 * <p>A handle has one owner at a time and is closed by it: a descriptor number closed while
 * another thread still uses it through {@code /proc} could meanwhile name a different file.
 */
final class DirectoryHandle implements Closeable {
    private static final Field DESCRIPTOR = descriptorField();
    private static final Path PROC_FDS = Path.of("/proc/self/fd");

    private final SecureDirectoryStream<Path> dir;
    private final int fd;
    /** For messages and logs only; never used to reach the directory. */
    private final Path shownAs;

    private DirectoryHandle(SecureDirectoryStream<Path> dir, Path shownAs) throws IOException {
        this.dir = dir;
        this.shownAs = shownAs;
        try {
            this.fd = DESCRIPTOR.getInt(dir);
        } catch (IllegalAccessException | RuntimeException e) {
            close();
            throw new IOException("cannot read the descriptor of an open directory", e);
        }
    }

    /**
     * Opens {@code directory}, which the operator named (links on the way are followed: that
     * path is configuration, not a client's).
     */
    static DirectoryHandle open(Path directory) throws IOException {
        checkSupported();
        DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
        if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
            stream.close();
            throw unsupported("this file system has no SecureDirectoryStream");
        }
        return new DirectoryHandle(secure, directory);
    }

    /** Fails, saying what is missing, unless handles work here. */
    static void checkSupported() throws IOException {
        if (DESCRIPTOR == null) {
            throw unsupported("the JVM does not open java.base/sun.nio.fs to ft "
                    + "(run ft.jar, whose manifest does, or add --add-opens java.base/sun.nio.fs=ALL-UNNAMED)");
        }
        if (!Files.isDirectory(PROC_FDS)) {
            throw unsupported("/proc/self/fd is not there (ft's local storage needs Linux with /proc mounted)");
        }
    }

    private static IOException unsupported(String why) {
        return new IOException("the local storage cannot work relative to open directories: " + why);
    }

    private static Field descriptorField() {
        try {
            Field f = Class.forName("sun.nio.fs.UnixSecureDirectoryStream").getDeclaredField("dfd");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException notOpenedOrNotUnix) {
            return null;
        }
    }

    /** Where this directory was when it was opened, for messages. */
    Path shownAs() {
        return shownAs;
    }

    /** The subdirectory {@code name}; a symlink there is refused ({@code ELOOP}), not followed. */
    DirectoryHandle openDirectory(String name) throws IOException {
        return new DirectoryHandle(
                (SecureDirectoryStream<Path>) dir.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS),
                shownAs.resolve(name));
    }

    /** Opens the file {@code name} with {@code options}; a symlink there is refused, not followed. */
    FileChannel openFile(String name, OpenOption... options) throws IOException {
        Set<OpenOption> all = new HashSet<>(Set.of(options));
        all.add(LinkOption.NOFOLLOW_LINKS);
        return (FileChannel) dir.newByteChannel(Path.of(name), all);
    }

    /** Creates the file {@code name}, which must not exist, and opens it for writing. */
    FileChannel createFile(String name, FileAttribute<?>... attrs) throws IOException {
        Set<OpenOption> options =
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        return (FileChannel) dir.newByteChannel(Path.of(name), options, attrs);
    }

    /** {@code lstat} of {@code name}: a symlink is described, not followed. */
    BasicFileAttributes stat(String name) throws IOException {
        return Files.readAttributes(at(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** Attributes of {@code name} by view name, e.g. {@code "unix:size,ctime,fileKey"}; not followed. */
    Map<String, Object> stat(String name, String attributes) throws IOException {
        return Files.readAttributes(at(name), attributes, LinkOption.NOFOLLOW_LINKS);
    }

    /** {@code fstat} of this directory itself. */
    BasicFileAttributes self() throws IOException {
        return dir.getFileAttributeView(java.nio.file.attribute.BasicFileAttributeView.class)
                .readAttributes();
    }

    /** Attributes of this directory itself by view name, e.g. {@code "unix:uid,mode"} ({@code fstat}). */
    Map<String, Object> self(String attributes) throws IOException {
        return Files.readAttributes(PROC_FDS.resolve(Integer.toString(fd)), attributes);
    }

    /** What identifies this directory on the machine ({@code dev} and {@code ino}). */
    Object identity() throws IOException {
        return self().fileKey();
    }

    /** A view of {@code name}'s attributes (to set times, permissions, owner); not followed. */
    <V extends FileAttributeView> V view(String name, Class<V> type) {
        return dir.getFileAttributeView(Path.of(name), type, LinkOption.NOFOLLOW_LINKS);
    }

    /** A view of this directory's own attributes. */
    <V extends FileAttributeView> V view(Class<V> type) {
        return dir.getFileAttributeView(type);
    }

    /** What the symlink {@code name} points to, as written. */
    Path readLink(String name) throws IOException {
        return Files.readSymbolicLink(at(name));
    }

    void makeDirectory(String name, FileAttribute<?>... attrs) throws IOException {
        Files.createDirectory(at(name), attrs);
    }

    /** A second name {@code newName} in {@code into} for the file {@code name}; fails if it exists. */
    void link(String name, DirectoryHandle into, String newName) throws IOException {
        Files.createLink(into.at(newName), at(name));
    }

    /** Removes a file or a symlink (never what it points to). */
    void deleteFile(String name) throws IOException {
        dir.deleteFile(Path.of(name));
    }

    /** Removes an empty directory. */
    void deleteDirectory(String name) throws IOException {
        dir.deleteDirectory(Path.of(name));
    }

    /** Renames {@code name} to {@code newName} in {@code into}, atomically, replacing a file there. */
    void move(String name, DirectoryHandle into, String newName) throws IOException {
        dir.move(Path.of(name), into.dir, Path.of(newName));
    }

    /** Makes the directory's entries durable ({@code fsync} of the directory). */
    void sync() throws IOException {
        try (FileChannel self = FileChannel.open(PROC_FDS.resolve(Integer.toString(fd)), StandardOpenOption.READ)) {
            self.force(true);
        }
    }

    /**
     * The names in this directory, read afresh (a stream of its own on {@code "."}), without
     * {@code "."} and {@code ".."}; close it after use.
     */
    Names names() throws IOException {
        return new Names(dir.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * The names in this directory through the handle's own stream, without a second descriptor
     * (a walk holds one directory per level); only once per handle, and only before any other
     * reading of it. Closing the result leaves the handle open.
     */
    Names namesOnce() {
        return new Names(dir, false);
    }

    /** The names of one reading of a directory. */
    static final class Names implements Closeable, Iterable<String> {
        private final DirectoryStream<Path> stream;
        private final boolean owned;

        private Names(DirectoryStream<Path> stream) {
            this(stream, true);
        }

        private Names(DirectoryStream<Path> stream, boolean owned) {
            this.stream = stream;
            this.owned = owned;
        }

        @Override
        public Iterator<String> iterator() {
            Iterator<Path> paths = stream.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    try {
                        return paths.hasNext();
                    } catch (DirectoryIteratorException e) {
                        throw new java.io.UncheckedIOException(e.getCause());
                    }
                }

                @Override
                public String next() {
                    return paths.next().getFileName().toString();
                }
            };
        }

        @Override
        public void close() throws IOException {
            if (owned) {
                stream.close();
            }
        }
    }

    /** {@code name} reached through this open directory, never through a path string of it. */
    Path at(String name) {
        return PROC_FDS.resolve(Integer.toString(fd)).resolve(name);
    }

    @Override
    public void close() throws IOException {
        dir.close();
    }

    @Override
    public String toString() {
        return shownAs.toString();
    }
}
