package ft.server;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.Glob;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.ListItem;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Answers find: walks a tree depth-first and streams each match as it is found, so the
 * server holds one path per level, not the whole tree. Symlinks are not followed (a walk
 * must not loop or leave the root) and are not reported.
 *
 * <p>Without a pattern every file and directory below the start is sent (directories so a
 * mirror can recreate empty ones). With a pattern only files whose path relative to the
 * start matches are sent; the walk begins at the pattern's literal prefix and skips subtrees
 * the pattern cannot match.
 */
final class FindFiles {
    private static final HeaderCodec CODEC = new HeaderCodec();

    private final Share share;
    private final Request.Find request;
    private final FrameWriter writer;
    private long sent;

    private FindFiles(Share share, Request.Find request, FrameWriter writer) {
        this.share = share;
        this.request = request;
        this.writer = writer;
    }

    static void run(Share share, Request.Find request, SocketAddress client, FrameWriter writer, long start)
            throws IOException {
        FindFiles find = new FindFiles(share, request, writer);
        String result = "ok";
        try {
            find.walk();
        } catch (RefusedException e) {
            result = e.code().name();
            Connection.answer(writer, new Response.Error(e.code(), e.getMessage()));
        } finally {
            AccessLog.request(client, share.user(), "find", request.path(), find.sent, start, result);
        }
    }

    private void walk() throws RefusedException, IOException {
        Glob glob = null;
        if (request.pattern() != null) {
            try {
                glob = Glob.compile(request.pattern());
            } catch (IllegalArgumentException e) {
                throw new RefusedException(ErrorCode.BAD_REQUEST, "bad pattern: " + e.getMessage());
            }
        }
        String base = request.path();
        Path baseDir = share.jail().resolveDirectory(base);
        Path startDir = baseDir;
        String prefix = glob == null ? "" : glob.literalPrefixDirectory();
        if (!prefix.isEmpty()) {
            startDir = prefixDirectory(baseDir, prefix); // null: nothing can match
        }
        Connection.answer(writer, new Response.Ok());
        Response.Error stoppedBy = null;
        if (startDir != null) {
            try {
                Files.walkFileTree(startDir, new Visitor(startDir, prefix, glob));
            } catch (IOException e) {
                stoppedBy = new Response.Error(ErrorCode.INTERNAL, "the walk stopped early: " + e.getClass().getSimpleName());
            }
        }
        writer.writeFrame(CODEC.encode(new ListItem.End(sent, false, stoppedBy)));
        writer.flush();
    }

    /**
     * The directory the pattern's literal prefix names below {@code baseDir}, reached the way
     * the walk would reach it: through real directories only, never through a symlink and never
     * into the state directory. Null if there is no such directory, so no path can match; this
     * keeps the shortcut from changing what a pattern finds (e.g. {@code link/*.txt} must not
     * find files that {@code **}{@code /*.txt} would not).
     */
    private Path prefixDirectory(Path baseDir, String prefix) {
        Path current = baseDir;
        for (String segment : prefix.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return null; // a walked path never has such a segment
            }
            try {
                current = current.resolve(segment);
            } catch (InvalidPathException e) {
                return null; // not a name this file system can hold
            }
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS) || current.equals(share.jail().stateDir())) {
                return null;
            }
        }
        return current;
    }

    private void emit(String relative, EntryType type, BasicFileAttributes attrs) throws IOException {
        long size = type == EntryType.FILE ? attrs.size() : 0;
        writer.writeFrame(CODEC.encode(new ListItem.Entry(join(request.path(), relative), type, size,
                attrs.lastModifiedTime().toMillis())));
        sent++;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b;
    }

    private final class Visitor extends SimpleFileVisitor<Path> {
        private final Path startDir;
        private final String prefix;
        private final Glob glob;

        Visitor(Path startDir, String prefix, Glob glob) {
            this.startDir = startDir;
            this.prefix = prefix;
            this.glob = glob;
        }

        /** The path relative to the find's base, as the pattern sees it. */
        private String relative(Path p) {
            Path r = startDir.relativize(p);
            return join(prefix, r.toString().replace(r.getFileSystem().getSeparator(), "/"));
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            if (dir.equals(share.jail().stateDir())) {
                return FileVisitResult.SKIP_SUBTREE;
            }
            if (dir.equals(startDir)) {
                return FileVisitResult.CONTINUE;
            }
            String rel = relative(dir);
            if (glob == null) {
                emit(rel, EntryType.DIR, attrs);
                return FileVisitResult.CONTINUE;
            }
            return glob.mayMatchBelow(rel) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (attrs.isRegularFile()) {
                String rel = relative(file);
                if (glob == null || glob.matches(rel)) {
                    emit(rel, EntryType.FILE, attrs);
                }
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
            // Unreadable or vanished mid-walk: skip it; the walk is a snapshot, not a promise.
            return FileVisitResult.CONTINUE;
        }
    }
}
