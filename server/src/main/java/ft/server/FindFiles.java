package ft.server;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.FrameWriter;
import ft.protocol.Glob;
import ft.protocol.HeaderCodec;
import ft.protocol.ListItem;
import ft.protocol.Protocol;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers find: walks a tree depth-first and streams each match as it is found, so the
 * server holds one directory stream per level, not the whole tree.
 *
 * <p>Symlinks that stay inside the root are followed ({@link TreeStep}): a link to a file is
 * a file and a link to a directory is walked, both under the link's own path, as get would
 * reach them. A link that leads outside the root, into the state directory, nowhere, or back
 * into a directory being walked (a loop) is reported as a {@code link} and not followed.
 *
 * <p>Without a pattern every file, directory and such link below the start is sent
 * (directories so a mirror can recreate empty ones). With a pattern only files whose path
 * relative to the start matches are sent; the walk begins at the pattern's literal prefix,
 * reached by the same rules, and skips subtrees the pattern cannot match.
 */
final class FindFiles {
    private static final HeaderCodec CODEC = new HeaderCodec();

    private final RequestContext ctx;
    private final Share share;
    private final Request.Find request;
    private final FrameWriter writer;
    private final Glob glob;
    private long sent;

    private FindFiles(RequestContext ctx, Request.Find request, Glob glob) {
        this.ctx = ctx;
        this.share = ctx.share();
        this.request = request;
        this.writer = ctx.writer();
        this.glob = glob;
    }

    static void handle(Request.Find request, RequestContext ctx) throws RefusedException, IOException {
        new FindFiles(ctx, request, compile(request.pattern())).walk();
    }

    private static Glob compile(String pattern) throws RefusedException {
        if (pattern == null) {
            return null;
        }
        try {
            return Glob.compile(pattern);
        } catch (IllegalArgumentException e) {
            throw new RefusedException(ErrorCode.BAD_REQUEST, "bad pattern: " + e.getMessage());
        }
    }

    private void walk() throws RefusedException, IOException {
        Path baseDir = share.jail().resolveDirectory(request.path());
        List<Path> chain = ancestors(baseDir);
        String prefix = glob == null ? "" : glob.literalPrefixDirectory();
        Path startDir = prefix.isEmpty() ? baseDir : prefixDirectory(baseDir, prefix, chain);
        ctx.answer(new Response.Ok());
        ctx.phase(RequestContext.Phase.SENDING);
        Response.Error stoppedBy = null;
        if (startDir != null) {
            try {
                walk(startDir, prefix, chain);
            } catch (IOException e) {
                // The listing is under way: the failure goes into its end frame, in step.
                stoppedBy = new Response.Error(FailureTranslator.codeOf(e),
                        "the walk stopped early: " + e.getClass().getSimpleName());
            }
        }
        writer.writeFrame(CODEC.encode(new ListItem.End(sent, false, stoppedBy)));
        writer.flush();
    }

    /**
     * The directories the walk starts inside: {@code dir} and its parents up to the root. A link
     * back to any of them is a loop.
     */
    private List<Path> ancestors(Path dir) {
        List<Path> chain = new ArrayList<>();
        for (Path p = dir; p != null && p.startsWith(share.jail().root()); p = p.getParent()) {
            chain.addFirst(p);
        }
        return chain;
    }

    /**
     * The directory the pattern's literal prefix names below {@code baseDir}, reached the way
     * the walk would reach it (the same links followed, the same ones not; the directories
     * passed are added to {@code chain}), or null if there is none, so no path can match. This
     * keeps the shortcut from changing what a pattern finds.
     */
    private Path prefixDirectory(Path baseDir, String prefix, List<Path> chain) throws IOException {
        Path current = baseDir;
        for (String segment : prefix.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return null; // a walked path never has such a segment
            }
            TreeStep step = TreeStep.of(share.jail(), current, segment, chain);
            if (step == null || step.kind() != TreeStep.Kind.DIR) {
                return null;
            }
            current = step.real();
            chain.add(current);
        }
        return current;
    }

    /**
     * Sends what is below {@code dir} (a real directory, already on {@code chain}), depth-first,
     * holding one open directory stream per level. A directory that cannot be opened is skipped
     * (the walk is a snapshot, not a promise); one that fails while being read stops the walk.
     */
    private void walk(Path dir, String relative, List<Path> chain) throws IOException {
        DirectoryStream<Path> opened;
        try {
            opened = Files.newDirectoryStream(dir);
        } catch (IOException unreadable) {
            return;
        }
        try (DirectoryStream<Path> entries = opened) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String rel = join(relative, name);
                TreeStep step = TreeStep.of(share.jail(), dir, name, chain);
                if (step != null && !tooLong(rel)) {
                    visit(rel, step, chain);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
    }

    private void visit(String rel, TreeStep step, List<Path> chain) throws IOException {
        switch (step.kind()) {
            case FILE -> {
                if (glob == null || glob.matches(rel)) {
                    emit(rel, EntryType.FILE, step);
                }
            }
            case DIR -> {
                if (glob == null) {
                    emit(rel, EntryType.DIR, step);
                }
                if (glob == null || glob.mayMatchBelow(rel)) {
                    chain.add(step.real());
                    walk(step.real(), rel, chain);
                    chain.removeLast();
                }
            }
            case LINK -> {
                if (glob == null) {
                    emit(rel, EntryType.LINK, step);
                }
            }
            case OTHER -> {
                // Sockets, FIFOs, devices: nothing a client could get.
            }
        }
    }

    /** Only followed links make such paths; a client could not name them in a get. */
    private boolean tooLong(String relative) {
        return join(request.path(), relative).getBytes(StandardCharsets.UTF_8).length > Protocol.MAX_PATH_BYTES;
    }

    private void emit(String relative, EntryType type, TreeStep step) throws IOException {
        long size = type == EntryType.FILE ? step.attrs().size() : 0;
        writer.writeFrame(CODEC.encode(new ListItem.Entry(join(request.path(), relative), type, size,
                step.attrs().lastModifiedTime().toMillis())));
        sent++;
        ctx.bytes(sent);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b;
    }
}
