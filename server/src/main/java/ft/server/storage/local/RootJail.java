package ft.server.storage.local;

import ft.protocol.ErrorCode;
import ft.protocol.Protocol;
import ft.server.RefusedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps client paths to real paths inside the served root, and refuses everything else.
 *
 * <p>Names are checked lexically first (no {@code ..}, no absolute or drive paths, no
 * backslashes or control characters), then resolved one segment at a time: every symlink on
 * the way is followed to its real path and must still lie inside the root and outside the
 * reserved state directory. A refusal never depends on what exists outside the root, so a
 * client cannot probe it.
 */
public final class RootJail {
    /** Top-level directory where the server keeps its own state; never reachable by clients. */
    public static final String STATE_DIR = ".ft";

    private static final int MAX_SEGMENT_BYTES = 255;

    private final Path root;
    private final Path stateDir;

    public RootJail(Path root) throws IOException {
        this.root = root.toRealPath();
        this.stateDir = this.root.resolve(STATE_DIR);
    }

    public Path root() {
        return root;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The segments of a well-formed client path, or a refusal saying what is wrong with it. */
    public static List<String> segments(String clientPath) throws RefusedException {
        if (clientPath == null || clientPath.isEmpty()) {
            throw bad("empty path");
        }
        for (int i = 0; i < clientPath.length(); i++) {
            char c = clientPath.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw bad("path contains a control character");
            }
        }
        if (!Protocol.isWellFormedUnicode(clientPath)) {
            // A lone surrogate names no file; it would otherwise fail deep in java.nio.file.
            throw bad("path is not valid Unicode");
        }
        if (clientPath.indexOf('\\') >= 0) {
            throw denied("backslashes are not allowed in paths; use '/'");
        }
        if (clientPath.startsWith("/")) {
            throw denied("absolute paths are not allowed; paths are relative to the served root");
        }
        if (clientPath.length() >= 2 && clientPath.charAt(1) == ':' && Character.isLetter(clientPath.charAt(0))) {
            throw denied("drive paths are not allowed; paths are relative to the served root");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : clientPath.split("/", -1)) {
            if (segment.equals("..")) {
                throw denied("'..' is not allowed in paths");
            }
            if (segment.isEmpty()) {
                throw bad("path has an empty segment ('//' or a trailing '/')");
            }
            if (segment.equals(".")) {
                throw bad("'.' is not allowed as a path segment");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw bad("a path segment is longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
            segments.add(segment);
        }
        if (segments.getFirst().equals(STATE_DIR)) {
            throw denied("'" + STATE_DIR + "' is reserved for the server");
        }
        return segments;
    }

    /**
     * Resolves a path that must exist, following symlinks that stay inside the root.
     *
     * @return the real path of the file or directory
     */
    public Path resolveExisting(String clientPath) throws RefusedException, IOException {
        Path current = root;
        for (String segment : segments(clientPath)) {
            current = step(current, segment, clientPath);
            if (current == null) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
            }
        }
        return current;
    }

    /**
     * Resolves where a new file will be written, creating missing parent directories inside
     * the root one by one (never through a link that leaves it).
     *
     * @return the real parent directory joined with the final name; the final name itself is
     *     resolved too when it is a symlink that stays inside the root
     */
    public Path resolveForWrite(String clientPath) throws RefusedException, IOException {
        List<String> segments = segments(clientPath);
        Path parent = walkParents(segments, clientPath, true);
        Path target = step(parent, segments.getLast(), clientPath);
        if (target == null) {
            return parent.resolve(segments.getLast());
        }
        if (Files.isDirectory(target)) {
            throw new RefusedException(ErrorCode.IS_A_DIRECTORY, "'" + clientPath + "' is a directory");
        }
        return target;
    }

    /** The served root for an empty path, else the real directory the path names. */
    public Path resolveDirectory(String clientPath) throws RefusedException, IOException {
        if (clientPath.isEmpty()) {
            return root;
        }
        Path dir = resolveExisting(clientPath);
        if (!Files.isDirectory(dir)) {
            throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "'" + clientPath + "' is not a directory");
        }
        return dir;
    }

    /**
     * Resolves a name itself rather than what it points to: the parents are followed (inside
     * the root), the last segment is not, so removing or renaming a symlink acts on the link.
     */
    public Path resolveEntry(String clientPath) throws RefusedException, IOException {
        Path entry = resolveName(clientPath);
        if (!Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
            throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
        }
        return entry;
    }

    /** Like {@link #resolveEntry} but the name need not exist (its parent must). */
    public Path resolveName(String clientPath) throws RefusedException, IOException {
        List<String> segments = segments(clientPath);
        Path name = walkParents(segments, clientPath, false).resolve(segments.getLast());
        // The parents may lead back to the root through a symlink ("self/.ft"), which the
        // lexical check in segments() cannot see; the final name is not stepped, so check it.
        checkInside(name, clientPath);
        return name;
    }

    /**
     * Creates a directory inside the root; with {@code parents} also the missing parents, and
     * an existing directory is then not an error (like {@code mkdir -p}).
     */
    public Path makeDirectory(String clientPath, boolean parents) throws RefusedException, IOException {
        List<String> segments = segments(clientPath);
        Path parent = walkParents(segments, clientPath, parents);
        Path existing = step(parent, segments.getLast(), clientPath);
        if (existing != null) {
            if (parents && Files.isDirectory(existing)) {
                return existing;
            }
            throw new RefusedException(ErrorCode.EXISTS, "'" + clientPath + "' already exists");
        }
        Path created = parent.resolve(segments.getLast());
        try {
            Files.createDirectory(created);
        } catch (FileAlreadyExistsException raced) {
            if (!(parents && Files.isDirectory(created, LinkOption.NOFOLLOW_LINKS))) {
                throw new RefusedException(ErrorCode.EXISTS, "'" + clientPath + "' already exists");
            }
        }
        return created;
    }

    /** The path of a real location inside the root as a client names it ('/'-separated). */
    public String clientPathOf(Path real) {
        Path relative = root.relativize(real);
        StringBuilder b = new StringBuilder();
        for (Path segment : relative) {
            if (!b.isEmpty()) {
                b.append('/');
            }
            b.append(segment);
        }
        return b.toString();
    }

    /**
     * Follows every segment but the last, each to a real directory inside the root; with
     * {@code create}, missing ones are made one at a time (never through a link that leaves).
     */
    private Path walkParents(List<String> segments, String clientPath, boolean create)
            throws RefusedException, IOException {
        Path current = root;
        for (String segment : segments.subList(0, segments.size() - 1)) {
            Path next = step(current, segment, clientPath);
            if (next == null && create) {
                try {
                    Files.createDirectory(current.resolve(segment));
                } catch (FileAlreadyExistsException raced) {
                    // Someone created it meanwhile; step() below checks what it is.
                } catch (FileSystemException e) {
                    throw tooLongOr(e, clientPath);
                }
                next = step(current, segment, clientPath);
            }
            if (next == null) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "a parent of '" + clientPath + "' does not exist");
            }
            if (!Files.isDirectory(next)) {
                throw new RefusedException(
                        ErrorCode.NOT_A_DIRECTORY, "a parent of '" + clientPath + "' is not a directory");
            }
            current = next;
        }
        return current;
    }

    /**
     * One segment further: the real path of {@code dir/segment}, or null if nothing is there.
     * {@code dir} is already a real path inside the root.
     */
    private Path step(Path dir, String segment, String clientPath) throws RefusedException, IOException {
        Path next;
        try {
            next = dir.resolve(segment);
        } catch (InvalidPathException e) {
            // E.g. a non-ASCII name on a server whose locale is C/POSIX (sun.jnu.encoding ASCII).
            throw bad("'" + clientPath + "' cannot be represented in the server's file names");
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            throw tooLongOr(e, clientPath);
        }
        if (!attrs.isSymbolicLink()) {
            checkInside(next, clientPath);
            return next;
        }
        Path real;
        try {
            real = next.toRealPath();
        } catch (FileSystemException e) {
            // Whether a dangling link's target is inside or outside, saying "not found" would
            // confirm something about a path the client may not know about. A link loop (ELOOP)
            // or an unreadable directory on the way cannot be followed either.
            throw denied("'" + clientPath + "' goes through a symlink that cannot be followed");
        }
        checkInside(real, clientPath);
        return real;
    }

    /**
     * A legal protocol path can still exceed what the server's file system allows (PATH_MAX,
     * NAME_MAX below the root): that is the client's request failing, not the server.
     */
    private static IOException tooLongOr(FileSystemException e, String clientPath) throws RefusedException {
        String reason = String.valueOf(e.getReason());
        if (reason.contains("File name too long")) {
            throw bad("'" + clientPath + "' is too long for the server's file system");
        }
        return e;
    }

    /** Refuses a real path outside the root or inside the reserved state directory. */
    void checkInside(Path real, String clientPath) throws RefusedException {
        if (!real.startsWith(root)) {
            throw denied("'" + clientPath + "' leads outside the served root");
        }
        if (real.startsWith(stateDir)) {
            throw denied("'" + clientPath + "' leads into the server's reserved area");
        }
    }

    /** Whether a client may reach the real path {@code real}: inside the root, outside the state directory. */
    boolean contains(Path real) {
        return real.startsWith(root) && !real.startsWith(stateDir);
    }

    private static RefusedException bad(String message) {
        return new RefusedException(ErrorCode.BAD_REQUEST, message);
    }

    private static RefusedException denied(String message) {
        return new RefusedException(ErrorCode.ACCESS_DENIED, message);
    }
}
